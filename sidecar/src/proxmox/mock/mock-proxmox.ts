/**
 * An in-process Proxmox VE: the portal's default backend for demos and domain tests. It keeps Proxmox's
 * real shape on purpose (long operations return a UPID that ends later, clones are locked meanwhile,
 * nextid does not reserve, the guest agent answers only a while after start, error texts match Proxmox's)
 * so that code written against the mock survives contact with a real cluster.
 */
import { uptime } from 'node:os';
import {
  ProxmoxClient,
  ProxmoxError,
  ProxmoxTemplate,
  ProxmoxVersion,
  TaskRef,
  TaskResult,
  VmConfigChange,
  VmState,
} from '../client';
import { DEMO_TEMPLATES, DEMO_UNAPPROVED_TEMPLATE, guestIpv4 } from '../demo-proxmox';
import type { TokenScope } from '../privileges';
import { loadMockState, MockStateData, MockTaskRecord, MockTaskType, MockVmRecord, saveMockState } from './mock-state';
import { formatUpid } from '../upid';

export interface MockTimings {
  cloneMs: number;
  startMs: number;
  shutdownMs: number;
  stopMs: number;
  deleteMs: number;
  /** How long after start the guest agent reports addresses. */
  agentDelayMs: number;
}

export const DEFAULT_MOCK_TIMINGS: Readonly<MockTimings> = {
  cloneMs: 3000,
  startMs: 1000,
  shutdownMs: 1000,
  stopMs: 500,
  deleteMs: 1000,
  agentDelayMs: 2000,
};

/** The demo node's templates: the three the portal ships with, and one more for "import". */
export const DEFAULT_MOCK_TEMPLATES: readonly ProxmoxTemplate[] = [...DEMO_TEMPLATES, DEMO_UNAPPROVED_TEMPLATE];

export interface MockProxmoxOptions {
  /** Node name used in UPIDs and error texts; default `pve-01`. */
  node?: string;
  /** Per-field overrides of DEFAULT_MOCK_TIMINGS; tests pass a few milliseconds. */
  timings?: Partial<MockTimings>;
  /**
   * JSON file holding VMs, tasks and the UPID counter. Loaded at construction (then `templates` is
   * ignored) and rewritten atomically after each change. One instance per file at a time.
   */
  stateFile?: string;
  /** Templates to seed when there is no state yet; default DEFAULT_MOCK_TEMPLATES. */
  templates?: readonly ProxmoxTemplate[];
}

/** A full VM record as the mock keeps it, for test assertions. */
export type MockVm = MockVmRecord;

export type MockOperation =
  | 'clone'
  | 'configure'
  | 'start'
  | 'shutdown'
  | 'stop'
  | 'delete'
  | 'guestIps'
  | 'vmState'
  | 'listVms'
  | 'nextVmid';

/** Operations that return a task, and so can also be made to fail as a task. */
export type MockTaskOperation = 'clone' | 'start' | 'shutdown' | 'stop' | 'delete';

/** Throw this error from the call, or return a task that ends with this exit status and changes nothing. */
export type MockFault = ProxmoxError | { taskExitStatus: string };

