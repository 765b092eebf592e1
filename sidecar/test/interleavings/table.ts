/**
 * The interleaving table: every background action (expiry stop, reconcile, IP watcher, provisioning resume)
 * against every user action (start, stop, prolong, delete, refresh-ips, share) on the same deployment, with
 * either side first and parked at each of its Proxmox calls in turn (k = 0, 1, … until it ends before the
 * k-th), the other side run to its end, then both let finish. Afterwards the portal and Proxmox must agree,
 * the user's answer must be one the contract allows, the owner must be able to go on from where it stands,
 * and the audit chain must verify. Shared by the mock and the simulator (HTTP) runs.
 */
import { Harness, TestUser } from '../support/harness';
import { Interleaver, Running, Side } from '../support/interleaver';
import { ALL_RIGHTS } from '@spp/contract';
import { writeTx } from '../../src/db/open';
import { verifyAuditChain } from '../../src/audit/audit-verify';
import type { ProxmoxClient } from '../../src/proxmox/client';
import { EXPIRED_TAG } from '../../src/domain/deployments/proxmox-marks';

const LINUX = 3; // seeded template: Proxmox VMID 9003, no TTL maximum
const HOUR = 3_600_000;
const TASK_MS = 5_000;
/** How long a side may go without a Proxmox call or an end before it counts as stuck. */
const STUCK_MS = 10_000;

export interface World {
  h: Harness;
  gate: Interleaver;
  /** Proxmox without the gate: what an admin does behind the portal's back, and what the checks read. */
  outside: ProxmoxClient;
  alice: TestUser;
  bob: TestUser;
  /** How long a side may show no call before the scheduler takes it to be waiting for the other side. */
  quietMs: number;
}

export interface Scenario {
  name: string;
  /** A fresh deployment in the state the background action meets. */
  setup(w: World, name: string): Promise<number>;
  /** The background action on it. */
  act(w: World, id: number): Promise<unknown>;
  /** Proxmox was changed behind the portal's back: a user's action may fail with a 502 that says so. */
  changedOutside?: boolean;
}

export interface UserAction {
  name: string;
  call(w: World, id: number): Promise<{ status: number; body: { code?: string; message?: string; status?: string } }>;
}

