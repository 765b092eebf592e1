/**
 * 50 parallel creates from 10 users in HTTP mode against the simulator, which (like a real node) fails
 * overlapping full clones of one template and hands the same free VMID to everyone who asks: no VMID is
 * used twice, no contingent is oversubscribed, and every VM in Proxmox belongs to exactly one deployment.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { Simulator, startSimulator, portalSettingsFor } from '../../simulator';

const USER_LIMIT_MB = 12_288; // three Linux VMs (4096 MB) per user
const GLOBAL_LIMIT_MB = 81_920; // twenty Linux VMs in all

describe('50 parallel creates from 10 users (HTTP mode)', () => {
  let sim: Simulator;
  let h: Harness;
  let users: TestUser[];

  beforeAll(async () => {
    sim = await startSimulator({
      version: '9.1',
      unauthorizedDelayMs: 0,
      serializeCloneLocks: false, // overlapping clones of a template fail, as on a real node
      timings: { cloneMs: 25, configMs: 5, startMs: 10, stopMs: 10, deleteMs: 10, failFastMs: 5 },
    });
    h = await Harness.start({ httpProxmox: { taskPollMs: 5, retryDelaysMs: [5, 10] } });
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    const put = await h.call(admin, 'PUT', '/v1/settings', {
      ...portalSettingsFor(sim),
      defaultUserRamLimitMb: USER_LIMIT_MB,
      globalRamLimitMb: GLOBAL_LIMIT_MB,
    });
    expect(put.status).toBe(200);
    users = Array.from({ length: 10 }, (_, i) => h.user(100 + i, `support${i}`, ['portal.view', 'deployments.create']));
  });
  afterAll(async () => {
    await h.stop();
    await sim.close();
  });

  test('no VMID collision, no oversubscription, nothing untracked', async () => {
    const templates = [1, 2, 3]; // PBX 2048 MB, Windows 8192 MB, Linux 4096 MB
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, k) => {
        const user = users[k % 10] as TestUser;
        return h.call(user, 'POST', '/v1/deployments', { templateId: templates[k % 3], name: `par-${k}`, ttlHours: 2 });
      }),
    );
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    for (const a of refused) expect([a.status, a.body.code]).toEqual([409, 'spp_quota_exceeded']);
    expect(created.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0); // the limits were really reached

    await h.idle();
    const rows = h.portal.db.prepare("SELECT id, owner_id, status, vmid, memory_mb, last_error FROM deployments WHERE status <> 'DELETED'").all() as Array<{
      id: number;
      owner_id: number;
      status: string;
      vmid: number | null;
      memory_mb: number;
      last_error: string | null;
    }>;
    expect(rows.filter((r) => r.status !== 'STOPPED').map((r) => [r.id, r.status, r.last_error])).toEqual([]); // all provisioned
    const vmids = rows.map((r) => r.vmid);
    expect(new Set(vmids).size).toBe(rows.length); // no VMID twice

    const total = rows.reduce((mb, r) => mb + r.memory_mb, 0);
    expect(total).toBeLessThanOrEqual(GLOBAL_LIMIT_MB);
    for (const u of users) expect(rows.filter((r) => r.owner_id === u.id).reduce((mb, r) => mb + r.memory_mb, 0)).toBeLessThanOrEqual(USER_LIMIT_MB);

    const vms = sim.vms().filter((v) => !v.template);
    expect(vms.map((v) => v.vmid).sort((a, b) => a - b)).toEqual((vmids as number[]).sort((a, b) => a - b));
    expect(vms.every((v) => !v.linked && v.tags.includes('spp'))).toBe(true);
    // Clones of one template were queued, never overlapping, so none hit the storage lock.
    expect(sim.tasks().filter((t) => t.type === 'qmclone' && t.exitstatus !== 'OK')).toEqual([]);
    // The clones were full clones of each row's own template, sized from it.
    for (const r of rows) expect(vms.find((v) => v.vmid === r.vmid)?.memoryMb).toBe(r.memory_mb);
  });
});
