#!/usr/bin/env node
// The browser end-to-end tests: for each WordPress version (6.8, then 6.1, the oldest supported: React 17)
// a sidecar started here (free port, temporary data folder, fresh key, built-in mock Proxmox) and a real
// local site from wp-env/up.mjs wired to it, then the scenarios of e2e/scenarios.mjs in Debian's Chromium
// (one browser, one context per user) through playwright-core. A screenshot of every step goes to
// artifacts/e2e/<version>/NN-step.png. Everything started here is stopped again, also on failure or Ctrl-C.
// Last line: `e2e: N passed, N failed`; exit 1 on a failure.
//
//   node scripts/test-e2e.mjs [--wp 6.8,6.1] [--keep]
//     --wp     versions to run against (default 6.8,6.1; env SPP_TEST_WP_VERSIONS)
//     --keep   keep the sidecar's data folder and the WordPress state folder (.wp-env-state/e2e-<v>, stopped);
//              both are kept anyway after a failure
//   env SPP_E2E_TIMEOUT_SCALE=2   doubles every wait (slow machines)
//   env SPP_E2E_CHROMIUM=/path    another Chromium binary (default /usr/bin/chromium)
//   env SPP_E2E_SCRIPT_DEBUG=0    WordPress's production scripts (default: SCRIPT_DEBUG, React's development build)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { freePort } from '@spp/tools';
import { optionReader, ROOT, run, SIDECAR_MAIN, startSidecar, tail } from './lib/stack.mjs';

const UI_BUILD = join(ROOT, 'plugin', 'build');
const STATE_ROOT = join(ROOT, '.wp-env-state');
const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');
const CHROMIUM = process.env.SPP_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const t0 = performance.now();

const args = process.argv.slice(2);
const USAGE = 'usage: node scripts/test-e2e.mjs [--wp 6.8,6.1] [--keep]';
const opt = optionReader(args);
for (const [i, a] of args.entries()) {
  if (a.startsWith('--') ? !['--wp', '--keep'].includes(a.split('=')[0]) : args[i - 1] !== '--wp') {
    console.error(`test-e2e: unknown argument ${a}\n${USAGE}`);
    process.exit(2);
  }
}
const versions = (opt('wp') ?? process.env.SPP_TEST_WP_VERSIONS ?? '6.8,6.1').split(',').map((v) => v.trim()).filter(Boolean);
const keep = args.includes('--keep');

const totals = { passed: 0, failed: 0 };
const problems = [];
const cleanups = [];
const timings = [];
let browser = null;

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\ntest-e2e: ${sig}, stopping what was started…`);
    // The browser first, so the running scenario stops at its next step instead of testing a site going down.
    Promise.resolve(browser?.close())
      .catch(() => {})
      .then(cleanUp)
      .finally(() => {
        console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed (interrupted)`);
        process.exit(130);
      });
  });
}

try {
  ensureChromium();
  ensureBuilt();
  const { chromium } = await import('playwright-core');
  const { Run } = await import('../e2e/harness.mjs');
  const { runScenarios } = await import('../e2e/scenarios.mjs');
  const launched = performance.now();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  cleanups.push(async () => {
    const b = browser;
    browser = null;
    await b?.close().catch(() => {});
  });
  console.log(`Chromium ${browser.version()} (${CHROMIUM}) started in ${secs(launched)}`);
  for (const version of versions) {
    if (interrupted) break;
    const started = performance.now();
    try {
      await onVersion(version, Run, runScenarios);
    } catch (err) {
      problems.push(`WordPress ${version}: ${err?.message ?? err}`);
      totals.failed++;
      while (cleanups.length > 1) await cleanups.pop()().catch((e) => console.error(`test-e2e: clean-up: ${e.message}`));
    }
    timings.push(`WordPress ${version}: ${secs(started)}`);
  }
} catch (err) {
  problems.push(String(err?.message ?? err));
  totals.failed++;
} finally {
  await cleanUp();
}

