/**
 * The portal over HTTP with the Proxmox certificate pinned, used the way a team uses it through a day:
 * Test connection, the template import, creates, starts and stops, with pauses in between longer than
 * pveproxy keeps an idle connection, and pveproxy restarted once. Each call after the first connection
 * must be trusted as the first was (a pinned client once trusted its first connection only).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { Simulator, SimVersion, startSimulator } from '../../simulator';

const TIMINGS = { cloneMs: 20, startMs: 5, shutdownMs: 5, stopMs: 5, deleteMs: 5, configMs: 2, agentDelayMs: 0, failFastMs: 2 };
const IDLE_MS = 200;
const LINUX = 3;

describe.each<SimVersion>(['8.4', '9.1'])('a pinned certificate, all day long (PVE %s)', (version) => {
  let sim: Simulator;
  let h: Harness;
  let admin: TestUser;

  beforeAll(async () => {
    sim = await startSimulator({ version, unauthorizedDelayMs: 0, timings: TIMINGS, serializeCloneLocks: true, idleTimeoutMs: IDLE_MS });
    h = await Harness.start({ httpProxmox: { timeoutMs: 2_000, retryDelaysMs: [5, 10], taskPollMs: 5 } });
    admin = h.user(1, 'admin', ALL_RIGHTS);
    const put = await h.call(admin, 'PUT', '/v1/settings', {
      mode: 'http',
      baseUrl: sim.url,
      tokenId: sim.token.id,
      tokenSecret: sim.token.secret,
      node: sim.node,
      tlsCaPem: '',
      tlsFingerprintSha256: sim.certFingerprint256,
      defaultUserRamLimitMb: 0,
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await h.stop();
    await sim.close();
  });

  test('Test connection, import, create, start, stop and delete keep working across reconnects', async () => {
    const pause = () => sleep(IDLE_MS + 100);
    const test = await h.call(admin, 'POST', '/v1/settings/test');
    expect(test.body).toMatchObject({ ok: true, error: null, missingPrivileges: [], missingTemplates: [] });
    expect(test.body.version.startsWith(version)).toBe(true);
    await pause();
    const again = await h.call(admin, 'POST', '/v1/settings/test');
    expect(again.body).toMatchObject({ ok: true, error: null });
    await pause();
    const importable = await h.call(admin, 'GET', '/v1/admin/proxmox-templates');
    expect(importable.status).toBe(200);
    expect(importable.body.map((t: { vmid: number }) => t.vmid)).toEqual(expect.arrayContaining([9001, 9002, 9003]));

    for (const name of ['pin-a', 'pin-b', 'pin-c']) {
      await pause();
      const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: LINUX, name, ttlHours: 2 });
      expect(c.status).toBe(201);
      await h.idle();
      expect(h.portal.deployments.get(c.body.id)).toMatchObject({ status: 'STOPPED', lastError: null });
      await pause();
      if (name === 'pin-b') sim.dropConnections(); // pveproxy restarted meanwhile
      const start = await h.call(admin, 'POST', `/v1/deployments/${c.body.id}/start`);
      expect(start.body).toMatchObject({ status: 'RUNNING' });
      await h.idle();
      await pause();
      const stop = await h.call(admin, 'POST', `/v1/deployments/${c.body.id}/stop`);
      expect(stop.body).toMatchObject({ status: 'STOPPED' });
      await pause();
      const del = await h.call(admin, 'DELETE', `/v1/deployments/${c.body.id}`);
      expect(del.status).toBe(200);
    }
    const stats = sim.connections();
    expect(stats.accepted).toBeGreaterThanOrEqual(10);
    expect(stats.resumed).toBe(0);
    expect(sim.vms().filter((v) => !v.template)).toEqual([]);
    const failed = h.auditRows().filter((r) => r.result === 'failed');
    expect(failed).toEqual([]);
  }, 30_000);
});
