/**
 * Child process for the benchmark: a real sidecar (openSidecar) on an already seeded data folder,
 * listening on 127.0.0.1 at a free port, with the bench key and the mock Proxmox at 0 ms.
 * Usage (by run.ts only): node --expose-gc dist/bench/sidecar-child.js <dataDir>
 */
import type { AddressInfo } from 'node:net';
import { openSidecar } from '../src/sidecar';
import { parseKeyring } from '../src/auth/keyring';
import { silentLogger } from '../src/logger';
import { BENCH_KEY_HEX, BENCH_KEY_ID, ChildMessage, ParentMessage, measureMemory } from './common';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};

const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  process.stderr.write('sidecar-child: run by bench/run.js with a data folder and an IPC channel\n');
  process.exit(2);
}

const sidecar = openSidecar({
  dataDir,
  keyring: parseKeyring(`${BENCH_KEY_ID}:${BENCH_KEY_HEX}`),
  log: silentLogger,
  mock: { timings: { cloneMs: 0, startMs: 0, shutdownMs: 0, stopMs: 0, deleteMs: 0, agentDelayMs: 0 } },
});

const server = sidecar.app.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
server.on('error', (err) => {
  send({ type: 'error', message: err.message });
  process.exit(1);
});

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sidecar.close();
  process.exit(0);
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'memory') send(measureMemory());
  else if (m.type === 'close') void close();
});
// The parent went away: never linger.
process.on('disconnect', () => void close());
