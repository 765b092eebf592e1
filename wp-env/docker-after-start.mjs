#!/usr/bin/env node
// For @wordpress/env (Docker) users only: .wp-env.json runs this after `wp-env start`. It gives the container's
// WordPress the sidecar key this checkout's sidecar uses (same resolution as wp-env/up.mjs: SPP_SIDECAR_KEY_ID +
// SPP_SIDECAR_KEY, else SPP_SIGNING_KEYS, else .spp-data/signing-key, created if absent), then runs
// wp-env/php/provision.php in the cli container: demo support users, the "Support Portal" page, plugin activation.
// The native route (wp-env/up.mjs) does not use this file.
import { spawnSync } from 'node:child_process';
import { ROOT, resolveSidecar } from './lib.mjs';

// The container reaches the host's sidecar through host.docker.internal (see .wp-env.json); only the key is synced here.
const sidecar = resolveSidecar({ url: process.env.SPP_SIDECAR_URL ?? 'http://host.docker.internal:8787' });
const wpEnv = (args) => {
  // `npx @wordpress/env start` puts wp-env on the PATH of its lifecycle scripts; fall back to npx otherwise.
  let r = spawnSync('wp-env', args, { cwd: ROOT, stdio: 'inherit' });
  if (r.error?.code === 'ENOENT') r = spawnSync('npx', ['--no-install', '@wordpress/env', ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`wp-env ${args.join(' ')} failed (exit ${r.status ?? r.error?.message})`);
    process.exit(1);
  }
};
for (const [name, value] of [['SPP_SIDECAR_URL', sidecar.url], ['SPP_SIDECAR_KEY_ID', sidecar.keyId], ['SPP_SIDECAR_KEY', sidecar.key]]) {
  wpEnv(['run', 'cli', 'wp', 'config', 'set', name, value, '--type=constant', '--quiet']);
}
wpEnv(['run', 'cli', 'wp', 'eval-file', 'wp-content/spp-wp-env/provision.php']);
console.log(`wp-env (Docker): sidecar key ${sidecar.keyId} from ${sidecar.source}; logins admin/password, support1/support1-pass, support2/support2-pass, support3/support3-pass`);
