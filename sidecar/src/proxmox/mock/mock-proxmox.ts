/**
 * The portal's in-process Proxmox VE, its default backend for demos and domain tests: the ProxmoxClient over
 * the same simulated node the HTTP simulator serves (proxmox/model), called directly, so no network and no
 * start-up cost. What the node does (tasks with UPIDs that end later, clone and storage locks, nextid that
 * does not reserve, the guest agent answering a while after start, Proxmox's error texts) is written once,
 * there; this file only does what the HTTP client and Proxmox's parameter checks do on the way.
 */
import {
  kindOfMessage,
  taskSucceeded,
  ProxmoxClient,
  ProxmoxError,
  ProxmoxTemplate,
  ProxmoxVersion,
  TaskRef,
  TaskResult,
  VmConfigChange,
  VmState,
} from '../client';
import { DEMO_TEMPLATES, DEMO_UNAPPROVED_TEMPLATE } from '../demo-proxmox';
import type { TokenScope } from '../privileges';
import { usableAddresses } from '../usable-addresses';
import { normalizeTags, splitTags } from '../model/config-values';
import { Engine, isTemplate } from '../model/engine';
import { agentInterfaces } from '../model/guest-agent';
import { PveError } from '../model/pve-error';
import type { TaskRec, VmRec } from '../model/state-file';

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
   * JSON file holding VMs, tasks and the task counters. Loaded at construction (then `templates` is
   * ignored) and rewritten atomically after each change. One instance per file at a time.
   */
  stateFile?: string;
  /** Templates to seed when there is no state yet; default DEFAULT_MOCK_TEMPLATES. */
  templates?: readonly ProxmoxTemplate[];
  /** Queue overlapping full clones of one template instead of failing them on the storage lock (default false, as Proxmox). */
  serializeCloneLocks?: boolean;
}

/** A VM as the mock reports it to test assertions: its state and its size. */
export interface MockVm extends VmState {
  cores: number;
  memoryMb: number;
  diskGb: number;
  osType: string | null;
  onboot: boolean;
  startedAt: number | null;
}

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

/** Each task operation's Proxmox task type and how long it takes. */
const TASK_KIND: Record<MockTaskOperation, { type: string; timing: keyof MockTimings }> = {
  clone: { type: 'qmclone', timing: 'cloneMs' },
  start: { type: 'qmstart', timing: 'startMs' },
  shutdown: { type: 'qmshutdown', timing: 'shutdownMs' },
  stop: { type: 'qmstop', timing: 'stopMs' },
  delete: { type: 'qmdestroy', timing: 'deleteMs' },
};
/** The token the portal's tasks run as, as in a real UPID. */
const TOKEN = 'spp@pve!portal';
const MIN_VMID = 100;
const MAX_VMID = 999_999_999;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const MAX_TIMER_MS = 2 ** 31 - 1;

// Proxmox's own formats (pve-node / dns-name, pve-tag), checked as its parameter verification does.
const DNS_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

function paramError(param: string, message: string): ProxmoxError {
  // Proxmox answers 400 "Parameter verification failed." with the details per parameter.
  return new ProxmoxError('failed', `Parameter verification failed: ${param}: ${message}`);
}

