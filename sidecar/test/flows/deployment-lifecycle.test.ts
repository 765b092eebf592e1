import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { verifyAuditChain } from '../../src/audit/audit-verify';

describe('a deployment from create to delete', () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;

  beforeEach(async () => {
    h = await Harness.start();
    alice = h.user(7, 'alice', ['portal.view', 'deployments.create', 'deployments.start', 'deployments.stop', 'deployments.prolong', 'deployments.refresh_ips', 'deployments.delete']);
    bob = h.user(8, 'bob', ['portal.view', 'deployments.start']);
  });
  afterEach(() => h.stop());

  it('provisions, starts with an IP, stops, prolongs, shares and deletes', async () => {
    const templates = await h.call(alice, 'GET', '/v1/templates');
    expect(templates.status).toBe(200);
    expect(templates.body.map((t: { name: string }) => t.name)).toEqual(['Linux Utility VM', 'Turnkey PBX Test Appliance', 'Windows Support Client']);
    const linux = templates.body.find((t: { proxmoxVmid: number }) => t.proxmoxVmid === 9003);

    const created = await h.call(alice, 'POST', '/v1/deployments', { templateId: linux.id, name: 'repro-4711', ttlHours: 8 });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/deployments/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'PROVISIONING', memoryMb: 4096, cores: 2, diskGb: 32, owner: { login: 'alice' }, expiresAt: '2026-11-23T16:00:00.000Z' });
    const id = created.body.id;

    await h.idle();
    let d = await h.call(alice, 'GET', `/v1/deployments/${id}`);
    expect(d.body.status).toBe('STOPPED');
    expect(d.body.vmid).toBeGreaterThanOrEqual(100);
    expect(d.body.can).toEqual({ start: true, stop: false, prolong: true, refreshIps: true, delete: true, share: true });
    expect(h.sidecar.mock.vms().map((v) => v.name)).toEqual(['repro-4711']);

    d = await h.call(alice, 'POST', `/v1/deployments/${id}/start`);
    expect(d.status).toBe(200);
    expect(d.body.status).toBe('RUNNING');
    await h.idle();
    d = await h.call(alice, 'GET', `/v1/deployments/${id}`);
    expect(d.body.ipAddresses).toHaveLength(1);
    expect(d.body.ipAddresses[0]).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);

    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).status).toBe(409);
    d = await h.call(alice, 'POST', `/v1/deployments/${id}/stop`);
    expect(d.body.status).toBe('STOPPED');

    d = await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 4 });
    expect(d.body.expiresAt).toBe('2026-11-23T20:00:00.000Z');

    expect((await h.call(bob, 'GET', `/v1/deployments/${id}`)).status).toBe(404);
    const share = await h.call(alice, 'POST', `/v1/deployments/${id}/shares`, { user: 'BOB@example.com' });
    expect(share.status).toBe(201);
    expect(share.body.user.login).toBe('bob');
    const seen = await h.call(bob, 'GET', '/v1/deployments');
    expect(seen.body.map((x: { id: number }) => x.id)).toEqual([id]);
    expect(seen.body[0].sharedWithMe).toBe(true);
    expect(seen.body[0].can).toMatchObject({ start: true, stop: false, delete: false, share: false });
    expect((await h.call(bob, 'DELETE', `/v1/deployments/${id}`)).status).toBe(403);

    const del = await h.call(alice, 'DELETE', `/v1/deployments/${id}`);
    expect(del.status).toBe(200);
    expect(del.body.previous.status).toBe('DELETED');
    expect(h.sidecar.mock.vms()).toEqual([]);
    expect((await h.call(alice, 'GET', `/v1/deployments/${id}`)).status).toBe(404);
    expect((await h.call(alice, 'GET', '/v1/deployments')).body).toEqual([]);

    const actions = h.auditRows().map((r) => `${r.action}:${r.result}`);
    expect(actions).toEqual(expect.arrayContaining(['deployment.create:ok', 'deployment.provision:ok', 'deployment.start:ok', 'deployment.stop:ok', 'deployment.prolong:ok', 'share.add:ok', 'deployment.delete:ok']));
    expect(verifyAuditChain(h.portal.db)).toEqual({ ok: true, rows: h.auditRows().length, archived: 0 });
  });

  it('lets a WordPress administrator bootstrap rights until someone holds rights.manage', async () => {
    const admin = { id: 1, login: 'admin', email: 'admin@example.com', name: 'Site Admin', caps: ['manage_options'] };
    let me = await h.call(admin, 'GET', '/v1/me');
    expect(me.body.bootstrap).toBe(true);
    expect(me.body.rights).toEqual([...ALL_RIGHTS]);
    expect(me.body.catalog.rights).toHaveLength(11);

    const grant = await h.call(admin, 'PUT', '/v1/users/7', { rights: ['portal.view', 'rights.manage'], ramLimitMb: 2048 });
    expect(grant.status).toBe(200);
    me = await h.call(admin, 'GET', '/v1/me');
    expect(me.body.bootstrap).toBe(false);
    expect(me.body.rights).toEqual([]);
    expect((await h.call(admin, 'GET', '/v1/users')).status).toBe(403);

    const selfRemoval = await h.call(alice, 'PUT', '/v1/users/7', { rights: ['portal.view'] });
    expect(selfRemoval.status).toBe(409);
    expect(h.portal.users.rights(7)).toContain('rights.manage');
  });
});