if (problems.length) {
  console.log('\nProblems:');
  for (const p of problems) console.log(`  - ${p.replace(/\n/g, '\n    ')}`);
}
console.log(`\ne2e tests took ${secs(t0)} (${timings.join(', ')}); screenshots in ${relative(ROOT, ARTIFACTS)}/`);
console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed${interrupted ? ' (interrupted)' : ''}`);
process.exit(interrupted ? 130 : totals.failed > 0 ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------

/** One WordPress version: sidecar + site, the scenarios, then both stopped (before the next version starts). */
async function onVersion(version, Run, runScenarios) {
  console.log(`\n== WordPress ${version} ==`);
  const keyId = 'ke2e';
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), `spp-e2e-sidecar-${version}-`));
  const port = await freePort();
  const sidecarUrl = `http://127.0.0.1:${port}`;
  const failedBefore = totals.failed;
  const failed = () => totals.failed > failedBefore;
  const sidecar = await startSidecar({ dataDir, port, keyId, key });
  cleanups.push(async () => {
    await sidecar.stop();
    if (keep || failed()) console.log(`  sidecar data and log kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  });

  // A fresh state folder with SCRIPT_DEBUG on (unless SPP_E2E_SCRIPT_DEBUG=0): WordPress then serves React's
  // development build, which reports React's warnings (keys, hooks, unknown props, updates after unmount)
  // as console errors, so the watch over the console sees them.
  const state = join(STATE_ROOT, `e2e-${version}`);
  if (existsSync(state)) run(process.execPath, [join(ROOT, 'wp-env', 'reset.mjs'), '--state', state]);
  mkdirSync(state, { recursive: true });
  const scriptDebug = process.env.SPP_E2E_SCRIPT_DEBUG !== '0';
  writeFileSync(join(state, 'wp-config-extra.php'), `<?php\n// Written by scripts/test-e2e.mjs.\ndefine('SCRIPT_DEBUG', ${scriptDebug});\n`);
  const wpPort = await freePort();
  const upStarted = performance.now();
  const up = run(process.execPath, [
    join(ROOT, 'wp-env', 'up.mjs'), '--wp', version, '--state', state, '--port', String(wpPort), '--db-port', '0',
    '--sidecar-url', sidecarUrl, '--key-id', keyId, '--key', key,
  ]);
  cleanups.push(async () => {
    const f = failed();
    run(process.execPath, [join(ROOT, 'wp-env', f || keep ? 'down.mjs' : 'reset.mjs'), '--state', state]);
    if (f || keep) console.log(`  WordPress state and logs kept in ${relative(ROOT, state)} (stopped)`);
  });
  if (up.status !== 0) throw new Error(`wp-env/up.mjs --wp ${version} failed:\n${tail(`${up.stdout}${up.stderr}`, 25)}`);
  const env = JSON.parse(readFileSync(join(state, 'env.json'), 'utf8'));
  if (!env.plugin?.active) {
    throw new Error(`the plugin is not active on WordPress ${version}: ${env.plugin?.error ?? env.plugin?.note ?? 'unknown'} (see ${join(state, 'log')})`);
  }
  console.log(`  WordPress ${env.wordpress.version} at ${env.url} (up in ${secs(upStarted)}), sidecar at ${sidecarUrl} (data ${dataDir})`);

  const log = (m) => interrupted || console.log(m);
  const r = new Run({ browser, baseUrl: env.url.replace(/\/$/, ''), version, dir: join(ARTIFACTS, version), root: ROOT, log });
  await withTimeout(runScenarios(r), 10 * 60_000 * Math.max(1, Number(process.env.SPP_E2E_TIMEOUT_SCALE ?? 1) || 1), `the scenarios on WordPress ${version}`);
  if (interrupted) return;
  totals.passed += r.passed;
  totals.failed += r.failed;
  problems.push(...r.problems);

  if (failed()) {
    const logs = join(state, 'log');
    const php = ['php-errors.log', 'debug.log'].map((f) => join(logs, f)).filter((f) => existsSync(f) && statSync(f).size > 0);
    for (const f of php) {
      const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() && !/PHP Deprecated:/.test(l)).join('\n');
      if (lines) console.log(`  ${relative(ROOT, f)} (last lines, without deprecations):\n${indent(tail(lines, 10), 4)}`);
    }
    const sidecarLog = join(dataDir, 'sidecar.log');
    if (existsSync(sidecarLog)) console.log(`  sidecar log (last lines):\n${indent(tail(readFileSync(sidecarLog, 'utf8'), 10), 4)}`);
  }
  // Stop now (not only at the end), so the next version starts on a clean machine; the browser stays.
  while (cleanups.length > 1) await cleanups.pop()();
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.env.SPP_E2E_CHROMIUM) throw new Error(`SPP_E2E_CHROMIUM=${CHROMIUM} does not exist`);
  const cmd = 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium';
  if (process.getuid?.() !== 0) throw new Error(`Chromium is not installed (${CHROMIUM}); install Debian's package as root: sudo sh -c '${cmd}'`);
  console.log('Installing Chromium (Debian package)…');
  const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error('apt-get could not install chromium');
}

/**
 * Builds the sidecar and the UI when their output is older than a source file. webpack leaves unchanged
 * files untouched (a type-only edit changes no output), so a stamp written after our own build counts too.
 */
function ensureBuilt() {
  if (!existsSync(join(ROOT, 'node_modules', 'playwright-core'))) run(process.execPath, [join(ROOT, 'scripts', 'ensure-install.mjs')], { stdio: 'inherit' });
  const stamps = join(ROOT, 'node_modules', '.cache', 'spp-e2e');
  const parts = [
    { name: 'sidecar', out: join(ROOT, 'sidecar', 'dist'), must: SIDECAR_MAIN, src: join(ROOT, 'sidecar', 'src') },
    { name: 'blocks', out: UI_BUILD, must: join(UI_BUILD, 'portal', 'view.js'), src: join(ROOT, 'blocks', 'src') },
  ];
  for (const p of parts) {
    const stamp = join(stamps, `${p.name}.stamp`);
    const built = Math.max(existsSync(p.out) ? newest(p.out) : 0, existsSync(stamp) ? statSync(stamp).mtimeMs : 0);
    if (existsSync(p.must) && built >= newest(p.src)) continue;
    console.log(`Building ${p.name} (npm run build --workspace ${p.name})…`);
    const started = Date.now();
    const r = spawnSync('npm', ['run', 'build', '--workspace', p.name], { cwd: ROOT, stdio: 'inherit' });
    if (r.status === 0) {
      mkdirSync(stamps, { recursive: true });
      writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
      utimesSync(stamp, started / 1000, started / 1000); // a source edited during the build still counts as newer
    } else {
      if (!existsSync(p.must)) throw new Error(`npm run build --workspace ${p.name} failed, and there is no earlier build`);
      console.log(`test-e2e: the build of ${p.name} failed (see above); testing the build that is there`);
    }
  }
}

function newest(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 60000)} min`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function cleanUp() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (err) {
      console.error(`test-e2e: clean-up: ${err.message}`);
    }
  }
}

function secs(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function indent(text, n) {
  return text.replace(/^/gm, ' '.repeat(n));
}
