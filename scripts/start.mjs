#!/usr/bin/env node
// `npm start`: the built sidecar with the embedded defaults (SQLite in .spp-data/, the mock Proxmox) and a
// real local WordPress (wp-env/up.mjs: Debian's WordPress 6.8, PHP 8.2, a private MariaDB) with the plugin
// active and signing with the sidecar's key; prints the URLs and logins. Ctrl+C stops all of it.
// `--proxmox simulator`: the portal talks HTTP to the Proxmox VE simulator (realistic task times, its own
// CA, a least-privilege token), so the real client path can be watched.
// `--no-wordpress`: the sidecar alone. `--wp 6.1`: the oldest supported WordPress instead of 6.8.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@spp/tools';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, SPP_DATA_DIR: process.env.SPP_DATA_DIR ?? join(root, '.spp-data') };
const host = env.SPP_SIDECAR_HOST ?? '127.0.0.1';
const port = env.SPP_SIDECAR_PORT ?? '8787';
const argv = process.argv.slice(2);
const proxmoxArg = argv.includes('--proxmox') ? argv[argv.indexOf('--proxmox') + 1] : 'mock';
const withWordPress = !argv.includes('--no-wordpress');
const wpVersion = argv.includes('--wp') ? argv[argv.indexOf('--wp') + 1] : '6.8';
if (proxmoxArg !== 'mock' && proxmoxArg !== 'simulator') {
  console.error(`--proxmox must be 'mock' or 'simulator', not '${proxmoxArg}'`);
  process.exit(2);
}

const children = [];
let wordpressUp = false;
const stopAll = (sig) => {
  for (const c of children) if (c.exitCode === null) c.kill(sig);
  if (wordpressUp) {
    wordpressUp = false;
    spawnSync(process.execPath, [join(root, 'wp-env', 'down.mjs'), '--wp', wpVersion], { stdio: 'inherit' });
  }
};
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));


/** One signed call through the sidecar's own CLI (same key, same data folder). */
function call(method, target, body) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [join(root, 'sidecar', 'dist', 'src', 'cli', 'call.js'), method, target, JSON.stringify(body)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${method} ${target} failed:\n${out}`))));
  });
}

async function startSimulator() {
  const state = join(env.SPP_DATA_DIR, 'pve-simulator');
  const simPort = env.SPP_SIMULATOR_PORT ?? '8006';
  const sim = spawn(process.execPath, [join(root, 'sidecar', 'dist', 'simulator', 'main.js'), '--state', state, '--port', simPort, '--realistic'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(sim);
  let banner = '';
  sim.stdout.on('data', (d) => (banner += d));
  await waitFor('the Proxmox simulator', () => banner.includes('fingerprint:') || sim.exitCode !== null, { timeoutMs: 15_000, intervalMs: 100 });
  if (sim.exitCode !== null) throw new Error(`the Proxmox simulator exited (${sim.exitCode}); is port ${simPort} free? Set SPP_SIMULATOR_PORT.`);
  const token = JSON.parse(readFileSync(join(state, 'token.json'), 'utf8'));
  return { url: `https://127.0.0.1:${simPort}`, token, caPem: readFileSync(join(state, 'ca.pem'), 'utf8'), node: 'pve', banner };
}

async function main() {
  const simulator = proxmoxArg === 'simulator' ? await startSimulator() : null;
  const sidecar = spawn(process.execPath, [join(root, 'sidecar', 'dist', 'src', 'main.js')], { env, stdio: 'inherit' });
  children.push(sidecar);
  sidecar.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`the sidecar exited with ${code}`);
    stopAll('SIGTERM');
    process.exit(code ?? 0);
  });
  await waitFor('the sidecar', async () => {
    try {
      return (await fetch(`http://${host}:${port}/healthz`)).ok;
    } catch {
      return false;
    }
  }, { timeoutMs: 15_000, intervalMs: 100 });
  if (simulator) {
    await call('PUT', '/v1/settings', {
      mode: 'http',
      baseUrl: simulator.url,
      tokenId: simulator.token.id,
      tokenSecret: simulator.token.secret,
      node: simulator.node,
      tlsCaPem: simulator.caPem,
      tlsFingerprintSha256: '',
    });
  } else if (existsSync(join(env.SPP_DATA_DIR, 'portal.sqlite'))) {
    // A data folder left in HTTP mode by an earlier `--proxmox simulator` run goes back to the mock.
    await call('PUT', '/v1/settings', { mode: 'mock' });
  }
  let wordpress = '  WordPress:   not started (--no-wordpress)';
  if (withWordPress) {
    // Installs what is missing (Debian packages), then brings the site up signing with the sidecar's key.
    const up = spawnSync(process.execPath, [join(root, 'wp-env', 'up.mjs'), '--wp', wpVersion, '--sidecar-url', `http://${host}:${port}`], { env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`WordPress did not come up (wp-env/up.mjs exited ${up.status}):\n${up.stdout}`);
    wordpressUp = true;
    const state = JSON.parse(readFileSync(join(root, '.wp-env-state', wpVersion, 'env.json'), 'utf8'));
    const site = String(state.url ?? 'http://127.0.0.1:8888/').replace(/\/?$/, '/');
    wordpress = `  WordPress:   ${site}   (WordPress ${wpVersion}, the plugin active)
  admin page:  ${site}wp-admin/admin.php?page=support-provisioning   login admin / password
  portal page: ${site}support-portal/   logins support1 / support1-pass, support2 / support2-pass (rights are granted on the admin page)`;
  }  console.log(`
Support Provisioning Portal sidecar
${wordpress}
  sidecar:     http://${host}:${port}   (health: curl http://${host}:${port}/healthz)
  data folder: ${env.SPP_DATA_DIR}   (SQLite, generated signing key, Proxmox state)
  Proxmox:     ${
    simulator
      ? `HTTP to the Proxmox VE simulator at ${simulator.url} (token ${simulator.token.id}, trusted through its CA)`
      : 'the built-in mock (three approved templates: VMID 9001, 9002, 9003); `npm start -- --proxmox simulator` for the HTTP path'
  }

Every /v1 route needs an SPP1 signature (see README, "Signing a request"). To try one:
  npm run call -- GET /v1/me                        as a WordPress admin (bootstrap: all rights)
  npm run call -- GET /v1/templates
  npm run call -- POST /v1/deployments '{"templateId":1,"name":"repro-1","ttlHours":8}'
  npm run call -- GET /v1/deployments --as alice --id 7
  npm run call -- POST /v1/settings/test             reaches Proxmox: version, missing privileges

Ctrl+C stops everything.
`);
}

main().catch((err) => {
  console.error(err.message);
  stopAll('SIGTERM');
  process.exit(1);
});
