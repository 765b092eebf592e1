/**
 * Crash safety: the built sidecar process in HTTP mode against the simulator, killed with SIGKILL between
 * the steps of provisioning and of delete, then restarted on the same data folder. After recovery and a
 * reconcile pass, the VMs in the simulator and the deployments in the database agree: no VM the portal
 * does not track, no deployment pointing at a VM that is not there, nothing left pending.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SidecarProcess } from '../support/sidecar-process';
import type { TestUser } from '../support/harness';
import { Simulator, SimRequestRecord, startSimulator, portalSettingsFor } from '../../simulator';

// Bootstrap: nobody holds rights.manage yet, so a WordPress administrator holds every right.
const ADMIN: TestUser = { id: 1, login: 'admin', email: 'admin@example.com', name: 'Site Admin', caps: ['manage_options'] };
const LINUX = 3;

interface KillPoint {
  name: string;
  /** The sidecar is killed as soon as the simulator has seen this request. */
  when: (r: SimRequestRecord) => boolean;
}

const isTaskStatus = (r: SimRequestRecord) => r.method === 'GET' && /\/tasks\/.+\/status$/.test(r.path);

const PROVISIONING: KillPoint[] = [
  { name: 'after next VMID was read', when: (r) => r.method === 'GET' && r.path === '/cluster/nextid' },
  { name: 'after the clone was sent', when: (r) => r.method === 'POST' && r.path.endsWith('/clone') },
  { name: 'while waiting for the clone task', when: (r) => isTaskStatus(r) && r.path.includes('qmclone') },
  { name: 'after the configuration was sent', when: (r) => r.method === 'PUT' && r.path.endsWith('/config') },
];

const DELETE: KillPoint[] = [
  { name: 'after the shutdown was sent', when: (r) => r.method === 'POST' && r.path.endsWith('/status/shutdown') },
  { name: 'while waiting for the shutdown', when: (r) => isTaskStatus(r) && r.path.includes('qmshutdown') },
  { name: 'after the destroy was sent', when: (r) => r.method === 'DELETE' && /\/qemu\/\d+$/.test(r.path) },
  { name: 'while waiting for the destroy', when: (r) => isTaskStatus(r) && r.path.includes('qmdestroy') },
];

