/**
 * A bounded closed-loop load generator: `concurrency` workers over one keep-alive undici Pool, each
 * signing a fresh request (new nonce, new signature) before sending it, reading the whole body, and
 * recording the latency from send to last byte. Stops after `count` requests or `maxMs`, whichever first.
 */
import { Pool } from 'undici';
import { signedHeaders } from './common';

export interface LoadOptions {
  origin: string;
  target: string;
  actorHeader: string;
  concurrency: number;
  count: number;
  maxMs: number;
  /** Expected status; anything else counts as an error. */
  expectStatus?: number;
}

export interface LoadResult {
  done: number;
  errors: number;
  firstError: string | null;
  wallMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  bytes: number;
  timedOut: boolean;
  /** Every latency in ms, sorted ascending (for pooling rounds). */
  latencies: Float64Array;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(o.origin, { connections: o.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = new Float64Array(o.count);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let bytes = 0;
  let firstError: string | null = null;
  let timedOut = false;
  const expect = o.expectStatus ?? 200;
  const start = performance.now();
  const deadline = start + o.maxMs;

  const worker = async (): Promise<void> => {
    while (issued < o.count) {
      if (performance.now() > deadline) {
        timedOut = true;
        return;
      }
      issued++;
      const headers = signedHeaders(o.actorHeader, 'GET', o.target);
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: o.target, method: 'GET', headers });
        const body = Buffer.from(await res.body.arrayBuffer());
        if (res.statusCode !== expect) {
          errors++;
          firstError ??= `HTTP ${res.statusCode}: ${body.toString('utf8').slice(0, 300)}`;
        }
        bytes += body.length;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      latencies[done++] = performance.now() - t0;
    }
  };

  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    await pool.close();
  }
  const wallMs = performance.now() - start;
  const sorted = latencies.slice(0, done).sort();
  return { done, errors, firstError, wallMs, rps: (done / wallMs) * 1000, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), bytes, timedOut, latencies: sorted };
}