/** What the node's refusal means to the portal; the message stays Proxmox's own. */
function fromPve(err: unknown): unknown {
  if (!(err instanceof PveError)) return err;
  if (err.status === 400) {
    const [param, message] = Object.entries(err.errors ?? {})[0] ?? ['', err.message];
    return paramError(param, message);
  }
  return new ProxmoxError(err.status === 403 ? 'forbidden' : kindOfMessage(err.message), err.message);
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

export class MockProxmox implements ProxmoxClient {
  readonly node: string;
  private readonly engine: Engine;
  private readonly faults = new Map<MockOperation, MockFault[]>();

  constructor(options: MockProxmoxOptions = {}) {
    this.node = options.node ?? 'pve-01';
    if (!NODE_NAME.test(this.node)) throw new RangeError(`invalid Proxmox node name '${this.node}'`);
    const t = resolveTimings(options.timings);
    this.engine = new Engine(
      {
        version: '9.1',
        node: this.node,
        timings: { ...t, configMs: 0, timeoutScale: 1, resourcesLagMs: 0, failFastMs: Math.min(10, t.startMs) },
        serializeCloneLocks: options.serializeCloneLocks ?? false,
        stateFile: options.stateFile ?? null,
        pools: [],
        nextIdLower: MIN_VMID,
      },
      (options.templates ?? DEFAULT_MOCK_TEMPLATES).map(({ osType, ...rest }) => ({ ...rest, ostype: osType })),
      [],
    );
  }

  // ---- ProxmoxClient ----

  async version(): Promise<ProxmoxVersion> {
    this.assertOpen();
    return { version: '9.1.3', release: '9.1' };
  }

  async listTemplates(): Promise<ProxmoxTemplate[]> {
    this.assertOpen();
    return this.sortedVms()
      .filter(isTemplate)
      .map((vm) => ({ vmid: vm.vmid, name: vm.config['name'] ?? `VM ${vm.vmid}`, ...this.sizeOf(vm) }));
  }

  async nextVmid(): Promise<number> {
    return this.call('nextVmid', () => this.engine.nextFreeId());
  }

  async cloneTemplate(params: { templateVmid: number; newVmid: number; name: string }): Promise<TaskRef> {
    const { templateVmid, newVmid, name } = params;
    return this.task('clone', String(templateVmid), () => {
      if (!Number.isInteger(newVmid) || newVmid < MIN_VMID || newVmid > MAX_VMID) {
        throw paramError('newid', `value must be an integer between ${MIN_VMID} and ${MAX_VMID}`);
      }
      if (!DNS_NAME.test(name)) throw paramError('name', 'invalid format - value does not look like a valid DNS name');
      const template = this.engine.vm(templateVmid);
      // full=1, as the HTTP client sends it: a linked clone would stay tied to the template's disks.
      return this.engine.clone(TOKEN, { vmid: template.vmid, newid: newVmid, name, full: true }, {});
    });
  }

  async configureVm(vmid: number, change: VmConfigChange): Promise<void> {
    this.call('configure', () => {
      const vm = this.engine.vm(vmid);
      this.engine.checkLock(vm);
      if (change.cores !== undefined && (!Number.isInteger(change.cores) || change.cores < 1 || change.cores > 1024)) {
        throw paramError('cores', 'value must be an integer between 1 and 1024');
      }
      if (change.memoryMb !== undefined && (!Number.isInteger(change.memoryMb) || change.memoryMb < 16)) {
        throw paramError('memory', 'value must be an integer of at least 16');
      }
      const badTag = change.tags?.find((tag) => !TAG.test(tag));
      if (badTag !== undefined) throw paramError('tags', `invalid format - invalid tag '${badTag}'`);

      const set: Record<string, string> = {};
      const del: string[] = [];
      if (change.cores !== undefined) set['cores'] = String(change.cores);
      if (change.memoryMb !== undefined) set['memory'] = String(change.memoryMb);
      if (change.tags !== undefined) {
        const tags = normalizeTags(change.tags.join(';'));
        if (tags === '') del.push('tags');
        else set['tags'] = tags;
      }
      if (change.onboot !== undefined) set['onboot'] = change.onboot ? '1' : '0';
      this.engine.applyConfig(vm, set, del);
    });
  }

  async startVm(vmid: number): Promise<TaskRef> {
    return this.task('start', String(vmid), () => this.engine.start(TOKEN, vmid, {}));
  }

  async shutdownVm(vmid: number, timeoutSeconds: number): Promise<TaskRef> {
    return this.task('shutdown', String(vmid), () => this.engine.shutdown(TOKEN, vmid, timeoutSeconds, false, {}));
  }

  async stopVm(vmid: number): Promise<TaskRef> {
    return this.task('stop', String(vmid), () => this.engine.stop(TOKEN, vmid, {}));
  }

  async deleteVm(vmid: number): Promise<TaskRef> {
    return this.task('delete', String(vmid), () => this.engine.destroy(TOKEN, vmid, {}));
  }

  async vmState(vmid: number): Promise<VmState | null> {
    return this.call('vmState', () => {
      const vm = this.engine.vms.get(vmid);
      return vm ? stateOf(vm) : null;
    });
  }

  async listVms(): Promise<VmState[]> {
    return this.call('listVms', () => this.sortedVms().map(stateOf));
  }

  async guestIps(vmid: number): Promise<string[]> {
    return this.call('guestIps', () => {
      const vm = this.engine.vm(vmid);
      let result;
      try {
        ({ result } = agentInterfaces(this.engine, vm));
      } catch (err) {
        // Not running, or the agent is still booting: no addresses yet, as the HTTP client reads it.
        if (err instanceof PveError && /not running/.test(err.message)) return [];
        throw err;
      }
      return usableAddresses(result.flatMap((iface) => iface['ip-addresses'].map((a) => a['ip-address'])));
    });
  }

  async waitTask(task: TaskRef, timeoutMs: number): Promise<TaskResult> {
    this.assertOpen();
    const record = task.node === this.node ? this.engine.tasks.get(task.upid) : undefined;
    if (!record) throw new ProxmoxError('not_found', 'no such task');
    if (record.status === 'stopped') return resultOf(record);
    return new Promise<TaskResult>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        cancel();
      };
      // Deliberately not unref'd: the node's task timers are, so this one keeps the process alive while awaited.
      const timer = setTimeout(() => {
        settle();
        reject(new ProxmoxError('timeout', `task ${record.upid} did not end within ${timeoutMs} ms`));
      }, Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS));
      // The node calls this when the task stops, or when it closes with the task still running.
      const cancel = this.engine.onTaskEnd(record, () => {
        settle();
        if (record.status === 'stopped') resolve(resultOf(record));
        else reject(new ProxmoxError('unreachable', 'mock Proxmox is closed'));
      });
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
    if (!(fault instanceof ProxmoxError) && !(operation in TASK_KIND)) {
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
      .filter((vm) => !isTemplate(vm))
      .map((vm) => ({ ...stateOf(vm), ...this.sizeOf(vm), onboot: vm.config['onboot'] === '1', startedAt: vm.startedAt }));
  }

  /** Stops all timers; pending waitTask calls reject with `unreachable`, later calls too. Idempotent. */
  close(): void {
    this.engine.close();
    this.faults.clear();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.engine.isClosed) throw new ProxmoxError('unreachable', 'mock Proxmox is closed');
  }

  /**
   * Runs one call on the node: an injected error first, then Proxmox's refusals in the portal's terms.
   * `failedTask` makes the task an injected exit status stands for (failNext lets only task operations have one).
   */
  private call<T>(operation: MockOperation, run: () => T, failedTask?: (exitStatus: string) => T): T {
    this.assertOpen();
    const fault = this.faults.get(operation)?.shift();
    if (fault instanceof ProxmoxError) throw fault;
    try {
      return fault !== undefined && failedTask ? failedTask(fault.taskExitStatus) : run();
    } catch (err) {
      throw fromPve(err);
    }
  }

  /** A task call; an injected exit status makes it a task of the same type and duration that fails and changes nothing. */
  private task(operation: MockTaskOperation, upidId: string, run: () => TaskRec): TaskRef {
    const { type, timing } = TASK_KIND[operation];
    const failed = (message: string): TaskRec =>
      this.engine.createTask(type, upidId, TOKEN, { kind: 'fail', message }, this.engine.opts.timings[timing], []);
    const record = this.call(operation, run, failed);
    return { upid: record.upid, node: record.node };
  }

  /** Sizes as the HTTP client reads them from Proxmox's VM list and config. */
  private sizeOf(vm: VmRec): Pick<ProxmoxTemplate, 'cores' | 'memoryMb' | 'diskGb' | 'osType'> {
    const { cpus, maxmem, maxdisk } = this.engine.vmSummary(vm);
    return { cores: cpus, memoryMb: maxmem / MIB, diskGb: Math.round(maxdisk / GIB), osType: vm.config['ostype'] ?? null };
  }

  private sortedVms(): VmRec[] {
    return [...this.engine.vms.values()].sort((a, b) => a.vmid - b.vmid);
  }
}

function stateOf(vm: VmRec): VmState {
  return {
    vmid: vm.vmid,
    name: vm.config['name'] ?? null,
    status: vm.status,
    lock: vm.config['lock'] ?? null,
    tags: splitTags(vm.config['tags']),
    template: isTemplate(vm),
  };
}

function resultOf(task: TaskRec): TaskResult {
  const exitStatus = task.exitstatus ?? 'unexpected status';
  return { ok: taskSucceeded(exitStatus), exitStatus };
}