describe('crash safety: SIGKILL between steps, restart, reconcile', () => {
  let sim: Simulator;
  let dir: string;
  let sidecar: SidecarProcess;

  beforeAll(async () => {
    sim = await startSimulator({
      version: '9.1',
      unauthorizedDelayMs: 0,
      serializeCloneLocks: true,
      timings: { cloneMs: 500, startMs: 100, shutdownMs: 400, stopMs: 100, deleteMs: 500, configMs: 20, agentDelayMs: 50 },
    });
    dir = mkdtempSync(join(tmpdir(), 'spp-crash-'));
    sidecar = await SidecarProcess.start(dir, { SPP_PROXMOX_POLL_MS: '50', SPP_RECONCILE_SECONDS: '3600' });
    const put = await sidecar.call(ADMIN, 'PUT', '/v1/settings', { ...portalSettingsFor(sim), defaultUserRamLimitMb: 0 });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await sidecar.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Kills the sidecar the moment the simulator sees the request, then starts it again. */
  async function killAt(point: KillPoint, action: () => Promise<unknown>): Promise<void> {
    const seen = sim.requests().length;
    const pending = action().catch(() => undefined); // the caller's connection dies with the sidecar
    const deadline = Date.now() + 10_000;
    while (!sim.requests().slice(seen).some(point.when)) {
      if (Date.now() > deadline) throw new Error(`the sidecar never reached: ${point.name}\n${sidecar.log()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await sidecar.kill();
    await pending;
    await sidecar.restart();
  }

  async function settled(id: number): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const d = await sidecar.call(ADMIN, 'GET', `/v1/deployments/${id}`);
      const status: string = d.status === 404 ? 'DELETED' : d.body.status;
      if (!['PROVISIONING', 'DELETING'].includes(status) && (d.status === 404 || d.body.pendingAction === null)) return status;
      if (Date.now() > deadline) throw new Error(`deployment ${id} did not settle (${JSON.stringify(d.body)})\n${sidecar.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The simulator's VMs and the database's deployments agree, once Proxmox's own tasks have ended. */
  async function expectAgreement(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (sim.vms().some((v) => v.lock !== null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const db = new Database(join(dir, 'portal.sqlite'), { readonly: true });
    try {
      const rows = db.prepare("SELECT id, status, vmid, pending_action FROM deployments WHERE status <> 'DELETED'").all() as Array<{ id: number; status: string; vmid: number | null; pending_action: string | null }>;
      const vms = sim.vms().filter((v) => !v.template);
      for (const vm of vms) expect({ vmid: vm.vmid, tracked: rows.filter((r) => r.vmid === vm.vmid).map((r) => r.status) }).toEqual({ vmid: vm.vmid, tracked: [expect.stringMatching(/^(STOPPED|RUNNING|EXPIRED)$/)] });
      for (const r of rows) {
        expect({ id: r.id, pending: r.pending_action }).toEqual({ id: r.id, pending: null });
        if (r.vmid !== null) expect({ id: r.id, vm: vms.some((v) => v.vmid === r.vmid) }).toEqual({ id: r.id, vm: true });
        if (r.status === 'STOPPED' || r.status === 'RUNNING') expect(r.vmid).not.toBeNull();
      }
    } finally {
      db.close();
    }
  }

  let n = 0;
  const create = () => sidecar.call(ADMIN, 'POST', '/v1/deployments', { templateId: LINUX, name: `crash-${++n}`, ttlHours: 4 });

  test.each(PROVISIONING)('provisioning killed $name: resumed or cleaned up after restart', async (point) => {
    const before = new Set((await sidecar.call(ADMIN, 'GET', '/v1/deployments?per_page=100')).body.map((d: { id: number }) => d.id));
    await killAt(point, create);
    const after = (await sidecar.call(ADMIN, 'GET', '/v1/deployments?per_page=100')).body as Array<{ id: number }>;
    const created = after.filter((d) => !before.has(d.id));
    // The create committed before the kill (the row is written before any Proxmox call).
    expect(created).toHaveLength(1);
    const status = await settled((created[0] as { id: number }).id);
    expect(['STOPPED', 'FAILED']).toContain(status);
    if (point.name !== 'after next VMID was read') expect(status).toBe('STOPPED'); // a clone under way is resumed, not lost
    await expectAgreement();
  });

  test.each(DELETE)('delete killed $name: finished after restart', async (point) => {
    const c = await create();
    expect(c.status).toBe(201);
    expect(await settled(c.body.id)).toBe('STOPPED');
    expect((await sidecar.call(ADMIN, 'POST', `/v1/deployments/${c.body.id}/start`)).status).toBe(200);
    const vmid = (await sidecar.call(ADMIN, 'GET', `/v1/deployments/${c.body.id}`)).body.vmid as number;
    await killAt(point, () => sidecar.call(ADMIN, 'DELETE', `/v1/deployments/${c.body.id}`));
    expect(await settled(c.body.id)).toBe('DELETED');
    expect(sim.vms().some((v) => v.vmid === vmid)).toBe(false);
    await expectAgreement();
  });

  test('nothing was left for the reconcile pass, and the audit chain is intact after all the kills', async () => {
    await sidecar.stop();
    await sidecar.restart(); // runs recovery and one reconcile pass at start
    await new Promise((r) => setTimeout(r, 300));
    const db = new Database(join(dir, 'portal.sqlite'), { readonly: true });
    try {
      const drift = db.prepare("SELECT action FROM audit_log WHERE action IN ('reconcile.untracked_vm', 'reconcile.vm_vanished')").all();
      expect(drift).toEqual([]);
    } finally {
      db.close();
    }
    const { verifyAuditChain } = await import('../../src/audit/audit-verify');
    const check = new Database(join(dir, 'portal.sqlite'), { readonly: true });
    try {
      expect(verifyAuditChain(check)).toMatchObject({ ok: true });
    } finally {
      check.close();
    }
    await expectAgreement();
  });
});
