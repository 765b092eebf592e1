/**
 * A real sidecar for tests: real SQLite in a temporary folder, the mock Proxmox with short timings,
 * listening on a loopback port, and a client that signs requests exactly as WordPress does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { openSidecar, Sidecar } from '../../src/sidecar';
import { parseKeyring } from '../../src/auth/keyring';
import { encodeActor, signedRequestHeaders } from '../../src/auth/canonical';
import { silentLogger, Logger } from '../../src/logger';
import type { Right, RateGroup } from '@spp/contract';
import { writeTx } from '../../src/db/open';
import type { RateLimit } from '../../src/http/rate-limit';
import type { HttpTuning } from '../../src/domain/proxmox-connection';
import type { Timings } from '../../src/domain/portal';
import type { HostAllowList } from '../../src/proxmox/host-allow-list';

export const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

export interface TestUser {
  id: number;
  login: string;
  email: string;
  name: string;
  caps: string[];
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  text: string;
}

export interface HarnessOptions {
  log?: Logger;
  rateLimits?: Partial<Record<RateGroup, RateLimit>>;
  startAt?: number;
  /** Mock Proxmox task durations, where a test needs a step to take a while. */
  mockTimings?: { cloneMs?: number; startMs?: number; shutdownMs?: number; stopMs?: number; deleteMs?: number; agentDelayMs?: number };
  /** HTTP Proxmox client tuning, for tests against the simulator (settings switch it on). */
  httpProxmox?: HttpTuning;
  /** Portal timings beyond the short defaults of tests. */
  timings?: Partial<Timings>;
  /** SPP_PROXMOX_HOSTS, parsed. */
  proxmoxHosts?: HostAllowList;
}

const GENEROUS: Record<RateGroup, RateLimit> = {
  create: { burst: 10_000, perMinute: 10_000 },
  lifecycle: { burst: 10_000, perMinute: 10_000 },
  share: { burst: 10_000, perMinute: 10_000 },
};

/** Status, headers, the text and its JSON (null when it is not JSON). */
export async function readAnswer(res: Response): Promise<Answer> {
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export class Harness {
  readonly dir: string;
  readonly sidecar: Sidecar;
  private server!: Server;
  baseUrl = '';
  /** The injected clock; tests move it with advance(). */
  now: number;

  constructor(o: HarnessOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'spp-test-'));
    this.now = o.startAt ?? Date.parse('2026-11-23T08:00:00Z');
    this.sidecar = openSidecar({
      dataDir: this.dir,
      keyring: parseKeyring(`k1:${KEY_HEX}`),
      log: o.log ?? silentLogger,
      clock: () => this.now,
      mock: { timings: { cloneMs: 5, startMs: 5, shutdownMs: 5, stopMs: 5, deleteMs: 5, agentDelayMs: 0, ...o.mockTimings } },
      timings: { ipPollIntervalMs: 5, ipPollTimeoutMs: 2000, vmPollMs: 5, lockRetryDelaysMs: [5, 5, 5], ...o.timings },
      rateLimits: { ...GENEROUS, ...o.rateLimits },
      httpProxmox: { taskPollMs: 10, retryDelaysMs: [10, 20], timeoutMs: 5_000, ...o.httpProxmox },
      proxmoxHosts: o.proxmoxHosts ?? null,
    });
  }

  static async start(o: HarnessOptions = {}): Promise<Harness> {
    const h = new Harness(o);
    await new Promise<void>((resolve) => {
      h.server = h.sidecar.app.listen(0, '127.0.0.1', () => resolve());
    });
    h.baseUrl = `http://127.0.0.1:${(h.server.address() as AddressInfo).port}`;
    return h;
  }

  get portal() {
    return this.sidecar.services.portal;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.sidecar.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Puts a user into the directory with the given rights (as WordPress sync and an admin would). */
  user(id: number, login: string, rights: readonly Right[], caps: string[] = []): TestUser {
    const u = { id, login, email: `${login}@example.com`, name: `${login[0]?.toUpperCase()}${login.slice(1)} Support`, caps };
    writeTx(this.portal.db, () => {
      this.portal.users.upsert(u, this.now);
      this.portal.users.setRights(id, rights);
    });
    return u;
  }

  /** Signs and sends a request as WordPress would for `actor` (or the system actor). */
  async call(actor: TestUser | { id: 0; system: true }, method: string, target: string, body?: unknown, tweak?: (h: Record<string, string>) => void): Promise<Answer> {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    const headers = signedHeaders(actor, method, target, bytes, Math.floor(this.now / 1000));
    if (bytes.length > 0) headers['Content-Type'] = 'application/json';
    tweak?.(headers);
    return this.raw(method, target, headers, bytes);
  }

  async raw(method: string, target: string, headers: Record<string, string>, bytes: Buffer): Promise<Answer> {
    return readAnswer(await fetch(`${this.baseUrl}${target}`, { method, headers, body: bytes.length > 0 ? bytes : undefined }));
  }

  /** Waits for background work (provisioning, IP polling, expiry stops). */
  idle(): Promise<void> {
    return this.sidecar.services.background.idle();
  }

  /** Writes the counted repeats of refusals now (the sidecar's sweep timer does it every interval). */
  flushRefusals(): void {
    this.portal.audit.flushRepeats(Number.POSITIVE_INFINITY);
  }

  /** How many refusals rows stand for: a first one counts one, a counted row its `repeated`. */
  static refusalsIn(rows: Array<{ details: string }>): number {
    return rows.reduce((n, r) => n + ((JSON.parse(r.details) as { repeated?: number }).repeated ?? 1), 0);
  }

  auditRows(): Array<{ id: number; action: string; result: string; status: number | null; actor_id: number | null; deployment_id: number | null; details: string }> {
    return this.portal.db.prepare('SELECT * FROM audit_log ORDER BY id').all() as never;
  }
}

export function signedHeaders(actor: object, method: string, target: string, body: Buffer, timestamp: number, keyId = 'k1', keyHex = KEY_HEX): Record<string, string> {
  return signedRequestHeaders({ id: keyId, secret: Buffer.from(keyHex, 'hex') }, { method, target, actorHeader: encodeActor(actor), body, timestamp });
}

export const SYSTEM = { id: 0 as const, system: true as const };
