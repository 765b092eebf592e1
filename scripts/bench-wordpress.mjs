#!/usr/bin/env node
// `npm run bench` (second part): the WordPress side, on one real local site in one run.
//  1. p50 of GET /wp-json/support-provisioning/v1/deployments ÷ p50 of GET /wp-json/wp/v2/users/me, both
//     with the same Application Password, alternating: the sidecar hop should be nearly free next to
//     WordPress itself (target <= 1.15).
//  2. The plugin's own JavaScript per entry point, minified, WordPress's packages excluded (they are
//     externals of the build): the portal view <= 60 KB.
// Everything it starts (sidecar, MariaDB, PHP) lives in temporary folders and is stopped at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@spp/tools';
import { ROOT, startSidecar } from './lib/stack.mjs';

const WARMUP = 30;
const ROUNDS = 300; // per endpoint, alternating
const DEPLOYMENTS = 8; // PBX test appliances (2048 MB): the default 16 GB contingent holds eight

const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (line) => process.stderr.write(`[bench-wp] ${line}\n`);

async function main() {
  for (const f of ['sidecar/dist/src/main.js', 'plugin/build/portal/view.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first (npm run bench does)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'spp-bench-wp-'));
  const state = join(tmp, 'wp');
  const keyId = 'k1';
  const key = randomBytes(32).toString('hex');
  const sidecarPort = await freePort();
  const wpPort = await freePort();
  let sidecar = null;
  try {
    mkdirSync(join(tmp, 'data'));
    sidecar = await startSidecar({ dataDir: join(tmp, 'data'), port: sidecarPort, keyId, key });
    const up = spawnSync(
      process.execPath,
      [join(ROOT, 'wp-env', 'up.mjs'), '--wp', '6.8', '--state', state, '--port', String(wpPort), '--db-port', '0', '--sidecar-url', `http://127.0.0.1:${sidecarPort}`, '--key-id', keyId, '--key', key],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (up.status !== 0) throw new Error(`wp-env/up.mjs failed:\n${up.stdout}\n${up.stderr}`);
    const env = JSON.parse(readFileSync(join(state, 'env.json'), 'utf8'));
    const base = String(env.url).replace(/\/$/, '');
    log(`WordPress 6.8 at ${base}, sidecar on :${sidecarPort}`);

    // Log in as admin, then an Application Password, so both endpoints are asked the same way.
    const jar = new Map();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const login = await fetch(`${base}/wp-login.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
      body: new URLSearchParams({ log: env.admin.login, pwd: env.admin.password, testcookie: '1' }),
    });
    for (const c of login.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const nonce = (await (await fetch(`${base}/wp-admin/admin-ajax.php?action=rest-nonce`, { headers: { cookie: cookie() } })).text()).trim();
    const created = await fetch(`${base}/wp-json/wp/v2/users/me/application-passwords`, {
      method: 'POST',
      headers: { cookie: cookie(), 'x-wp-nonce': nonce, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (created.status !== 201) throw new Error(`application password: HTTP ${created.status}`);
    const auth = `Basic ${Buffer.from(`${env.admin.login}:${(await created.json()).password}`).toString('base64')}`;
    const get = async (path) => {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { authorization: auth } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      return performance.now() - t0;
    };

    // A list with something in it (the admin holds every right while no one holds rights.manage).
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const res = await fetch(`${base}/wp-json/support-provisioning/v1/deployments`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ templateId: 1, name: `bench-${i}`, ttlHours: 8 }),
      });
      if (res.status !== 201) throw new Error(`create: HTTP ${res.status} ${await res.text()}`);
    }
    const LIST = '/wp-json/support-provisioning/v1/deployments';
    const ME = '/wp-json/wp/v2/users/me';
    for (let i = 0; i < WARMUP; i++) await Promise.all([get(LIST), get(ME)]);
    const list = [];
    const me = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so drift hits both alike.
      if (i % 2 === 0) {
        list.push(await get(LIST));
        me.push(await get(ME));
      } else {
        me.push(await get(ME));
        list.push(await get(LIST));
      }
    }
    const ratio = p50(list) / p50(me);

    const size = (f) => statSync(join(ROOT, 'plugin', 'build', f)).size / 1024;
    const entries = [
      ['portal/view.js', 'portal (front end)', 60],
      ['portal/index.js', 'block editor', null],
      ['admin/index.js', 'admin page', null],
    ];
    const rows = [
      ['6. REST p50: portal list ÷ wp/v2/users/me', `${p50(list).toFixed(1)} ms`, `${p50(me).toFixed(1)} ms`, ratio.toFixed(3), '<= 1.15', ratio <= 1.15],
      ...entries.map(([f, what, max]) => [`7. plugin JS, ${what} (${f})`, `${size(f).toFixed(1)} KB`, 'WordPress packages excluded', '(absolute)', max ? `<= ${max} KB` : '-', max ? size(f) <= max : null]),
    ];
    const head = ['benchmark', 'measured', 'baseline', 'ratio', 'target', 'result'];
    const cells = [head, ...rows.map((r) => [...r.slice(0, 5), r[5] === null ? 'info' : r[5] ? 'PASS' : 'MISS'])];
    const widths = head.map((_, i) => Math.max(...cells.map((c) => String(c[i]).length)));
    const line = (c) => c.map((x, i) => String(x).padEnd(widths[i])).join(' | ');
    process.stdout.write(`\n${line(cells[0])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${cells.slice(1).map(line).join('\n')}\n\n`);
    process.stdout.write(`- REST: ${ROUNDS} requests each, sequential and alternating, Application Password auth, ${DEPLOYMENTS} deployments in the list; p90 ${[...list].sort((a, b) => a - b)[Math.floor(list.length * 0.9)].toFixed(1)} / ${[...me].sort((a, b) => a - b)[Math.floor(me.length * 0.9)].toFixed(1)} ms\n`);
    process.exitCode = rows.every((r) => r[5] !== false) ? 0 : 1;
  } finally {
    spawnSync(process.execPath, [join(ROOT, 'wp-env', 'down.mjs'), '--state', state], { stdio: 'ignore' });
    await sidecar?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench-wordpress failed: ${err.message}\n`);
  process.exit(2);
});
