/**
 * The HTTP client as a long-lived sidecar uses it: many calls per client over several connections, with
 * pauses longer than keep-alive, pveproxy closing idle and errored connections and a server-side drop in
 * between, in every trust mode and both PVE versions. A test of one call on a fresh client proves only the
 * first connection; these prove the hundredth and the one after a pause (a pinned certificate once worked
 * for the first connection only, because the second resumed a TLS session and showed no certificate).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_HTTP_PROXMOX, type HttpProxmox } from '../../src/proxmox/http/http-proxmox';
import { simulatorClient } from '../support/simulator-client';
import { ProxmoxError } from '../../src/proxmox/client';
import type { TlsTrust } from '../../src/proxmox/http/tls-trust';
import { Simulator, SimVersion, startSimulator } from '../../simulator';

const FAST = { cloneMs: 30, startMs: 10, shutdownMs: 10, stopMs: 10, deleteMs: 10, configMs: 5, agentDelayMs: 0, failFastMs: 5 };
/** Shortened pveproxy: idle close after 300 ms, `Connection: close` on every 8th request. */
const SERVER_IDLE_MS = 300;
const KEEP_ALIVE_REQUESTS = 8;

type Mode = 'system store' | 'CA' | 'pin' | 'wrong pin' | 'wrong CA';
const MODES: Mode[] = ['system store', 'CA', 'pin', 'wrong pin', 'wrong CA'];

let dir: string;
let otherSim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spp-tls-'));
  otherSim = await startSimulator({ unauthorizedDelayMs: 0 }); // only its CA and certificate are used
});
afterAll(async () => {
  delete process.env['SSL_CERT_FILE'];
  await otherSim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The trust settings of a mode; 'system store' puts the simulator's CA into the file OpenSSL's SSL_CERT_FILE names. */
function trustFor(mode: Mode, sim: Simulator): TlsTrust {
  delete process.env['SSL_CERT_FILE'];
  switch (mode) {
    case 'system store': {
      const file = join(dir, `store-${sim.version}.pem`);
      writeFileSync(file, sim.caPem);
      process.env['SSL_CERT_FILE'] = file;
      return { caPem: '', fingerprintSha256: '' };
    }
    case 'CA':
      return { caPem: sim.caPem, fingerprintSha256: '' };
    case 'pin':
      return { caPem: '', fingerprintSha256: sim.certFingerprint256 };
    case 'wrong pin':
      return { caPem: '', fingerprintSha256: otherSim.certFingerprint256 };
    case 'wrong CA':
      return { caPem: otherSim.caPem, fingerprintSha256: '' };
  }
}

function client(sim: Simulator, trust: TlsTrust, keepAliveMs: number): HttpProxmox {
  return simulatorClient(sim, { trust, taskPollMs: 5, keepAliveMs });
}

async function outcome<T>(p: Promise<T>): Promise<T | ProxmoxError> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ProxmoxError) return err;
    throw err;
  }
}

/** A day of the sidecar in miniature; each step is one or more calls, and each step's results are kept. */
async function aLongLife(sim: Simulator, px: HttpProxmox, gapMs: number): Promise<Array<{ step: string; result: unknown }>> {
  const results: Array<{ step: string; result: unknown }> = [];
  const step = async (name: string, work: () => Promise<unknown>) => results.push({ step: name, result: await outcome(work()) });
  for (let i = 0; i < 3 * KEEP_ALIVE_REQUESTS; i++) await step(`read ${i}`, () => (i % 2 === 0 ? px.version() : px.listVms()));
  await step('clone', async () => px.waitTask(await px.cloneTemplate({ templateVmid: 9003, newVmid: 140, name: 'long-life' }), 5_000));
  await step('configure', () => px.configureVm(140, { cores: 2, memoryMb: 2048, tags: ['spp'] }));
  await sleep(gapMs); // the server has closed the idle connection
  await step('start after a pause', async () => px.waitTask(await px.startVm(140), 5_000));
  await step('an error answer (Connection: close)', () => px.vmState(999_999).then((s) => s === null));
  await step('read after the error', () => px.vmState(140).then((s) => s?.status));
  sim.dropConnections(); // pveproxy restarted or recycled its worker
  await step('stop after a server-side drop', async () => px.waitTask(await px.stopVm(140), 5_000));
  await sleep(gapMs);
  await step('delete after a second pause', async () => px.waitTask(await px.deleteVm(140), 5_000));
  for (let i = 0; i < KEEP_ALIVE_REQUESTS + 2; i++) await step(`last read ${i}`, () => px.vmState(140));
  return results;
}

