/**
 * Provisioning against the Proxmox simulator with realistic task times (clone 3 s, start 1 s, the guest
 * agent answering 2 s after start), the portal in HTTP mode, both in this process:
 *  - one deployment from POST /deployments, through a start asked as soon as it is STOPPED, to RUNNING with
 *    an IP, against the sum of the simulated task times;
 *  - 50 parallel creates: the makespan against the simulator's ideal one (clones of one template cannot
 *    overlap on Proxmox's storage lock, so the ideal is the longest per-template chain of clones).
 */
import { waitFor } from '@spp/tools';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { openSidecar } from '../src/sidecar';
import { parseKeyring } from '../src/auth/keyring';
import { encodeActor } from '../src/auth/canonical';
import { silentLogger } from '../src/logger';
import { BENCH_KEY_HEX, BENCH_KEY_ID, signedHeaders } from './common';
import { REALISTIC_TIMINGS, startSimulator, portalSettingsFor } from '../simulator';

// Nobody holds rights.manage in a new database, so a WordPress administrator holds every right (bootstrap).
// Ten of them, as the creates' rate limit is per user (a burst of 10).
const admin = (id: number): string => encodeActor({ id, login: `bench.admin${id}`, email: `bench.admin${id}@example.com`, name: `Bench Admin ${id}`, caps: ['manage_options'] });
const ADMIN = admin(1);
const USERS = Array.from({ length: 10 }, (_, i) => admin(i + 1));
const PARALLEL = 50;
const WATCH_MS = 20; // how often the bench itself looks; small next to the task times

export interface ProvisioningFigures {
  singleMs: number;
  singleIdealMs: number;
  makespanMs: number;
  makespanIdealMs: number;
  clonesPerTemplate: number[];
}

async function call(origin: string, method: string, target: string, body?: unknown, actor = ADMIN): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = signedHeaders(actor, method, target, bytes);
  if (bytes.length > 0) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${target}`, { method, headers, body: bytes.length > 0 ? bytes : undefined });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

const until = <T>(what: string, probe: () => Promise<T | null>, maxMs: number) => waitFor(`bench: ${what}`, probe, { timeoutMs: maxMs, intervalMs: WATCH_MS });

export async function benchProvisioning(dir: string, log: (line: string) => void): Promise<ProvisioningFigures> {
  mkdirSync(dir, { recursive: true });
  const timings = REALISTIC_TIMINGS;
  const sim = await startSimulator({ version: '9.1', unauthorizedDelayMs: 0, timings });
  const sidecar = openSidecar({ dataDir: dir, keyring: parseKeyring(`${BENCH_KEY_ID}:${BENCH_KEY_HEX}`), log: silentLogger });
  const server: Server = await new Promise((resolve) => {
    const s = sidecar.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const put = await call(origin, 'PUT', '/v1/settings', {
      ...portalSettingsFor(sim),
      defaultUserRamLimitMb: 0,
      globalRamLimitMb: 0,
    });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${JSON.stringify(put.json)}`);

    // 1. One deployment, start asked as soon as it is STOPPED, until RUNNING with an IP.
    const t0 = performance.now();
    const created = await call(origin, 'POST', '/v1/deployments', { templateId: 3, name: 'bench-single', ttlHours: 2 });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
    const id = created.json.id as number;
    await until('STOPPED', async () => ((await call(origin, 'GET', `/v1/deployments/${id}`)).json.status === 'STOPPED' ? true : null), 30_000);
    const started = await call(origin, 'POST', `/v1/deployments/${id}/start`);
    if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.json)}`);
    await until('an IP', async () => {
      const d = (await call(origin, 'GET', `/v1/deployments/${id}`)).json;
      return d.status === 'RUNNING' && d.ipAddresses.length > 0 ? true : null;
    }, 30_000);
    const singleMs = performance.now() - t0;
    const singleIdealMs = (timings.cloneMs ?? 0) + (timings.startMs ?? 0) + (timings.agentDelayMs ?? 0);
    log(`4. one deployment to RUNNING with an IP in ${Math.round(singleMs)} ms (task times ${singleIdealMs} ms)`);

    // 2. 50 parallel creates over the three templates.
    const t1 = performance.now();
    const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, k) => call(origin, 'POST', '/v1/deployments', { templateId: 1 + (k % 3), name: `bench-par-${k}`, ttlHours: 2 }, USERS[k % USERS.length])));
    const ids = answers.map((a) => {
      if (a.status !== 201) throw new Error(`parallel create: ${a.status} ${JSON.stringify(a.json)}`);
      return a.json.id as number;
    });
    await until(
      `${PARALLEL} deployments STOPPED`,
      async () => {
        const page = (await call(origin, 'GET', '/v1/deployments?per_page=100&status=PROVISIONING')).json as unknown[];
        return page.length === 0 ? true : null;
      },
      10 * 60_000,
    );
    const makespanMs = performance.now() - t1;
    const failed = ids.filter((i) => sidecar.services.portal.deployments.get(i)?.status !== 'STOPPED');
    if (failed.length > 0) throw new Error(`${failed.length} parallel creates did not reach STOPPED`);
    const clonesPerTemplate = [0, 1, 2].map((t) => ids.filter((_, k) => k % 3 === t).length);
    const makespanIdealMs = Math.max(...clonesPerTemplate) * (timings.cloneMs ?? 0);
    log(`5. ${PARALLEL} parallel creates done in ${Math.round(makespanMs)} ms (ideal ${makespanIdealMs} ms)`);
    return { singleMs, singleIdealMs, makespanMs, makespanIdealMs, clonesPerTemplate };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sidecar.close();
    await sim.close();
  }
}
