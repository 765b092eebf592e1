#!/usr/bin/env node
// The WordPress plugin's tests, for `npm test`: PHPUnit unit tests (no WordPress), then for each
// WordPress version (6.8, then 6.1, the oldest supported) a real local site from wp-env/up.mjs wired to
// a sidecar started here (free port, temporary data folder, fresh key), and the integration tests
// against it in three phases: sidecar up, sidecar stopped, sidecar started again. Everything started
// here is stopped again, also on failure or Ctrl-C. Last line: `plugin: N passed, N failed`.
//
//   node scripts/test-plugin.mjs [--wp 6.8,6.1] [--unit-only] [--keep]
//     --wp         versions to run against (default 6.8,6.1; env SPP_TEST_WP_VERSIONS)
//     --unit-only  only the unit tests (no WordPress, no sidecar)
//     --keep       keep the sidecar's data folder and the WordPress state folder (.wp-env-state/test-<v>,
//                  stopped); both are kept anyway after a failure
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { freePort } from '@spp/tools';
import { optionReader, ROOT, run, SIDECAR_MAIN, startSidecar, tail } from './lib/stack.mjs';

const PLUGIN = join(ROOT, 'plugin');
const STATE_ROOT = join(ROOT, '.wp-env-state');
const t0 = performance.now();

const args = process.argv.slice(2);
const opt = optionReader(args);
for (const a of args) {
  if (a.startsWith('--') && !['--wp', '--unit-only', '--keep'].includes(a.split('=')[0])) {
    console.error(`test-plugin: unknown option ${a}\nusage: node scripts/test-plugin.mjs [--wp 6.8,6.1] [--unit-only] [--keep]`);
    process.exit(2);
  }
}
const versions = (opt('wp') ?? process.env.SPP_TEST_WP_VERSIONS ?? '6.8,6.1').split(',').map((v) => v.trim()).filter(Boolean);
const unitOnly = args.includes('--unit-only');
const keep = args.includes('--keep');

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
const cleanups = [];
const resultsDir = mkdtempSync(join(tmpdir(), 'spp-plugin-results-'));

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\ntest-plugin: ${sig}, stopping what was started…`);
    cleanUp().finally(() => process.exit(130));
  });
}

try {
  ensurePhpunit();
  phase('unit tests (no WordPress)', () => phpunit('unit', join(PLUGIN, 'tests', 'unit', 'phpunit.xml'), [], {}));
  if (!unitOnly) {
    ensureSidecarBuilt();
    for (const version of versions) {
      if (interrupted) break;
      try {
        await integration(version);
      } catch (err) {
        problems.push(`WordPress ${version}: ${err?.message ?? err}`);
        totals.failed++;
        while (cleanups.length) await cleanups.pop()().catch((e) => console.error(`test-plugin: clean-up: ${e.message}`));
      }
    }
  }
} catch (err) {
  problems.push(String(err?.message ?? err));
  totals.failed++;
} finally {
  await cleanUp();
}

const seconds = ((performance.now() - t0) / 1000).toFixed(1);
if (problems.length) {
  console.log('\nProblems:');
  for (const p of problems) console.log(`  - ${p}`);
}
console.log(`\nplugin tests took ${seconds} s${totals.skipped ? ` (${totals.skipped} skipped)` : ''}`);
console.log(`plugin: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || interrupted ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------