describe.each<SimVersion>(['8.4', '9.1'])('one client, many calls, many connections (PVE %s)', (version) => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ version, unauthorizedDelayMs: 0, timings: FAST, idleTimeoutMs: SERVER_IDLE_MS, keepAliveRequests: KEEP_ALIVE_REQUESTS });
  });
  afterEach(async () => {
    await sim.close();
  });

  test.each(MODES)('trust by %s: every call has the same outcome, over every connection', async (mode) => {
    // The client keeps idle connections longer than the server, so the server is the one closing them.
    const px = client(sim, trustFor(mode, sim), 2 * SERVER_IDLE_MS);
    try {
      const results = await aLongLife(sim, px, SERVER_IDLE_MS + 150);
      const failures = results.filter((r) => r.result instanceof ProxmoxError);
      let stats = sim.connections();
      if (mode === 'wrong pin' || mode === 'wrong CA') {
        // Refused on every connection, and the token never reached the server.
        expect(failures).toHaveLength(results.length);
        for (const f of failures) expect((f.result as ProxmoxError).kind).toBe('tls');
        expect(sim.requests()).toHaveLength(0);
        // Each call tried a new connection and refused it again: no verdict is cached, none is skipped.
        await sleep(50); // the server hears of the last refusal a moment after the client
        stats = sim.connections();
        expect(stats.accepted).toBe(0);
        expect(stats.refusedHandshakes).toBeGreaterThanOrEqual(results.length);
        return;
      }
      expect(failures.map((f) => `${f.step}: ${(f.result as Error).message}`)).toEqual([]);
      expect(results.find((r) => r.step === 'clone')?.result).toEqual({ ok: true, exitStatus: 'OK' });
      expect(results.find((r) => r.step === 'an error answer (Connection: close)')?.result).toBe(true);
      expect(results.find((r) => r.step === 'read after the error')?.result).toBe('running');
      expect(results.at(-1)?.result).toBeNull();
      // It really crossed connections: keep-alive limits, idle closes, an error close and the drop.
      expect(stats.accepted).toBeGreaterThanOrEqual(8);
      expect(stats.closedByServer).toBeGreaterThanOrEqual(7);
      // Resumption where it is safe (a verified chain); never with a pin, whose check needs the certificate.
      if (mode === 'pin') expect(stats.resumed).toBe(0);
      else expect(stats.resumed).toBeGreaterThan(0);
    } finally {
      await px.close();
      delete process.env['SSL_CERT_FILE'];
    }
  });

  test('a pin keeps trusting exactly that certificate: the same client meeting another server on that port is refused', async () => {
    const px = client(sim, { caPem: '', fingerprintSha256: sim.certFingerprint256 }, 2 * SERVER_IDLE_MS);
    let impostor: Simulator | null = null;
    try {
      expect((await px.version()).version.startsWith(version)).toBe(true);
      await sleep(SERVER_IDLE_MS + 150);
      expect((await px.version()).version.startsWith(version)).toBe(true);
      // The server is replaced, as by someone taking over the address: same host and port, its own certificate.
      const { hostname, port } = new URL(sim.url);
      await sim.close();
      impostor = await startSimulator({ version, unauthorizedDelayMs: 0, host: hostname, port: Number(port) });
      for (let i = 0; i < 3; i++) {
        const err = await outcome(px.version());
        expect(err).toBeInstanceOf(ProxmoxError);
        expect((err as ProxmoxError).kind).toBe('tls');
        await sleep(50);
      }
      expect(impostor.requests()).toHaveLength(0); // the token never reached it
    } finally {
      await px.close();
      await impostor?.close();
    }
  });

  test("with pveproxy's real timings (idle close at 5 s, no keep-alive hint) and the client's defaults", async () => {
    await sim.close();
    sim = await startSimulator({ version, unauthorizedDelayMs: 0, timings: FAST });
    const px = client(sim, { caPem: '', fingerprintSha256: sim.certFingerprint256 }, DEFAULT_HTTP_PROXMOX.keepAliveMs);
    try {
      const seen: unknown[] = [];
      seen.push(await outcome(px.cloneTemplate({ templateVmid: 9003, newVmid: 150, name: 'real-timings' }).then((t) => px.waitTask(t, 5_000))));
      // 4 s: the client has let the connection go (3 s); 5.5 s: pveproxy has closed it too.
      for (const [pauseMs, power] of [[4_000, 'start'], [5_500, 'stop'], [0, 'start']] as const) {
        await sleep(pauseMs);
        seen.push(await outcome(px.version()));
        seen.push(await outcome((power === 'start' ? px.startVm(150) : px.stopVm(150)).then((t) => px.waitTask(t, 5_000))));
      }
      expect(seen.filter((s) => s instanceof ProxmoxError)).toEqual([]);
      expect(seen.filter((s) => (s as { ok?: boolean }).ok === false)).toEqual([]);
      expect(sim.connections().resumed).toBe(0);
      expect(sim.connections().accepted).toBeGreaterThanOrEqual(3);
    } finally {
      await px.close();
    }
  }, 20_000);
});
