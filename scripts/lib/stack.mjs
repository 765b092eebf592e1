// What the scripts that bring up a test stack (plugin tests, browser tests, the WordPress bench) share:
// the built sidecar as a child process, command runs and their output (ports and waiting: @spp/tools).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '@spp/tools';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SIDECAR_MAIN = join(ROOT, 'sidecar', 'dist', 'src', 'main.js');

export function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, ...opts });
}

export function tail(text, n) {
  return String(text ?? '').trim().split('\n').slice(-n).join('\n');
}

/** `--name value` or `--name=value` from argv; undefined when absent. */
export function optionReader(args) {
  return (name) => {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i === -1) return undefined;
    return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
  };
}

/**
 * The built sidecar (its built-in mock Proxmox) as a child process logging to `<dataDir>/sidecar.log`,
 * started and answering /healthz when this resolves. start() and stop() may be called again (same port and data).
 */
export async function startSidecar({ dataDir, port, keyId, key }) {
  const logFile = join(dataDir, 'sidecar.log');
  let child = null;
  const api = {
    async start() {
      const fd = openSync(logFile, 'a');
      child = spawn(process.execPath, [SIDECAR_MAIN], {
        env: {
          PATH: process.env.PATH ?? '', SPP_DATA_DIR: dataDir, SPP_SIDECAR_HOST: '127.0.0.1', SPP_SIDECAR_PORT: String(port),
          SPP_SIGNING_KEYS: `${keyId}:${key}`, SPP_PROXMOX_POLL_MS: '50',
        },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const deadline = Date.now() + 20000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the sidecar exited with ${child.exitCode}:\n${tail(readFileSync(logFile, 'utf8'), 15)}`);
        try {
          if ((await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
        } catch {
          /* not yet */
        }
        if (Date.now() > deadline) {
          await api.stop();
          throw new Error(`the sidecar did not answer /healthz within 20 s (log ${logFile})`);
        }
        await sleep(50);
      }
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
  await api.start();
  return api;
}