const TASK_USER = 'spp@pve!portal';
const MIN_VMID = 100;
const MAX_VMID = 999_999_999;
/** Finished tasks kept for waitTask; older ones are forgotten like a rotated task log. */
const KEEP_FINISHED_TASKS = 500;
/** setTimeout fires immediately for delays above 2^31-1 ms, so longer waits are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// Proxmox's own formats (pve-node / dns-name, pve-tag), so the mock refuses what Proxmox refuses.
const DNS_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

interface Waiter {
  resolve(result: TaskResult): void;
  reject(err: ProxmoxError): void;
}

function timerDelay(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0;
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

function paramError(param: string, message: string): ProxmoxError {
  // Proxmox answers 400 "Parameter verification failed." with the details per parameter.
  return new ProxmoxError('failed', `Parameter verification failed: ${param}: ${message}`);
}

function resolveTimings(overrides: Partial<MockTimings> | undefined): MockTimings {
  const t: MockTimings = { ...DEFAULT_MOCK_TIMINGS };
  for (const key of Object.keys(t) as (keyof MockTimings)[]) {
    const value = overrides?.[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`mock Proxmox timing ${key} must be >= 0`);
    t[key] = value;
  }
  return t;
}

function templateRecord(t: ProxmoxTemplate): MockVmRecord {
  return {
    vmid: t.vmid,
    name: t.name,
    status: 'stopped',
    lock: null,
    tags: [],
    template: true,
    cores: t.cores,
    memoryMb: t.memoryMb,
    diskGb: t.diskGb,
    osType: t.osType,
    onboot: false,
    startedAt: null,
  };
}

function copyVm(vm: MockVmRecord): MockVmRecord {
  return { ...vm, tags: [...vm.tags] };
}

export class MockProxmox implements ProxmoxClient {
  readonly node: string;
  private readonly timings: MockTimings;
  private readonly stateFile: string | null;
  private readonly vmsById = new Map<number, MockVmRecord>();
  /** Insertion order is creation order, which pruning relies on. */
  private readonly tasks = new Map<string, MockTaskRecord>();
  private upidCounter = 0;
  /** UPIDs carry the process start in clock ticks since boot; fixed per instance like a real pvedaemon. */
  private readonly pstart = Math.floor(uptime() * 100);
  private readonly taskTimers = new Map<string, NodeJS.Timeout>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly faults = new Map<MockOperation, MockFault[]>();
  private closed = false;

  constructor(options: MockProxmoxOptions = {}) {
    this.node = options.node ?? 'pve-01';
    if (!NODE_NAME.test(this.node)) throw new RangeError(`invalid Proxmox node name '${this.node}'`);
    this.timings = resolveTimings(options.timings);
    this.stateFile = options.stateFile ?? null;

    const loaded = this.stateFile !== null ? loadMockState(this.stateFile) : null;
    if (loaded) {
      this.upidCounter = loaded.upidCounter;
      for (const vm of loaded.vms) this.vmsById.set(vm.vmid, vm);
      for (const task of loaded.tasks) this.tasks.set(task.upid, task);
    } else {
      for (const t of options.templates ?? DEFAULT_MOCK_TEMPLATES) this.vmsById.set(t.vmid, templateRecord(t));
    }
    // Tasks that were running when the previous instance stopped carry on (or end now if overdue),
    // so a clone never stays locked forever across a sidecar restart.
    for (const task of [...this.tasks.values()]) if (task.result === null) this.schedule(task);
    this.persist();
  }

  // ---- ProxmoxClient ----

  async version(): Promise<ProxmoxVersion> {
    this.assertOpen();
    return { version: '9.1.3', release: '9.1' };
  }

  async listTemplates(): Promise<ProxmoxTemplate[]> {
    this.assertOpen();
    return this.sortedVms()
      .filter((vm) => vm.template)
      .map((vm) => ({
        vmid: vm.vmid,
        name: vm.name ?? `VM ${vm.vmid}`,
        cores: vm.cores,
        memoryMb: vm.memoryMb,
        diskGb: vm.diskGb,
        osType: vm.osType,
      }));
  }

  async nextVmid(): Promise<number> {
    this.assertOpen();
    this.throwFault('nextVmid');
    // Like /cluster/nextid: the lowest free id, not reserved; the clone decides who wins.
    let id = MIN_VMID;
    while (this.vmsById.has(id)) id += 1;
    return id;
  }

  async cloneTemplate(params: { templateVmid: number; newVmid: number; name: string }): Promise<TaskRef> {
    this.assertOpen();
    const { templateVmid, newVmid, name } = params;
    const failWith = this.taskFault('clone');
    if (failWith !== null) return this.startTask('qmclone', newVmid, templateVmid, this.timings.cloneMs, failWith);

    if (!Number.isInteger(newVmid) || newVmid < MIN_VMID || newVmid > MAX_VMID) {
      throw paramError('newid', `value must be an integer between ${MIN_VMID} and ${MAX_VMID}`);
    }
    if (!DNS_NAME.test(name)) throw paramError('name', 'invalid format - value does not look like a valid DNS name');
    const template = this.vmsById.get(templateVmid);
    if (!template || !template.template) throw this.notFound(templateVmid);
    if (this.vmsById.has(newVmid)) {
      throw new ProxmoxError('already_exists', `unable to create VM ${newVmid}: config file already exists`);
    }

    // The new VM exists at once, locked, exactly as Proxmox writes its config before copying disks.
    this.vmsById.set(newVmid, {
      ...copyVm(template),
      vmid: newVmid,
      name,
      status: 'stopped',
      lock: 'clone',
      template: false,
      onboot: false,
      startedAt: null,
    });
    return this.startTask('qmclone', newVmid, templateVmid, this.timings.cloneMs, null);
  }

  async configureVm(vmid: number, change: VmConfigChange): Promise<void> {
    this.assertOpen();
    this.throwFault('configure');
    const vm = this.unlockedVm(vmid);
    if (change.cores !== undefined && (!Number.isInteger(change.cores) || change.cores < 1 || change.cores > 1024)) {
      throw paramError('cores', 'value must be an integer between 1 and 1024');
    }
    if (change.memoryMb !== undefined && (!Number.isInteger(change.memoryMb) || change.memoryMb < 16)) {
      throw paramError('memory', 'value must be an integer of at least 16');
    }
    const badTag = change.tags?.find((tag) => !TAG.test(tag));
    if (badTag !== undefined) throw paramError('tags', `invalid format - invalid tag '${badTag}'`);

    if (change.cores !== undefined) vm.cores = change.cores;
    if (change.memoryMb !== undefined) vm.memoryMb = change.memoryMb;
    if (change.tags !== undefined) vm.tags = [...change.tags];
    if (change.onboot !== undefined) vm.onboot = change.onboot;
    this.persist();
  }

  async startVm(vmid: number): Promise<TaskRef> {
    this.assertOpen();
    const failWith = this.taskFault('start');
    if (failWith !== null) return this.startTask('qmstart', vmid, vmid, this.timings.startMs, failWith);
    const vm = this.unlockedVm(vmid);
    if (vm.template) throw new ProxmoxError('failed', "you can't start a vm if it's a template");
    // Proxmox accepts the request and lets the worker task fail, so the caller sees it only in waitTask.
    const already = vm.status === 'running' ? `VM ${vmid} already running` : null;
    return this.startTask('qmstart', vmid, vmid, this.timings.startMs, already);
  }

  async shutdownVm(vmid: number, timeoutSeconds: number): Promise<TaskRef> {
    this.assertOpen();
    const failWith = this.taskFault('shutdown');
    if (failWith !== null) return this.startTask('qmshutdown', vmid, vmid, this.timings.shutdownMs, failWith);
    this.unlockedVm(vmid);
    // A guest slower than the timeout makes the task fail and stay running, as with a real hung guest,
    // so the caller's fallback to stopVm gets exercised.
    const timeoutMs = timeoutSeconds * 1000;
    if (Number.isFinite(timeoutMs) && timeoutMs >= 0 && timeoutMs < this.timings.shutdownMs) {
      return this.startTask('qmshutdown', vmid, vmid, timeoutMs, 'VM quit/powerdown failed');
    }
    return this.startTask('qmshutdown', vmid, vmid, this.timings.shutdownMs, null);
  }

  async stopVm(vmid: number): Promise<TaskRef> {
    this.assertOpen();
    const failWith = this.taskFault('stop');
    if (failWith !== null) return this.startTask('qmstop', vmid, vmid, this.timings.stopMs, failWith);
    this.unlockedVm(vmid);
    return this.startTask('qmstop', vmid, vmid, this.timings.stopMs, null);
  }

  async deleteVm(vmid: number): Promise<TaskRef> {
    this.assertOpen();
    const failWith = this.taskFault('delete');
    if (failWith !== null) return this.startTask('qmdestroy', vmid, vmid, this.timings.deleteMs, failWith);
    const vm = this.unlockedVm(vmid);
    if (vm.status === 'running') throw new ProxmoxError('failed', `VM ${vmid} is running - destroy failed`);
    return this.startTask('qmdestroy', vmid, vmid, this.timings.deleteMs, null);
  }

  async vmState(vmid: number): Promise<VmState | null> {
    this.assertOpen();
    this.throwFault('vmState');
    const vm = this.vmsById.get(vmid);
    if (!vm) return null;
    return { vmid, name: vm.name, status: vm.status, lock: vm.lock, tags: [...vm.tags], template: vm.template };
  }

  async listVms(): Promise<VmState[]> {
    this.assertOpen();
    this.throwFault('listVms');
    return this.sortedVms().map((vm) => ({ vmid: vm.vmid, name: vm.name, status: vm.status, lock: vm.lock, tags: [...vm.tags], template: vm.template }));
  }

  async guestIps(vmid: number): Promise<string[]> {
    this.assertOpen();
    this.throwFault('guestIps');
    const vm = this.vmsById.get(vmid);
    if (!vm) throw this.notFound(vmid);
    if (vm.status !== 'running' || vm.startedAt === null) return [];
    // The agent needs the guest to boot first; until then Proxmox reports "agent not running".
    if (Date.now() - vm.startedAt < this.timings.agentDelayMs) return [];
    return [guestIpv4(vmid)]; // already free of loopback and link-local
  }

  async waitTask(task: TaskRef, timeoutMs: number): Promise<TaskResult> {
    this.assertOpen();
    const record = task.node === this.node ? this.tasks.get(task.upid) : undefined;
    if (!record) throw new ProxmoxError('not_found', 'no such task');
    if (record.result !== null) return { ...record.result };

    let set = this.waiters.get(record.upid);
    if (!set) {
      set = new Set();
      this.waiters.set(record.upid, set);
    }
    const waiters = set;
    return new Promise<TaskResult>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (result) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(result);
        },
        reject: (err) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(err);
        },
      };
      // Deliberately not unref'd: the task timers are, so this one keeps the process alive while awaited.
      const timer = setTimeout(
        () => waiter.reject(new ProxmoxError('timeout', `task ${record.upid} did not end within ${timeoutMs} ms`)),
        timerDelay(timeoutMs),
      );
      waiters.add(waiter);
    });
  }

  /** The mock has no token to confine: nothing is missing and nothing is in excess, pool or not. */
  async privilegeReport(_scope: TokenScope): Promise<{ missing: string[]; excess: string[] }> {
    this.assertOpen();
    return { missing: [], excess: [] };
  }

  // ---- test and demo helpers ----

  /**
   * Makes the next call of `operation` fail: a ProxmoxError is thrown by the call; `{ taskExitStatus }`
   * (task operations only) returns a task that ends not ok with that status and changes nothing.
   * Faults queue up per operation and win over every other check.
   */
  failNext(operation: MockTaskOperation, fault: MockFault): void;
  failNext(operation: MockOperation, fault: ProxmoxError): void;
  failNext(operation: MockOperation, fault: MockFault): void {
    const taskOps: readonly MockOperation[] = ['clone', 'start', 'shutdown', 'stop', 'delete'];
    if (!(fault instanceof ProxmoxError) && !taskOps.includes(operation)) {
      throw new TypeError(`${operation} returns no task, so it can only fail with a ProxmoxError`);
    }
    const queue = this.faults.get(operation) ?? [];
    queue.push(fault);
    this.faults.set(operation, queue);
  }

  /** Drops every fault not yet taken, as the simulator's clearFaults does. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Non-template VMs, sorted by VMID; copies, so assertions see a snapshot. */
  vms(): MockVm[] {
    return this.sortedVms()
      .filter((vm) => !vm.template)
      .map(copyVm);
  }

  /** Stops all timers; pending waitTask calls reject with `unreachable`, later calls too. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.taskTimers.values()) clearTimeout(timer);
    this.taskTimers.clear();
    const err = new ProxmoxError('unreachable', 'mock Proxmox is closed');
    for (const set of this.waiters.values()) for (const waiter of [...set]) waiter.reject(err);
    this.waiters.clear();
    this.faults.clear();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new ProxmoxError('unreachable', 'mock Proxmox is closed');
  }

  private takeFault(operation: MockOperation): MockFault | undefined {
    return this.faults.get(operation)?.shift();
  }

  private throwFault(operation: MockOperation): void {
    const fault = this.takeFault(operation);
    if (fault instanceof ProxmoxError) throw fault;
  }

  /** Throws an injected error; returns an injected task exit status, or null when nothing is injected. */
  private taskFault(operation: MockTaskOperation): string | null {
    const fault = this.takeFault(operation);
    if (fault === undefined) return null;
    if (fault instanceof ProxmoxError) throw fault;
    return fault.taskExitStatus;
  }

  private notFound(vmid: number): ProxmoxError {
    return new ProxmoxError('not_found', `Configuration file 'nodes/${this.node}/qemu-server/${vmid}.conf' does not exist`);
  }

  private unlockedVm(vmid: number): MockVmRecord {
    const vm = this.vmsById.get(vmid);
    if (!vm) throw this.notFound(vmid);
    if (vm.lock !== null) throw new ProxmoxError('locked', `VM is locked (${vm.lock})`);
    return vm;
  }

  private sortedVms(): MockVmRecord[] {
    return [...this.vmsById.values()].sort((a, b) => a.vmid - b.vmid);
  }

  /** `vmid` is what the task acts on; `upidId` is what the UPID names (the source template for qmclone). */
  private startTask(type: MockTaskType, vmid: number, upidId: number, durationMs: number, failWith: string | null): TaskRef {
    this.upidCounter += 1;
    const now = Date.now();
    const upid = formatUpid({
      node: this.node,
      pid: this.upidCounter,
      pstart: this.pstart,
      starttime: Math.floor(now / 1000),
      type,
      id: String(upidId),
      user: TASK_USER,
    });
    const task: MockTaskRecord = { upid, type, vmid, endsAt: now + durationMs, failWith, result: null };
    this.tasks.set(upid, task);
    this.schedule(task);
    this.persist();
    return { upid, node: this.node };
  }

  private schedule(task: MockTaskRecord): void {
    const delay = task.endsAt - Date.now();
    if (delay <= 0) {
      this.finish(task);
      return;
    }
    const timer = setTimeout(() => this.finish(task), timerDelay(delay));
    // Unref'd so an idle mock never holds the process open; waitTask keeps it alive while awaited.
    timer.unref();
    this.taskTimers.set(task.upid, timer);
  }

  private finish(task: MockTaskRecord): void {
    this.taskTimers.delete(task.upid);
    const result: TaskResult =
      task.failWith !== null ? { ok: false, exitStatus: task.failWith } : this.applyEffect(task);
    task.result = result;
    this.pruneTasks();
    this.persist();
    const set = this.waiters.get(task.upid);
    this.waiters.delete(task.upid);
    if (set) for (const waiter of [...set]) waiter.resolve({ ...result });
  }

  /** The state change a task makes when it ends; checked again now because things may have moved meanwhile. */
  private applyEffect(task: MockTaskRecord): TaskResult {
    const vm = this.vmsById.get(task.vmid);
    if (!vm) return { ok: false, exitStatus: this.notFound(task.vmid).message };
    switch (task.type) {
      case 'qmclone':
        if (vm.lock === 'clone') vm.lock = null;
        break;
      case 'qmstart':
        if (vm.status === 'running') return { ok: false, exitStatus: `VM ${vm.vmid} already running` };
        vm.status = 'running';
        // endsAt, not now: after a restart the VM has been up since the task ended, agent delay included.
        vm.startedAt = task.endsAt;
        break;
      case 'qmshutdown':
      case 'qmstop':
        vm.status = 'stopped';
        vm.startedAt = null;
        break;
      case 'qmdestroy':
        if (vm.status === 'running') return { ok: false, exitStatus: `VM ${vm.vmid} is running - destroy failed` };
        this.vmsById.delete(vm.vmid);
        break;
    }
    return { ok: true, exitStatus: 'OK' };
  }

  private pruneTasks(): void {
    let finished = 0;
    for (const task of this.tasks.values()) if (task.result !== null) finished += 1;
    for (const [upid, task] of this.tasks) {
      if (finished <= KEEP_FINISHED_TASKS) break;
      if (task.result === null) continue;
      this.tasks.delete(upid);
      finished -= 1;
    }
  }

  private persist(): void {
    if (this.stateFile === null) return;
    const state: MockStateData = {
      version: 1,
      upidCounter: this.upidCounter,
      vms: this.sortedVms(),
      tasks: [...this.tasks.values()],
    };
    saveMockState(this.stateFile, state);
  }
}
