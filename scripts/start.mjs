#!/usr/bin/env node
// `npm start`: runs the built sidecar with the embedded defaults (SQLite in .spp-data/, the mock
// Proxmox) and prints where it listens and how to send a signed request.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, SPP_DATA_DIR: process.env.SPP_DATA_DIR ?? join(root, '.spp-data') };
const host = env.SPP_SIDECAR_HOST ?? '127.0.0.1';
const port = env.SPP_SIDECAR_PORT ?? '8787';

const child = spawn(process.execPath, [join(root, 'sidecar', 'dist', 'src', 'main.js')], { env, stdio: 'inherit' });
setTimeout(() => {
  if (child.exitCode !== null) return;
  console.log(`
Support Provisioning Portal sidecar
  listening:   http://${host}:${port}   (health: curl http://${host}:${port}/healthz)
  data folder: ${env.SPP_DATA_DIR}   (SQLite, generated signing key, mock Proxmox state)
  Proxmox:     the built-in mock (three approved templates: VMID 9001, 9002, 9003)

Every /v1 route needs an SPP1 signature (see README, "Signing a request"). To try one:
  npm run call -- GET /v1/me                        as a WordPress admin (bootstrap: all rights)
  npm run call -- GET /v1/templates
  npm run call -- POST /v1/deployments '{"templateId":1,"name":"repro-1","ttlHours":8}'
  npm run call -- GET /v1/deployments --as alice --id 7

WordPress and the UI arrive with the plugin; until then the sidecar runs alone. Ctrl+C stops it.
`);
}, 1500);
const stop = (sig) => child.kill(sig);
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
