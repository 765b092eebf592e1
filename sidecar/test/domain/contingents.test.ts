import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { writeTx } from '../../src/db/open';

const LINUX = 3; // seeded: Linux Utility VM, 4096 MB, no TTL maximum

describe('RAM contingents', () => {
  let h: Harness;
  let admin: TestUser;
  beforeEach(async () => {
    h = await Harness.start();
    admin = h.user(1, 'admin', ALL_RIGHTS);
  });
  afterEach(() => h.stop());

  const users = (n: number) => Array.from({ length: n }, (_, i) => h.user(100 + i, `user${i}`, ['portal.view', 'deployments.create', 'deployments.prolong']));

  it('30 parallel creates by one user never oversubscribe the per-user limit', async () => {
    await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 4096 * 5 });
    const [u] = users(1);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => h.call(u!, 'POST', '/v1/deployments', { templateId: LINUX, name: `par-${i}` })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(25);
    expect(refused[0]!.body.code).toBe('spp_quota_exceeded');
    expect(refused[0]!.body.message).toMatch(/RAM contingent of this user is 20480 MB with 20480 MB in use/);
    expect(h.portal.contingents.quota(u!.id).user).toEqual({ limitMb: 20480, usedMb: 20480, availableMb: 0 });
    h.flushRefusals();
    // Every refusal is audited: the first as a row, the 24 repeats within the minute as one counted row.
    const rows = h.auditRows().filter((r) => r.action === 'deployment.create' && r.result === 'refused' && r.status === 409);
    expect(rows).toHaveLength(2);
    expect(Harness.refusalsIn(rows)).toBe(25);
    await h.idle();
  });

  it('30 parallel creates by ten users never oversubscribe the global limit', async () => {
    await h.call(admin, 'PUT', '/v1/settings', { globalRamLimitMb: 4096 * 7, defaultUserRamLimitMb: 0 });
    const many = users(10);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => h.call(many[i % 10]!, 'POST', '/v1/deployments', { templateId: LINUX, name: `g-${i}` })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(7);
    expect(answers.filter((a) => a.status === 409).every((a) => /global RAM contingent/.test(a.body.message))).toBe(true);
    expect(h.portal.deployments.usedMemoryMbGlobal()).toBe(4096 * 7);
    await h.idle();
  });

  it('a per-user override beats the default, 0 means unlimited, and GET /quota reports both', async () => {
    const [u] = users(1);
    await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 1024 });
    expect((await h.call(u!, 'POST', '/v1/deployments', { templateId: LINUX, name: 'too-big' })).status).toBe(409);
    await h.call(admin, 'PUT', `/v1/users/${u!.id}`, { rights: ['portal.view', 'deployments.create'], ramLimitMb: 0 });
    expect((await h.call(u!, 'POST', '/v1/deployments', { templateId: LINUX, name: 'fits' })).status).toBe(201);
    const q = await h.call(u!, 'GET', '/v1/quota');
    expect(q.body).toEqual({ user: { limitMb: null, usedMb: 4096, availableMb: null }, global: { limitMb: null, usedMb: 4096, availableMb: null } });
    await h.idle();
  });

  it('prolonging an EXPIRED deployment checks the contingent again', async () => {
    const [u] = users(1);
    await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 4096 });
    const first = await h.call(u!, 'POST', '/v1/deployments', { templateId: LINUX, name: 'first', ttlHours: 1 });
    await h.idle();
    h.advance(2 * 3_600_000);
    await h.sidecar.services.expiry.sweep();
    expect(h.portal.deployments.get(first.body.id)?.status).toBe('EXPIRED');
    // EXPIRED no longer counts, so a second one fits…
    expect((await h.call(u!, 'POST', '/v1/deployments', { templateId: LINUX, name: 'second' })).status).toBe(201);
    await h.idle();
    // …and the first cannot come back while the second holds the contingent.
    const prolong = await h.call(u!, 'POST', `/v1/deployments/${first.body.id}/prolong`, { ttlHours: 2 });
    expect(prolong.status).toBe(409);
    expect(prolong.body.code).toBe('spp_quota_exceeded');
    expect(h.portal.deployments.get(first.body.id)?.status).toBe('EXPIRED');
    writeTx(h.portal.db, () => h.portal.users.setRamLimit(u!.id, 8192, h.now));
    const ok = await h.call(u!, 'POST', `/v1/deployments/${first.body.id}/prolong`, { ttlHours: 2 });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('STOPPED');
  });
});
