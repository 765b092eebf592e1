/** Shared by the benchmark's parent and child processes: the known key, the signer, and the IPC messages. */
import { encodeActor, signedRequestHeaders } from '../src/auth/canonical';

export const BENCH_KEY_ID = 'bench';
export const BENCH_KEY_HEX = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
const KEY = Buffer.from(BENCH_KEY_HEX, 'hex');

/** The signed WordPress user the list requests run as; matches the seeded users row (so touchActor writes nothing). */
export const VIEWER = { id: 1, login: 'bench.admin', email: 'bench.admin@example.com', name: 'Bench Admin', caps: [] as string[] };

const EMPTY = Buffer.alloc(0);

/** SPP1 headers for one request, with a fresh nonce and the current timestamp (as WordPress signs). */
export function signedHeaders(actorHeader: string, method: string, target: string, body: Buffer = EMPTY): Record<string, string> {
  return signedRequestHeaders({ id: BENCH_KEY_ID, secret: KEY }, { method, target, actorHeader, body, timestamp: Math.floor(Date.now() / 1000) });
}

export const viewerActorHeader = (): string => encodeActor(VIEWER);

/** Child → parent. */
export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; gc: boolean }
  | { type: 'error'; message: string };

/** Parent → child. */
export type ParentMessage = { type: 'memory' } | { type: 'close' };

/** Resident memory after a full collection (twice, so finalisers run); gc needs --expose-gc. */
export function measureMemory(): Extract<ChildMessage, { type: 'memory' }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { type: 'memory', rss: m.rss, heapUsed: m.heapUsed, gc: gc !== undefined };
}