/** One WordPress version: sidecar + site, then the three phases, then everything stopped. */
async function integration(version) {
  console.log(`\n== WordPress ${version} ==`);
  const keyId = 'ktest';
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), `spp-plugin-sidecar-${version}-`));
  const port = await freePort();
  const sidecarUrl = `http://127.0.0.1:${port}`;
  const sidecar = await startSidecar({ dataDir, port, keyId, key });
  let failedBefore = totals.failed;
  cleanups.push(async () => {
    await sidecar.stop();
    if (keep || totals.failed > failedBefore) console.log(`  sidecar data and log kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  });

  const state = join(STATE_ROOT, `test-${version}`);
  const wpPort = await freePort();
  const up = run(process.execPath, [
    join(ROOT, 'wp-env', 'up.mjs'), '--wp', version, '--state', state, '--port', String(wpPort), '--db-port', '0',
    '--sidecar-url', sidecarUrl, '--key-id', keyId, '--key', key, '--fresh',
  ]);
  cleanups.push(async () => {
    // Stopped always; the state folder (database, logs) is kept after a failure or with --keep.
    const failed = totals.failed > failedBefore;
    run(process.execPath, [join(ROOT, 'wp-env', failed || keep ? 'down.mjs' : 'reset.mjs'), '--state', state]);
    if (failed || keep) console.log(`  WordPress state and logs kept in ${relative(ROOT, state)} (stopped)`);
  });
  if (up.status !== 0) {
    throw new Error(`wp-env/up.mjs --wp ${version} failed:\n${tail(`${up.stdout}${up.stderr}`, 25)}`);
  }
  const envFile = join(state, 'env.json');
  const env = JSON.parse(readFileSync(envFile, 'utf8'));
  if (!env.plugin?.active) {
    throw new Error(`the plugin is not active on WordPress ${version}: ${env.plugin?.error ?? env.plugin?.note ?? 'unknown'} (see ${join(state, 'log')})`);
  }
  console.log(`  WordPress ${env.wordpress.version} at ${env.url} (state ${relative(ROOT, state)}), sidecar at ${sidecarUrl} (data ${dataDir})`);

  const testEnv = { SPP_TEST_ENV_JSON: envFile, SPP_TEST_SIDECAR_URL: sidecarUrl, SPP_TEST_KEY_ID: keyId, SPP_TEST_KEY: key };
  const config = join(PLUGIN, 'tests', 'integration', 'phpunit.xml');
  failedBefore = totals.failed;
  phase(`WordPress ${version}: integration, sidecar up`, () => phpunit(`wp${version}-up`, config, [], testEnv));
  await sidecar.stop();
  phase(`WordPress ${version}: sidecar stopped`, () => phpunit(`wp${version}-down`, config, ['--group', 'sidecar-down'], testEnv));
  await sidecar.start();
  phase(`WordPress ${version}: sidecar started again`, () => phpunit(`wp${version}-recovered`, config, ['--group', 'sidecar-recovered'], testEnv));

  // Stop now (not only at the end), so the next version starts on a clean machine.
  while (cleanups.length) await cleanups.pop()();
}

function phase(title, fn) {
  if (interrupted) return;
  console.log(`\n-- ${title}`);
  fn();
}

/** Runs PHPUnit with a JUnit log, adds its counts to the totals. */
function phpunit(name, config, extra, env) {
  const junit = join(resultsDir, `${name.replace(/[^A-Za-z0-9.-]/g, '_')}.xml`);
  const r = spawnSync('phpunit', ['-c', config, '--colors=never', '--log-junit', junit, ...extra], {
    cwd: PLUGIN, stdio: 'inherit', env: { ...process.env, ...env },
  });
  const counts = existsSync(junit) ? junitCounts(readFileSync(junit, 'utf8')) : null;
  if (!counts || counts.tests === 0) {
    totals.failed++;
    problems.push(`${name}: PHPUnit ran no tests (exit ${r.status ?? r.signal})`);
    return;
  }
  const failed = counts.failures + counts.errors;
  totals.passed += counts.tests - failed - counts.skipped;
  totals.failed += failed;
  totals.skipped += counts.skipped;
  if (failed) problems.push(`${name}: ${failed} of ${counts.tests} failed`);
  else if (r.status !== 0) {
    totals.failed++;
    problems.push(`${name}: PHPUnit exited with ${r.status ?? r.signal} (risky or warnings?)`);
  }
}

/** Totals of the outermost <testsuite> of a PHPUnit JUnit file. */
function junitCounts(xml) {
  const m = /<testsuite\b[^>]*>/.exec(xml);
  if (!m) return null;
  const attr = (n) => Number((new RegExp(`\\b${n}="(\\d+)"`).exec(m[0]) ?? [])[1] ?? 0);
  return { tests: attr('tests'), failures: attr('failures'), errors: attr('errors'), skipped: attr('skipped') };
}

function ensurePhpunit() {
  if (spawnSync('sh', ['-c', 'command -v phpunit']).status === 0) return;
  const cmd = 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends phpunit';
  if (process.getuid?.() !== 0) throw new Error(`phpunit is not installed; install it as root: sudo sh -c '${cmd}'`);
  console.log('Installing phpunit (Debian package)…');
  const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || spawnSync('sh', ['-c', 'command -v phpunit']).status !== 0) throw new Error('apt-get could not install phpunit');
}

/** Builds the sidecar when dist/ is missing or older than a source file. */
function ensureSidecarBuilt() {
  const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
  if (existsSync(SIDECAR_MAIN) && statSync(SIDECAR_MAIN).mtimeMs >= newest(join(ROOT, 'sidecar', 'src'))) return;
  console.log('Building the sidecar (npm run build)…');
  if (!existsSync(join(ROOT, 'node_modules'))) run(process.execPath, [join(ROOT, 'scripts', 'ensure-install.mjs')], { stdio: 'inherit' });
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    if (!existsSync(SIDECAR_MAIN)) throw new Error('npm run build failed, and there is no earlier sidecar build');
    console.log('test-plugin: npm run build failed (see above); testing the plugin with the sidecar build in sidecar/dist as it is');
  }
}

async function cleanUp() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (err) {
      console.error(`test-plugin: clean-up: ${err.message}`);
    }
  }
  rmSync(resultsDir, { recursive: true, force: true });
}
