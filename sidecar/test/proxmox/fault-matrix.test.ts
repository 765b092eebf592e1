/**
 * The fault matrix: the portal in HTTP mode against the simulator, and each Proxmox step of provisioning,
 * start, stop, expiry-stop and delete failing in each documented way. Whatever fails, the deployment ends
 * in a consistent state with a clear message, no VM is left that the portal does not track, contingents
 * match what really holds memory, and an audit row says what happened.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS, ACTIVE_STATUSES } from '@spp/contract';
import { Fault, Simulator, startSimulator, portalSettingsFor } from '../../simulator';

const LINUX = 3; // seeded template: Proxmox VMID 9003, 4096 MB
const HOUR = 3_600_000;
/** Longer than the client's 400 ms timeout: Proxmox acts after the portal has given up. */
const SLOW_MS = 600;
const TIMINGS = { cloneMs: 30, startMs: 15, shutdownMs: 15, stopMs: 15, deleteMs: 15, configMs: 5, agentDelayMs: 20, timeoutScale: 0.001, failFastMs: 5 };

type FaultKind = 'error' | 'forbidden' | 'unreachable' | 'dropped' | 'locked' | 'slow' | 'task';

/** Each documented way a Proxmox call fails (the failure table), as a persistent simulator fault. */
function faultOf(kind: FaultKind, method: string, path: RegExp): Fault {
  const base = { method, path, times: 1_000 };
  switch (kind) {
    case 'error':
      return { ...base, status: 500, message: "storage 'local-lvm' is not online" };
    case 'forbidden':
      return { ...base, status: 403, message: 'Permission check failed (/vms/100, VM.Allocate)' };
    case 'unreachable':
      return { ...base, status: 595, message: 'Errors during connection establishment, proxy handshake' };
    case 'dropped':
      return { ...base, destroySocket: true };
    case 'locked':
      return { ...base, status: 500, message: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout" };
    case 'slow':
      return { ...base, delayMs: SLOW_MS };
    case 'task':
      return { ...base, taskExit: 'TASK ERROR: command failed: exit code 1' };
  }
}

const CALL_FAULTS: FaultKind[] = ['error', 'forbidden', 'unreachable', 'dropped', 'locked', 'slow'];
const TASK_FAULTS: FaultKind[] = [...CALL_FAULTS, 'task'];

interface Step {
  op: 'provision' | 'start' | 'stop' | 'expiry-stop' | 'delete';
  step: string;
  method: string;
  path: RegExp;
  kinds: FaultKind[];
}

const STEPS: Step[] = [
  { op: 'provision', step: 'next VMID', method: 'GET', path: /^\/cluster\/nextid$/, kinds: CALL_FAULTS },
  { op: 'provision', step: 'clone', method: 'POST', path: /\/qemu\/9003\/clone$/, kinds: TASK_FAULTS },
  { op: 'provision', step: 'configure', method: 'PUT', path: /\/qemu\/\d+\/config$/, kinds: CALL_FAULTS },
  { op: 'start', step: 'start', method: 'POST', path: /\/status\/start$/, kinds: TASK_FAULTS },
  { op: 'stop', step: 'shutdown and stop', method: 'POST', path: /\/status\/(shutdown|stop)$/, kinds: TASK_FAULTS },
  { op: 'expiry-stop', step: 'shutdown and stop', method: 'POST', path: /\/status\/(shutdown|stop)$/, kinds: TASK_FAULTS },
  { op: 'delete', step: 'destroy', method: 'DELETE', path: /\/qemu\/\d+$/, kinds: TASK_FAULTS },
];

const CASES = STEPS.flatMap((s) => s.kinds.map((kind) => ({ ...s, kind })));

describe('fault matrix (HTTP mode against the simulator)', () => {
  let sim: Simulator;
  let h: Harness;
  let alice: TestUser;
  let n = 0;

  beforeAll(async () => {
    sim = await startSimulator({ version: '9.1', unauthorizedDelayMs: 0, timings: TIMINGS, serializeCloneLocks: true });
    h = await Harness.start({ httpProxmox: { timeoutMs: 400, retryDelaysMs: [5, 10], taskPollMs: 5 }, timings: { taskTimeoutMs: 1_000, cloneTimeoutMs: 1_000, leftoverGraceMs: 0 } });
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
    const put = await h.call(admin, 'PUT', '/v1/settings', { ...portalSettingsFor(sim), defaultUserRamLimitMb: 0 });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await h.stop();
    await sim.close();
  });
  afterEach(() => sim.clearFaults());

  async function deployment(state: 'STOPPED' | 'RUNNING'): Promise<{ id: number; vmid: number }> {
    const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: `fm-${++n}`, ttlHours: 2 });
    expect(c.status).toBe(201);
    await h.idle();
    const d = h.portal.deployments.get(c.body.id);
    if (d?.status !== 'STOPPED' || d.vmid === null) throw new Error(`provisioning did not finish: ${JSON.stringify(d)}`);
    if (state === 'RUNNING') expect((await h.call(alice, 'POST', `/v1/deployments/${d.id}/start`)).status).toBe(200);
    await h.idle();
    return { id: d.id, vmid: d.vmid };
  }

  /**
   * Proxmox and the database agree, and contingents count exactly what holds memory. A call answered too
   * late, or whose connection dropped, may still have acted after the portal gave up: the periodic
   * reconcile pass brings the row along. For a failure Proxmox answered, that pass must find nothing to fix.
   */
  async function expectConsistent(kind: FaultKind): Promise<void> {
    await h.idle();
    await new Promise((r) => setTimeout(r, kind === 'slow' ? SLOW_MS + 150 : 40));
    const drift = await h.sidecar.services.reconciler.run();
    if (kind !== 'slow' && kind !== 'dropped') expect(drift).toEqual({ vanished: [], powerChanged: [], leftoversGone: [], untrackedVmids: [] });
    expect(drift.untrackedVmids).toEqual([]);
    const rows = h.portal.db.prepare("SELECT id, status, vmid, memory_mb, pending_action, vm_stopped FROM deployments WHERE status <> 'DELETED'").all() as Array<{
      id: number;
      status: string;
      vmid: number | null;
      memory_mb: number;
      pending_action: string | null;
      vm_stopped: number;
    }>;
    const vms = sim.vms().filter((v) => !v.template);
    for (const vm of vms) {
      expect({ vm: vm.vmid, heldBy: rows.filter((r) => r.vmid === vm.vmid).length }).toEqual({ vm: vm.vmid, heldBy: 1 }); // never an untracked VM
    }
    for (const r of rows) {
      expect(r.pending_action).toBeNull();
      const vm = vms.find((v) => v.vmid === r.vmid);
      if (r.status === 'STOPPED' || r.status === 'RUNNING' || r.status === 'EXPIRED') expect({ id: r.id, vm: vm?.vmid ?? null }).toEqual({ id: r.id, vm: r.vmid });
      if (r.status === 'RUNNING') expect({ id: r.id, power: vm?.status }).toEqual({ id: r.id, power: 'running' });
      if (r.status === 'STOPPED') expect({ id: r.id, power: vm?.status }).toEqual({ id: r.id, power: 'stopped' });
      if (r.status === 'EXPIRED' && r.vm_stopped === 1) expect({ id: r.id, power: vm?.status }).toEqual({ id: r.id, power: 'stopped' });
    }
    const holding = rows.filter((r) => (ACTIVE_STATUSES as readonly string[]).includes(r.status) || (r.status === 'FAILED' && r.vmid !== null));
    expect(h.portal.contingents.quota(alice.id).user.usedMb).toBe(holding.reduce((mb, r) => mb + r.memory_mb, 0));
  }

  const lastAudit = (action: string, id: number) =>
    h.auditRows().filter((r) => r.action === action && r.deployment_id === id).at(-1);

  test.each(CASES)('$op fails at $step ($kind): consistent, explained, audited', async ({ op, method, path, kind }) => {
    if (op === 'provision') {
      sim.inject(faultOf(kind, method, path));
      const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: LINUX, name: `fm-${++n}`, ttlHours: 2 });
      expect(c.status).toBe(201);
      await h.idle();
      sim.clearFaults();
      const d = h.portal.deployments.get(c.body.id);
      // A slow answer to a call that did go through may still end well; anything else is FAILED, explained.
      if (d?.status === 'FAILED') {
        expect(d.lastErrorDetail).toMatch(/\w+.*\. \w+/); // what happened, then what to check (for the settings manager)
        expect(lastAudit('deployment.provision', c.body.id)).toMatchObject({ result: 'failed', status: 502 });
      } else {
        expect(kind).toBe('slow');
        expect(d?.status).toBe('STOPPED');
      }
      await expectConsistent(kind);
      return;
    }

    const { id } = await deployment(op === 'start' ? 'STOPPED' : 'RUNNING');
    if (op === 'expiry-stop') h.advance(3 * HOUR);
    sim.inject(faultOf(kind, method, path));
    if (op === 'expiry-stop') {
      await h.sidecar.services.expiry.sweep();
      await h.idle();
      const d = h.portal.deployments.get(id);
      expect(d?.status).toBe('EXPIRED'); // start is refused from here on, whatever Proxmox did
      if (d?.vmStopped === false) {
        expect(d.lastErrorDetail).toMatch(/\w+.*\. \w+/);
        expect(lastAudit('deployment.expire_stop', id)).toMatchObject({ result: 'failed', status: 502 });
      }
      await expectConsistent(kind);
      sim.clearFaults();
      await h.sidecar.services.expiry.sweep(); // the next sweep retries the stop
      expect(h.portal.deployments.get(id)).toMatchObject({ status: 'EXPIRED', vmStopped: true, lastError: null });
      await expectConsistent(kind);
      h.advance(-3 * HOUR);
      return;
    }

    const res = op === 'delete' ? await h.call(alice, 'DELETE', `/v1/deployments/${id}`) : await h.call(alice, 'POST', `/v1/deployments/${id}/${op}`);
    await h.idle();
    const d = h.portal.deployments.get(id);
    if (res.status === 200) {
      // Only where the call was answered late or dropped and Proxmox did it all the same.
      expect(['slow', 'dropped', 'unreachable']).toContain(kind);
    } else {
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('spp_proxmox_error');
      expect(res.body.message).toMatch(/^Proxmox could not (start|stop|delete) 'fm-\d+': .+\. \w+/);
      expect(d?.lastError).toBeTruthy();
      expect(lastAudit(`deployment.${op}`, id)).toMatchObject({ result: 'failed', status: 502 });
      expect(d?.status).toBe(op === 'start' ? 'STOPPED' : op === 'stop' ? 'RUNNING' : d?.status === 'STOPPED' ? 'STOPPED' : 'RUNNING');
    }
    await expectConsistent(kind);
  });

  test('the matrix covers every step of every operation with every documented failure', () => {
    expect(new Set(CASES.map((c) => c.op))).toEqual(new Set(['provision', 'start', 'stop', 'expiry-stop', 'delete']));
    expect(CASES.length).toBe(3 * 6 + 1 + 4 * 7);
  });
});
