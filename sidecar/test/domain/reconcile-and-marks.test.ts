/**
 * The reconcile pass against the mock Proxmox, and the marks an expired VM gets in Proxmox: drift is
 * found, recorded once, and only what is provably the portal's is changed.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { ProxmoxError } from '../../src/proxmox/client';

const HOUR = 3_600_000;
const LINUX = 3; // seeded: 2 cores, 4096 MB, Proxmox template 9003

describe('reconcile and Proxmox marks', () => {
  let h: Harness;
  let alice: TestUser;
  beforeEach(async () => {
    h = await Harness.start();
    alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
  });
  afterEach(() => h.stop());

  async function created(name: string, start = true): Promise<{ id: number; vmid: number }> {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name, ttlHours: 2 });
    expect(c.status).toBe(201);
    await h.idle();
    if (start) expect((await h.call(alice, 'POST', `/v1/deployments/${c.body.id}/start`)).status).toBe(200);
    await h.idle();
    const vmid = h.portal.deployments.get(c.body.id)?.vmid;
    if (typeof vmid !== 'number') throw new Error('no VMID after provisioning');
    return { id: c.body.id, vmid };
  }

  /** An admin removing the VM in Proxmox's UI, behind the portal's back. */
  async function removeOutside(vmid: number): Promise<void> {
    const mock = h.sidecar.mock;
    await mock.waitTask(await mock.stopVm(vmid), 2000);
    await mock.waitTask(await mock.deleteVm(vmid), 2000);
  }

  const actions = (prefix: string) => h.auditRows().filter((r) => r.action.startsWith(prefix));

  it('a deployment whose VM vanished becomes FAILED, releases its memory, and is audited once', async () => {
    const { id, vmid } = await created('vanishing');
    expect(h.portal.contingents.quota(alice.id).user.usedMb).toBe(4096);
    await removeOutside(vmid);

    const report = await h.sidecar.services.reconciler.run();
    expect(report).toEqual({ vanished: [id], powerChanged: [], leftoversGone: [], untrackedVmids: [] });
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'FAILED', vmid: null, ipAddresses: [] });
    expect(h.portal.deployments.get(id)?.lastError).toMatch(new RegExp(`VM ${vmid} was removed outside the portal`));
    expect(h.portal.contingents.quota(alice.id).user.usedMb).toBe(0);
    expect(actions('reconcile.').map((r) => [r.action, r.deployment_id])).toEqual([['reconcile.vm_vanished', id]]);

    // Nothing left to find: a second pass changes and records nothing.
    expect(await h.sidecar.services.reconciler.run()).toEqual({ vanished: [], powerChanged: [], leftoversGone: [], untrackedVmids: [] });
    expect(actions('reconcile.')).toHaveLength(1);
  });

  it('a VM stopped from inside the guest or started in Proxmox brings its deployment along; an expired one is stopped again', async () => {
    const { id, vmid } = await created('powered');
    const mock = h.sidecar.mock;
    await mock.waitTask(await mock.stopVm(vmid), 2000); // the guest shut itself down
    expect((await h.sidecar.services.reconciler.run()).powerChanged).toEqual([id]);
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'STOPPED', vmStopped: true, ipAddresses: [] });
    await mock.waitTask(await mock.startVm(vmid), 2000); // an admin started it in Proxmox
    expect((await h.sidecar.services.reconciler.run()).powerChanged).toEqual([id]);
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'RUNNING', vmStopped: false });
    expect(actions('reconcile.power_changed')).toHaveLength(2);

    h.advance(3 * HOUR);
    await h.sidecar.services.expiry.sweep();
    await h.idle();
    await mock.waitTask(await mock.startVm(vmid), 2000); // started again behind the portal's back
    expect((await h.sidecar.services.reconciler.run()).powerChanged).toEqual([id]);
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: false });
    await h.sidecar.services.expiry.sweep();
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: true });
    expect(mock.vms().find((v) => v.vmid === vmid)?.status).toBe('stopped');
  });

  it('a tagged VM that no deployment holds is reported once and left alone; untagged VMs and templates are ignored', async () => {
    const { vmid: tracked } = await created('tracked');
    const mock = h.sidecar.mock;
    await mock.waitTask(await mock.cloneTemplate({ templateVmid: 9003, newVmid: 500, name: 'orphan' }), 2000);
    await mock.configureVm(500, { tags: ['spp'] });
    await mock.waitTask(await mock.cloneTemplate({ templateVmid: 9003, newVmid: 501, name: 'admins-own-vm' }), 2000);

    expect(await h.sidecar.services.reconciler.run()).toEqual({ vanished: [], powerChanged: [], leftoversGone: [], untrackedVmids: [500] });
    const rows = actions('reconcile.');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'reconcile.untracked_vm', target_type: 'vm', target_id: '500', result: 'failed' });
    expect(mock.vms().map((v) => v.vmid)).toEqual(expect.arrayContaining([tracked, 500, 501]));

    expect((await h.sidecar.services.reconciler.run()).untrackedVmids).toEqual([]);
    expect(actions('reconcile.')).toHaveLength(1);
  });

  it('a VM still being provisioned or deleted is not drift', async () => {
    const slow = await Harness.start({ mockTimings: { cloneMs: 300 } });
    try {
      const bob = slow.user(8, 'bob', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
      const c = await slow.call(bob, 'POST', '/v1/deployments', { templateId: LINUX, name: 'in-flight', ttlHours: 2 });
      expect(c.status).toBe(201);
      await new Promise((r) => setTimeout(r, 60)); // the clone has started: the VM exists, locked
      expect(slow.sidecar.mock.vms().some((v) => v.lock === 'clone')).toBe(true);
      expect(await slow.sidecar.services.reconciler.run()).toEqual({ vanished: [], powerChanged: [], leftoversGone: [], untrackedVmids: [] });
      await slow.idle();
      expect(slow.portal.deployments.get(c.body.id)?.status).toBe('STOPPED');
    } finally {
      await slow.stop();
    }
  });

  it('an expired VM is tagged spp-expired and kept from booting; prolonging takes the mark off', async () => {
    const { id, vmid } = await created('marked');
    const vm = () => h.sidecar.mock.vms().find((v) => v.vmid === vmid);
    expect(vm()).toMatchObject({ tags: ['spp'], status: 'running' });
    await h.sidecar.mock.configureVm(vmid, { onboot: true }); // an admin set start-on-boot
    expect(vm()?.onboot).toBe(true);
    h.advance(3 * HOUR);
    await h.sidecar.services.expiry.sweep();
    await h.idle();
    expect(vm()).toMatchObject({ status: 'stopped', tags: ['spp', 'spp-expired'], onboot: false });
    expect(h.portal.deployments.get(id)?.status).toBe('EXPIRED');

    const prolonged = await h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 2 });
    expect(prolonged.status).toBe(200);
    await h.idle();
    expect(vm()?.tags).toEqual(['spp']);
  });

  it('where the token may not set the marks, expiry still stops the VM and refuses start', async () => {
    const { id, vmid } = await created('unmarkable');
    h.advance(3 * HOUR);
    h.sidecar.mock.failNext('configure', new ProxmoxError('forbidden', 'Permission check failed (/vms/100, VM.Config.Options)'));
    await h.sidecar.services.expiry.sweep();
    await h.idle();
    expect(h.sidecar.mock.vms().find((v) => v.vmid === vmid)).toMatchObject({ status: 'stopped', tags: ['spp'] });
    expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: true, lastError: null });
    expect((await h.call(alice, 'POST', `/v1/deployments/${id}/start`)).body.code).toBe('spp_expired');
  });
});
