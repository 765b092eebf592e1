/**
 * The token of the README (issue 9, item 5): its role on the portal's resource pool, clone and audit on the
 * approved templates, space on one storage, the bridge zone and the node — and nothing on /vms. Against the
 * simulator (which applies a pool's ACL to its member VMs, as PVE::RPCEnvironment does, and checks clone's
 * `VM.Allocate on /vms/{newid} or /pool/{pool}` from the official schema) for PVE 8.4 and 9.1: the whole
 * lifecycle works, Test connection finds nothing missing and nothing in excess, a VM outside the pool is out
 * of reach, and wider grants or no pool are reported.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { portalSettingsFor, Simulator, startSimulator } from '../../simulator';
import { simulatorClient } from '../support/simulator-client';

const POOL = 'support-portal';
const TEMPLATES = [9001, 9002, 9003];
const OUTSIDER = 4242; // somebody else's VM on the same node

/** The README's ACLs for the portal's token, as simulator grants. */
function readmeGrants(version: '8.4' | '9.1', node: string): string[] {
  const agent = version === '8.4' ? 'VM.Monitor' : 'VM.GuestAgent.Audit';
  const onPool = ['VM.Audit', 'VM.Allocate', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Options', 'VM.PowerMgmt', agent].map((p) => `/pool/${POOL}:${p}`);
  const onTemplates = TEMPLATES.flatMap((v) => [`/vms/${v}:VM.Clone`, `/vms/${v}:VM.Audit`]);
  return [...onPool, ...onTemplates, '/storage/local-lvm:Datastore.AllocateSpace', '/storage/local-lvm:Datastore.Audit', '/sdn/zones/localnetwork:SDN.Use', `/nodes/${node}:Sys.Audit`];
}

describe.each(['8.4', '9.1'] as const)('a pool-scoped token on PVE %s', (version) => {
  let sim: Simulator;
  let h: Harness;
  let admin: TestUser;
  beforeAll(async () => {
    sim = await startSimulator({ version, unauthorizedDelayMs: 0, pools: [POOL], vms: [{ vmid: OUTSIDER, name: 'not-ours', cores: 1, memoryMb: 512, diskGb: 4, ostype: 'l26' }] });
    sim.setPrivileges(sim.token.id, readmeGrants(version, sim.node));
    h = await Harness.start({ httpProxmox: { taskPollMs: 5, retryDelaysMs: [5, 10] } });
    admin = h.user(1, 'admin', ALL_RIGHTS);
    const put = await h.call(admin, 'PUT', '/v1/settings', { ...portalSettingsFor(sim), pool: POOL, defaultUserRamLimitMb: 0 });
    expect(put.status).toBe(200);
    for (const t of h.portal.templates.list(true)) expect(TEMPLATES).toContain(t.proxmoxVmid);
  });
  afterAll(async () => {
    await h.stop();
    await sim.close();
  });

  test('Test connection: nothing missing, nothing in excess', async () => {
    const r = await h.call(admin, 'POST', '/v1/settings/test');
    expect(r.body).toMatchObject({ ok: true, missingPrivileges: [], excessPrivileges: [], error: null });
  });

  test('create, start, addresses, stop, prolong, delete: every step within the pool', async () => {
    const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name: 'pooled', ttlHours: 2 });
    expect(c.status).toBe(201);
    await h.idle();
    const d = h.portal.deployments.get(c.body.id)!;
    expect(d).toMatchObject({ status: 'STOPPED', lastError: null });
    expect(sim.vms().find((v) => v.vmid === d.vmid)).toMatchObject({ pool: POOL });
    expect((await h.call(admin, 'POST', `/v1/deployments/${d.id}/start`)).status).toBe(200);
    await h.idle();
    expect((await h.call(admin, 'POST', `/v1/deployments/${d.id}/refresh-ips`)).status).toBe(200);
    expect((await h.call(admin, 'POST', `/v1/deployments/${d.id}/stop`)).status).toBe(200);
    expect((await h.call(admin, 'POST', `/v1/deployments/${d.id}/prolong`, { ttlHours: 1 })).status).toBe(200);
    expect((await h.call(admin, 'DELETE', `/v1/deployments/${d.id}`)).status).toBe(200);
    await h.idle();
    expect(sim.vms().some((v) => v.vmid === d.vmid)).toBe(false);
  });

  test('a VM outside the pool is out of reach of the same token', async () => {
    const px = simulatorClient(sim, { pool: POOL });
    try {
      await expect(px.startVm(OUTSIDER)).rejects.toMatchObject({ kind: 'forbidden' });
      await expect(px.guestIps(OUTSIDER)).rejects.toMatchObject({ kind: 'forbidden' });
    } finally {
      await px.close();
    }
  });

  test('without the pool setting the same token cannot clone, and Test connection says where rights are missing', async () => {
    expect((await h.call(admin, 'PUT', '/v1/settings', { pool: '' })).status).toBe(200);
    try {
      const r = await h.call(admin, 'POST', '/v1/settings/test');
      expect(r.body.ok).toBe(false);
      expect(r.body.missingPrivileges).toEqual(expect.arrayContaining([expect.stringMatching(/^VM\.Allocate on \/vms /), expect.stringMatching(/^VM\.PowerMgmt on \/vms /)]));
      expect(r.body.excessPrivileges).toEqual([expect.stringMatching(/^No resource pool is set/)]);
      const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name: 'unpooled', ttlHours: 2 });
      await h.idle();
      expect(h.portal.deployments.get(c.body.id)).toMatchObject({ status: 'FAILED' });
      expect(h.portal.deployments.get(c.body.id)?.lastErrorDetail).toMatch(/Permission check failed/); // an 'or' check names nothing, as in Proxmox
    } finally {
      expect((await h.call(admin, 'PUT', '/v1/settings', { pool: POOL })).status).toBe(200);
    }
  });

  test('a token with more than it needs is reported, privilege by privilege', async () => {
    sim.setPrivileges(sim.token.id, [...readmeGrants(version, sim.node), '/vms:VM.PowerMgmt', 'VM.Config.Disk']);
    try {
      const r = await h.call(admin, 'POST', '/v1/settings/test');
      expect(r.body.missingPrivileges).toEqual([]);
      expect(r.body.excessPrivileges).toEqual(
        expect.arrayContaining([`VM.PowerMgmt on /vms reaches every VM in the cluster; grant it on /pool/${POOL} only.`, `VM.Config.Disk on / reaches every VM in the cluster; grant it on /pool/${POOL} only.`]),
      );
    } finally {
      sim.setPrivileges(sim.token.id, readmeGrants(version, sim.node));
    }
  });
});