async function created(w: World, name: string): Promise<number> {
  const c = await w.h.call(w.alice, 'POST', '/v1/deployments', { templateId: LINUX, name, ttlHours: 1 });
  if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${c.text}`);
  await w.h.idle();
  return c.body.id as number;
}

async function running(w: World, name: string): Promise<number> {
  const id = await created(w, name);
  const s = await w.h.call(w.alice, 'POST', `/v1/deployments/${id}/start`);
  if (s.status !== 200) throw new Error(`start ${name}: ${s.status} ${s.text}`);
  await w.h.idle();
  return id;
}

const vmidOf = (w: World, id: number): number => w.h.portal.deployments.get(id)?.vmid as number;

async function outsideTask(w: World, task: Promise<{ upid: string; node: string }>): Promise<void> {
  const result = await w.outside.waitTask(await task, TASK_MS);
  if (!result.ok) throw new Error(`outside task failed: ${result.exitStatus}`);
}

function rewind(w: World, id: number, fields: Parameters<Harness['portal']['deployments']['update']>[2]): void {
  writeTx(w.h.portal.db, () => w.h.portal.deployments.update(id, w.h.now, fields));
}

const expire = (w: World) => {
  w.h.advance(2 * HOUR);
  return w.h.sidecar.services.expiry.sweep();
};
const reconcile = (w: World) => w.h.sidecar.services.reconciler.run();

/** An admin changed the VM in Proxmox behind the portal's back; the reconcile pass finds it. */
function changedInProxmox(name: string, made: (w: World, name: string) => Promise<number>, change: (w: World, vmid: number) => Promise<void>): Scenario {
  return {
    name,
    setup: async (w, n) => {
      const id = await made(w, n);
      await change(w, vmidOf(w, id));
      return id;
    },
    act: reconcile,
    changedOutside: true,
  };
}

export const SCENARIOS: Scenario[] = [
  { name: 'expiry stop of a running VM', setup: running, act: expire },
  { name: 'expiry of a stopped VM', setup: created, act: expire },
  changedInProxmox('reconcile: the VM was stopped in Proxmox', running, (w, vmid) => outsideTask(w, w.outside.stopVm(vmid))),
  changedInProxmox('reconcile: the VM was started in Proxmox', created, (w, vmid) => outsideTask(w, w.outside.startVm(vmid))),
  changedInProxmox('reconcile: the VM was removed in Proxmox (stopped)', created, (w, vmid) => outsideTask(w, w.outside.deleteVm(vmid))),
  changedInProxmox('reconcile: the VM was removed in Proxmox (running)', running, async (w, vmid) => {
    await outsideTask(w, w.outside.stopVm(vmid));
    await outsideTask(w, w.outside.deleteVm(vmid));
  }),
  {
    name: 'IP watcher after a start',
    setup: async (w, name) => {
      const id = await running(w, name);
      rewind(w, id, { ipAddresses: [] }); // started, the guest agent not heard yet
      return id;
    },
    act: (w, id) => w.h.sidecar.services.ips.watch(id),
  },
  {
    name: 'provisioning resumed after the clone',
    setup: async (w, name) => {
      const id = await created(w, name);
      rewind(w, id, { status: 'PROVISIONING', provisionStep: 'configure', vmStopped: false }); // a restart before configure
      return id;
    },
    act: (w, id) => w.h.sidecar.services.provisioner.provision(id),
  },
  {
    name: 'provisioning from the start',
    setup: async (w, name) => {
      const id = await created(w, name);
      await outsideTask(w, w.outside.deleteVm(vmidOf(w, id)));
      rewind(w, id, { status: 'PROVISIONING', vmid: null, provisionStep: null, vmStopped: false }); // before the clone was sent
      return id;
    },
    act: (w, id) => w.h.sidecar.services.provisioner.provision(id),
  },
];

/** The share target's login. */
const BOB = 'bob';
const post = (path: string, body?: unknown): UserAction['call'] => (w, id) => w.h.call(w.alice, 'POST', `/v1/deployments/${id}${path}`, body);

export const USER_ACTIONS: UserAction[] = [
  { name: 'start', call: post('/start') },
  { name: 'stop', call: post('/stop') },
  { name: 'prolong', call: post('/prolong', { ttlHours: 2 }) },
  { name: 'delete', call: (w, id) => w.h.call(w.alice, 'DELETE', `/v1/deployments/${id}`) },
  { name: 'refresh-ips', call: post('/refresh-ips') },
  { name: 'share', call: post('/shares', { user: BOB }) },
];

/** The owner alice, bob to share with, and settings (no contingent; HTTP mode where given). */
export async function makeUsers(h: Harness, settings: Record<string, unknown> = {}): Promise<{ alice: TestUser; bob: TestUser }> {
  const admin = h.user(1, 'admin', ALL_RIGHTS);
  const alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
  const bob = h.user(8, BOB, ['portal.view']);
  const put = await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 0, ...settings });
  if (put.status !== 200) throw new Error(`settings: ${put.status} ${put.text}`);
  return { alice, bob };
}

/** What is wrong once both sides are done: portal and Proxmox disagree, or the owner cannot go on. */
export async function disagreements(w: World, id: number): Promise<string[]> {
  const problems: string[] = [];
  const d = w.h.portal.deployments.get(id);
  if (!d) return ['the deployment row is gone'];
  const vm = d.vmid === null ? null : await w.outside.vmState(d.vmid);
  const power = vm?.status ?? 'no VM';
  const said = `the portal says ${d.status}${d.status === 'EXPIRED' ? (d.vmStopped ? ' (stopped)' : ' (stop owed)') : ''}, Proxmox has ${power}`;
  if (d.pendingAction !== null) problems.push(`pendingAction ${d.pendingAction} left behind`);
  switch (d.status) {
    case 'RUNNING':
      if (power !== 'running') problems.push(said);
      break;
    case 'STOPPED':
      if (power !== 'stopped') problems.push(said);
      break;
    case 'EXPIRED':
      if (power !== 'stopped' || !d.vmStopped) problems.push(said);
      if (vm && !vm.tags.includes(EXPIRED_TAG)) problems.push(`EXPIRED but not marked ${EXPIRED_TAG} in Proxmox (tags ${vm.tags.join(';')})`);
      break;
    case 'DELETED':
    case 'FAILED':
      if (vm !== null) problems.push(said);
      break;
    default:
      problems.push(`left in ${d.status}`);
  }
  if (d.status !== 'EXPIRED' && vm?.tags.includes(EXPIRED_TAG)) problems.push(`${d.status} in the portal but marked ${EXPIRED_TAG} in Proxmox`);
  if (d.status !== 'RUNNING' && d.ipAddresses.length > 0) problems.push(`${d.status} with addresses ${d.ipAddresses.join(', ')}`);
  if (d.status === 'RUNNING' && d.ipAddresses.length > 0 && d.vmid !== null) {
    const real = (await w.outside.guestIps(d.vmid)).sort();
    if ([...d.ipAddresses].sort().join() !== real.join()) problems.push(`addresses ${d.ipAddresses.join(', ')} but the guest has ${real.join(', ')}`);
  }
  return problems;
}

/** The owner goes on from where the deployment stands; each step must do what its `can` promised. */
export async function goOn(w: World, id: number): Promise<string[]> {
  const problems: string[] = [];
  const view = await w.h.call(w.alice, 'GET', `/v1/deployments/${id}`);
  if (view.status === 404) return w.h.portal.deployments.get(id)?.status === 'DELETED' ? [] : ['404 for a deployment that is not deleted'];
  const { status, can } = view.body as { status: string; can: Record<string, boolean> };
  const steps: Array<[string, string, unknown, string]> =
    status === 'STOPPED' ? [['start', '/start', undefined, 'RUNNING']]
    : status === 'RUNNING' ? [['stop', '/stop', undefined, 'STOPPED']]
    : status === 'EXPIRED' ? [['prolong', '/prolong', { ttlHours: 2 }, 'STOPPED'], ['start', '/start', undefined, 'RUNNING']]
    : [];
  const firstStep = steps[0]?.[0];
  if (firstStep !== undefined && can[firstStep] !== true) problems.push(`${status} but can.${firstStep} is false`);
  for (const [action, path, body, expected] of steps) {
    const r = await w.h.call(w.alice, 'POST', `/v1/deployments/${id}${path}`, body);
    if (r.status !== 200 || r.body.status !== expected) {
      problems.push(`then ${action}: ${r.status} ${r.body?.status ?? ''} ${r.body?.message ?? ''}`.trim());
      return problems;
    }
  }
  await w.h.idle();
  if (steps.length > 0) problems.push(...(await disagreements(w, id)).map((p) => `after going on: ${p}`));
  return problems;
}

export interface RunResult {
  /** The first side ended before its k-th call: later k add nothing. */
  exhausted: boolean;
  problems: string[];
}

/**
 * One interleaving: `first` runs until its k-th Proxmox call is held (or it ends), then `second` runs to its
 * end (the first side's held calls go only while the second waits for them), then everything is let go.
 */
export async function runOne(w: World, scenario: Scenario, action: UserAction, first: Side, k: number, name: string): Promise<RunResult> {
  const { gate, h } = w;
  const id = await scenario.setup(w, name);
  const problems: string[] = [];
  let answer: Awaited<ReturnType<UserAction['call']>> | null = null;
  const side = (s: Side): Running =>
    gate.start(s, async () => {
      if (s === 'background') await scenario.act(w, id);
      else answer = await action.call(w, id);
    });

  gate.hold();
  const a = side(first);
  let exhausted = false;
  for (let calls = 0; ; calls++) {
    const state = await gate.next(a, STUCK_MS);
    if (state === 'quiet') problems.push(`${first} made no call and did not end (stuck alone)`);
    if (state !== 'held') {
      exhausted = true;
      break;
    }
    if (calls === k) break;
    gate.releaseOne(first);
  }
  const b = side(first === 'background' ? 'user' : 'background');
  let progressAt = Date.now();
  for (;;) {
    const state = await gate.next(b, w.quietMs);
    if (state === 'done') break;
    // quiet: the second side may wait for the first one, which goes one call further; with nothing of the
    // first side held, the second is only slow (a busy machine), and is given time before it counts as stuck.
    if (state === 'held' ? gate.releaseOne(b.side) : gate.releaseOne(a.side)) progressAt = Date.now();
    else if (Date.now() - progressAt > STUCK_MS) {
      problems.push(`${b.side} made no call and did not end for ${STUCK_MS / 1000} s with nothing of ${a.side} held`);
      break;
    }
  }
  gate.releaseAll();
  await Promise.all([a.promise, b.promise]);
  await h.idle();

  const allowed = scenario.changedOutside ? [200, 201, 409, 502] : [200, 201, 409];
  const got = answer as Awaited<ReturnType<UserAction['call']>> | null;
  if (!got) problems.push('the user got no answer');
  else if (!allowed.includes(got.status)) problems.push(`${action.name} answered ${got.status} ${got.body?.code ?? ''}: ${got.body?.message ?? ''}`);
  problems.push(...(await disagreements(w, id)));
  if (problems.length === 0) problems.push(...(await goOn(w, id)));
  const chain = verifyAuditChain(h.portal.db);
  if (!chain.ok) problems.push(`audit chain: ${chain.reason}`);
  return { exhausted, problems: problems.map((p) => `${p}  [calls: ${gate.trace.join(' ')}]`) };
}

/** Every k for one row of the table; the failures, each named by its interleaving. */
export async function runRow(makeWorld: () => Promise<World & { close(): Promise<void> }>, scenario: Scenario, action: UserAction, first: Side): Promise<{ runs: number; failures: string[] }> {
  const failures: string[] = [];
  let runs = 0;
  for (let k = 0; k < 20; k++) {
    const w = await makeWorld();
    try {
      const r = await runOne(w, scenario, action, first, k, `il-${k}`);
      runs += 1;
      for (const p of r.problems) failures.push(`${first} first, parked at its call ${k}: ${p}`);
      if (r.exhausted) break;
    } finally {
      await w.close();
    }
  }
  return { runs, failures };
}
