import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { ProxmoxError } from '../../src/proxmox/client';

const HOUR = 3_600_000;
const PBX = 1; // seeded: maxTtlHours 72
const LINUX = 3; // seeded: no maximum

describe('expiry and status transitions', () => {
  let h: Harness;
  let alice: TestUser;
  beforeEach(async () => {
    h = await Harness.start();
    alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
  });
  afterEach(() => h.stop());

  async function running(name: string, ttlHours = 2, templateId = LINUX): Promise<number> {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId, name, ttlHours });
    expect(c.status).toBe(201);
    await h.idle();
    expect((await h.call(alice, 'POST', `/v1/deployments/${c.body.id}/start`)).status).toBe(200);
    await h.idle();
    return c.body.id;
  }

  it('the sweep stops an expired VM, keeps it, and start is refused until prolonged', async () => {
    const id = await running('ttl-sweep');
    h.advance(HOUR);
    expect(await h.sidecar.services.expiry.sweep()).toEqual([]);
    h.advance(HOUR + 1);
    expect(await h.sidecar.services.expiry.sweep()).toEqual([id]);
    const d = (await h.call(alice, 'GET', `/v1/deployments/${id}`)).body;
    expect(d.status).toBe('EXPIRED');
    expect(d.can).toMatchObject({ start: false, prolong: true, delete: true });
    const vm = h.sidecar.mock.vms()[0]!;
    expect(vm.status).toBe('stopped'); // stopped, never deleted
    const start = await h.call(alice, 'POST', `/v1/deployments/${id}/start`);
    expect(start.status).toBe(409);
    expect(start.body.code).toBe('spp_expired');
    const prolonged = await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 3 });
    expect(prolonged.body).toMatchObject({ status: 'STOPPED', expiresAt: new Date(h.now + 3 * HOUR).toISOString() });
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).status).toBe(200);
    const rows = h.auditRows().filter((r) => r.deployment_id === id).map((r) => `${r.action}:${r.result}`);
    expect(rows).toEqual(expect.arrayContaining(['deployment.expire:ok', 'deployment.expire_stop:ok', 'deployment.start:refused', 'deployment.prolong:ok']));
  });

  it('prolonged while its expiry stop is under way: STOPPED in the portal and in Proxmox, start allowed, no stop later', async () => {
    await h.stop();
    h = await Harness.start({ mockTimings: { shutdownMs: 150 } }); // the stop still runs when the owner reacts
    alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
    const id = await running('ttl-revive', 1);
    h.advance(HOUR + 1);
    const sweep = h.sidecar.services.expiry.sweep();
    const prolonged = await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 2 });
    expect(prolonged.body).toMatchObject({ status: 'STOPPED', can: { start: true } });
    expect(h.sidecar.mock.vms()[0]!.status).toBe('stopped'); // already true when the answer left
    await sweep;
    const start = await h.call(alice, 'POST', `/v1/deployments/${id}/start`);
    expect(start.body).toMatchObject({ status: 'RUNNING' });
    await h.idle();
    await h.sidecar.services.expiry.sweep();
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'RUNNING' });
    expect(h.sidecar.mock.vms()[0]).toMatchObject({ status: 'running', tags: ['spp'] });
  });

  it('prolonging an expired deployment whose VM cannot be stopped changes nothing and says why', async () => {
    const id = await running('ttl-stuck', 1);
    h.advance(HOUR + 1);
    h.sidecar.mock.failNext('shutdown', new ProxmoxError('unreachable', 'connection refused'));
    h.sidecar.mock.failNext('stop', new ProxmoxError('unreachable', 'connection refused'));
    await h.sidecar.services.expiry.sweep();
    await h.idle();
    h.sidecar.mock.failNext('shutdown', new ProxmoxError('unreachable', 'connection refused'));
    h.sidecar.mock.failNext('stop', new ProxmoxError('unreachable', 'connection refused'));
    const before = h.portal.deployments.get(id);
    const prolong = await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 2 });
    expect(prolong.status).toBe(502);
    expect(prolong.body.message).toMatch(/could not be stopped.*connection refused/);
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: false, expiresAt: before?.expiresAt });
    expect(h.auditRows().filter((r) => r.action === 'deployment.prolong').map((r) => r.result)).toEqual(['failed']);
    // Once Proxmox stops it, the prolong goes through.
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 2 })).body).toMatchObject({ status: 'STOPPED' });
  });

  it('a request that touches an overdue deployment expires it without waiting for the sweep', async () => {
    const id = await running('ttl-touch', 1);
    h.advance(HOUR + 1);
    const start = await h.call(alice, 'POST', `/v1/deployments/${id}/stop`);
    expect(start.status).toBe(409);
    expect((await h.call(alice, 'GET', `/v1/deployments/${id}`)).body.status).toBe('EXPIRED');
    await h.idle();
    expect(h.sidecar.mock.vms()[0]!.status).toBe('stopped');
  });

  it('a failed expiry stop is retried by the next sweep', async () => {
    const id = await running('ttl-retry', 1);
    h.advance(HOUR + 1);
    h.sidecar.mock.failNext('shutdown', new ProxmoxError('unreachable', 'connection refused'));
    h.sidecar.mock.failNext('stop', new ProxmoxError('unreachable', 'connection refused'));
    await h.sidecar.services.expiry.sweep();
    await h.idle();
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: false });
    expect(h.portal.deployments.get(id)?.lastErrorDetail).toMatch(/connection refused/);
    expect(h.sidecar.mock.vms()[0]!.status).toBe('running');
    await h.sidecar.services.expiry.sweep();
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: true, lastError: null });
    expect(h.sidecar.mock.vms()[0]!.status).toBe('stopped');
  });

  it('never-expire deployments do not expire; never-expire is refused where the template has a maximum', async () => {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: 'forever', neverExpires: true });
    expect(c.body).toMatchObject({ neverExpires: true, expiresAt: null });
    const pbx = await h.call(alice, 'POST', '/v1/deployments', { templateId: PBX, name: 'pbx', neverExpires: true });
    expect(pbx.status).toBe(400);
    expect(pbx.body.data.params.neverExpires).toMatch(/at most 72 hours/);
    await h.idle();
    h.advance(10_000 * HOUR);
    expect(await h.sidecar.services.expiry.sweep()).toEqual([]);
  });

  it('prolong is bounded by the template maximum from now', async () => {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: PBX, name: 'pbx-ttl', ttlHours: 70 });
    expect(c.status).toBe(201);
    await h.idle();
    const tooFar = await h.call(alice, 'POST', `/v1/deployments/${c.body.id}/prolong`, { ttlHours: 3 });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.data.params.ttlHours).toMatch(/at most 2 more hours/);
    expect((await h.call(alice, 'POST', `/v1/deployments/${c.body.id}/prolong`, { ttlHours: 2 })).status).toBe(200);
    expect((await h.call(alice, 'POST', '/v1/deployments', { templateId: PBX, name: 'pbx-73', ttlHours: 73 })).status).toBe(400);
  });

  it('refuses actions that do not fit the status, with 409 and an audit row', async () => {
    await h.stop();
    h = await Harness.start({ mockTimings: { cloneMs: 400 } });
    alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: 'states' });
    const id = c.body.id;
    // PROVISIONING: the clone is still running
    for (const action of ['start', 'stop']) expect((await h.call(alice, 'POST', `/v1/deployments/${id}/${action}`)).status).toBe(409);
    expect((await h.call(alice, 'DELETE', `/v1/deployments/${id}`)).status).toBe(409);
    await h.idle();
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/stop`)).status).toBe(409); // STOPPED
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).status).toBe(200);
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).status).toBe(409); // RUNNING
    expect((await h.call(alice, 'DELETE', `/v1/deployments/${id}`)).status).toBe(200); // running VMs are stopped first
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).status).toBe(404); // DELETED is gone
    h.flushRefusals();
    expect(Harness.refusalsIn(h.auditRows().filter((r) => r.status === 409 && r.result === 'refused'))).toBe(5);
  });

  it('a Proxmox failure leaves a consistent deployment, a clear 502 and an audit row', async () => {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: 'px-fail' });
    await h.idle();
    h.sidecar.mock.failNext('start', { taskExitStatus: "TASK ERROR: can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout" });
    const start = await h.call(alice, 'POST', `/v1/deployments/${c.body.id}/start`);
    expect(start.status).toBe(502);
    expect(start.body.code).toBe('spp_proxmox_error');
    expect(start.body.message).toMatch(/Proxmox could not start 'px-fail': .*got timeout/);
    const d = (await h.call(alice, 'GET', `/v1/deployments/${c.body.id}`)).body;
    expect(d).toMatchObject({ status: 'STOPPED', pendingAction: null, can: { start: true } });
    expect(d.lastError).toMatch(/got timeout/);
    expect(h.auditRows().filter((r) => r.action === 'deployment.start' && r.result === 'failed' && r.status === 502)).toHaveLength(1);
  });

  it('a failed clone ends FAILED with the reason, no VM left behind, and the contingent released', async () => {
    h.sidecar.mock.failNext('clone', { taskExitStatus: 'clone failed: storage full' });
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: 'clone-fail' });
    await h.idle();
    const d = (await h.call(alice, 'GET', `/v1/deployments/${c.body.id}`)).body;
    expect(d.status).toBe('FAILED');
    expect(d.lastError).toMatch(/storage full/);
    expect(h.sidecar.mock.vms()).toEqual([]);
    expect(h.portal.contingents.quota(alice.id).user.usedMb).toBe(0);
    expect((await h.call(alice, 'DELETE', `/v1/deployments/${c.body.id}`)).status).toBe(200);
  });

  it('a VMID taken outside the portal is skipped (nextid does not reserve)', async () => {
    h.sidecar.mock.failNext('clone', new ProxmoxError('already_exists', 'unable to create VM 100: config file already exists'));
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: 'vmid-race' });
    await h.idle();
    const d = h.portal.deployments.get(c.body.id)!;
    expect(d.status).toBe('STOPPED');
    expect(d.vmid).toBe(101);
  });
});
