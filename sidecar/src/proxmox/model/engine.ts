/**
 * The simulated Proxmox VE node: VM configs, run states, config locks, worker tasks with real UPIDs and their
 * logs, the storage lock that makes parallel full clones fail, the guest agent, and persistence to a state file.
 * One model for both fakes: the portal's in-process mock (proxmox/mock) calls it directly, the HTTP simulator
 * (sidecar/simulator) puts Proxmox's HTTP API in front of it. Everything here speaks Proxmox's words
 * (messages are Proxmox's, without the trailing newline).
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { taskSucceeded } from '../client';
import { DEMO_TEMPLATES } from '../demo-proxmox';
import { formatUpid } from '../upid';
import { DISK_KEY, diskBytes, hash, macFor, memoryMb, normalizeTags, parseSizeBytes, splitTags } from './config-values';
import { errMissing, PveError } from './pve-error';
import { LegacyMockVm, loadNodeState, NodeState, saveNodeState, TaskAction, TaskRec, VmRec } from './state-file';
import type { SimGuestSpec, SimTaskInfo, SimTimings, SimVersion, SimVmInfo } from './types';

export interface EngineOptions {
  version: SimVersion;
  node: string;
  timings: Required<SimTimings>;
  serializeCloneLocks: boolean;
  stateFile: string | null;
  pools: string[];
  nextIdLower: number;
}

/** What a task run may be told by a fault: end with this exit status, or take this long. */
export interface TaskOverride {
  exit?: string;
  durationMs?: number;
}

const STORAGES: Record<string, { type: string; content: string; images: boolean; shared: 0 | 1; total: number; used: number }> = {
  'local-lvm': { type: 'lvmthin', content: 'rootdir,images', images: true, shared: 0, total: 1_862_288_883_712, used: 402_653_184_000 },
  local: { type: 'dir', content: 'vztmpl,iso,backup', images: false, shared: 0, total: 100_861_726_720, used: 14_958_694_400 },
};
export const STORAGE_IDS = Object.keys(STORAGES);
export function storageInfo(id: string): (typeof STORAGES)[string] | undefined {
  return STORAGES[id];
}

/** The demo node's three templates, the same as the portal's seed (proxmox/demo-proxmox.ts). */
export const DEFAULT_TEMPLATES: SimGuestSpec[] = DEMO_TEMPLATES.map(({ osType, ...t }) => ({ ...t, ostype: osType }));

const QEMU = { '8.4': { qemu: '9.2.0', machine: 'pc-i440fx-9.2+pve1' }, '9.1': { qemu: '10.1.2', machine: 'pc-i440fx-10.1+pve0' } };
/** Like a rotated task index: the oldest entries go. */
const KEEP_TASKS = 2000;
/** setTimeout fires at once for delays above 2^31-1 ms, so longer ones are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function isTemplate(vm: VmRec): boolean {
  return vm.config['template'] === '1';
}

export class Engine {
  readonly vms = new Map<number, VmRec>();
  readonly tasks = new Map<string, TaskRec>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Called once when a task stops, then forgotten. */
  private readonly taskEnded = new Map<string, Set<() => void>>();
  /** Storage lock key (`<src>:<storage>`) → when the last full clone holding/queued on it ends. */
  private cloneQueue = new Map<string, number>();
  bootEpoch: number;
  private pidCounter: number;
  private closed = false;

  constructor(
    readonly opts: EngineOptions,
    templates: SimGuestSpec[],
    vms: SimGuestSpec[],
  ) {
    this.bootEpoch = Date.now() - 3 * 86_400_000 - randomInt(86_400_000);
    this.pidCounter = 0x1000 + randomInt(0x8000);
    const loaded = opts.stateFile ? loadNodeState(opts.stateFile) : null;
    if (loaded && 'state' in loaded) {
      this.restore(loaded.state, opts.stateFile ?? '');
    } else if (loaded) {
      for (const vm of loaded.legacyVms) this.addLegacyGuest(vm);
    } else {
      for (const t of templates) this.addGuest(t, true);
      for (const v of vms) this.addGuest(v, false);
    }
    this.save();
  }

  // ---- guests -----------------------------------------------------------------------------------------

  private addGuest(spec: SimGuestSpec, template: boolean): void {
    if (this.vms.has(spec.vmid)) throw new Error(`duplicate VMID ${spec.vmid}`);
    const vmid = spec.vmid;
    const ostype = spec.ostype === undefined ? 'l26' : spec.ostype;
    const windows = /^w/.test(ostype ?? '');
    const prefix = template ? `base-${vmid}` : `vm-${vmid}`;
    const config: Record<string, string> = {
      boot: 'order=scsi0;net0',
      cores: String(spec.cores ?? 2),
      cpu: 'x86-64-v2-AES',
      memory: String(spec.memoryMb ?? 2048),
      meta: `creation-qemu=${QEMU[this.opts.version].qemu},ctime=${Math.floor(Date.now() / 1000) - 86_400 * 30}`,
      name: spec.name,
      net0: `virtio=${macFor(vmid, 'initial')},bridge=vmbr0,firewall=1`,
      numa: '0',
      scsi0: `local-lvm:${prefix}-disk-0,iothread=1,size=${spec.diskGb ?? 16}G`,
      scsihw: 'virtio-scsi-single',
      smbios1: `uuid=${randomUUID()}`,
      sockets: '1',
      vmgenid: randomUUID(),
    };
    if (ostype !== null) config['ostype'] = ostype;
    if (spec.agent !== false) config['agent'] = '1';
    if (windows) {
      config['bios'] = 'ovmf';
      config['machine'] = 'pc-q35-9.2+pve1';
      config['efidisk0'] = `local-lvm:${prefix}-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M`;
      config['tpmstate0'] = `local-lvm:${prefix}-disk-2,size=4M,version=v2.0`;
    }
    if (spec.tags && spec.tags.length > 0) config['tags'] = normalizeTags(spec.tags.join(';'));
    if (spec.onboot) config['onboot'] = '1';
    if (spec.lock) config['lock'] = spec.lock;
    if (template) config['template'] = '1';
    const running = !template && spec.status === 'running';
    this.vms.set(vmid, {
      vmid,
      config,
      status: running ? 'running' : 'stopped',
      startedAt: running ? Date.now() - 600_000 : null,
      pid: running ? this.nextPid() : null,
      acpi: spec.acpi ?? true,
      createdAt: Date.now() - 86_400_000,
      clonedFrom: null,
      linked: false,
      pool: null,
    });
  }

  /** A VM from the file the mock wrote before it ran on this model; a clone lock goes with the task that held it. */
  private addLegacyGuest(vm: LegacyMockVm): void {
    const { vmid, cores, memoryMb, diskGb, osType, tags, onboot, status, lock, template } = vm;
    const name = vm.name ?? `vm-${vmid}`;
    this.addGuest({ vmid, name, cores, memoryMb, diskGb, ostype: osType, tags, onboot, status, lock: lock === 'clone' ? null : lock }, template);
  }

  vm(vmid: number): VmRec {
    const vm = this.vms.get(vmid);
    if (!vm) throw errMissing(this.opts.node, vmid);
    return vm;
  }

  checkLock(vm: VmRec): void {
    const lock = vm.config['lock'];
    if (lock) throw new PveError(500, `VM is locked (${lock})`);
  }

  digest(vm: VmRec): string {
    const text = Object.keys(vm.config)
      .sort()
      .map((k) => `${k}: ${vm.config[k]}\n`)
      .join('');
    return createHash('sha1').update(text).digest('hex');
  }

  lockVm(vmid: number, lock: string | null): void {
    const vm = this.vms.get(vmid);
    if (!vm) throw new Error(`no VM ${vmid}`);
    if (lock) vm.config['lock'] = lock;
    else delete vm.config['lock'];
    this.save();
  }

  setAcpi(vmid: number, honoured: boolean): void {
    const vm = this.vms.get(vmid);
    if (!vm) throw new Error(`no VM ${vmid}`);
    vm.acpi = honoured;
    this.save();
  }

  nextFreeId(): number {
    for (let id = this.opts.nextIdLower; id < 1_000_000; id++) if (!this.vms.has(id)) return id;
    throw new PveError(500, `unable to get any free VMID in range [${this.opts.nextIdLower}, 1000000]`);
  }

  info(vm: VmRec): SimVmInfo {
    return {
      vmid: vm.vmid,
      name: vm.config['name'] ?? `VM ${vm.vmid}`,
      status: vm.status,
      lock: vm.config['lock'] ?? null,
      tags: splitTags(vm.config['tags']),
      template: isTemplate(vm),
      node: this.opts.node,
      cores: Number(vm.config['cores'] ?? 1),
      memoryMb: memoryMb(vm.config),
      onboot: vm.config['onboot'] === '1',
      clonedFrom: vm.clonedFrom,
      linked: vm.linked,
      pool: vm.pool,
    };
  }

  // ---- tasks ------------------------------------------------------------------------------------------

  private nextPid(): number {
    this.pidCounter += 1 + randomInt(40);
    if (this.pidCounter > 4_194_304) this.pidCounter = 0x1000;
    return this.pidCounter;
  }

  createTask(
    type: string,
    id: string,
    tokenId: string,
    action: TaskAction,
    durationMs: number,
    log: string[],
    override: TaskOverride = {},
  ): TaskRec {
    const now = Date.now();
    const pid = this.nextPid();
    const pstart = Math.floor((now - this.bootEpoch) / 10); // clock ticks (HZ=100) since boot
    const starttime = Math.floor(now / 1000);
    const bang = tokenId.indexOf('!');
    const task: TaskRec = {
      upid: formatUpid({ node: this.opts.node, pid, pstart, starttime, type, id, user: tokenId }),
      node: this.opts.node,
      pid,
      pstart,
      starttime,
      type,
      id,
      user: bang >= 0 ? tokenId.slice(0, bang) : tokenId,
      tokenid: bang >= 0 ? tokenId.slice(bang + 1) : null,
      status: 'running',
      exitstatus: null,
      log: [...log],
      endsAt: now + Math.max(0, override.durationMs ?? durationMs),
      action,
      forcedExit: override.exit ?? null,
    };
    this.tasks.set(task.upid, task);
    while (this.tasks.size > KEEP_TASKS) {
      const oldest = this.tasks.keys().next().value;
      if (oldest === undefined) break;
      this.tasks.delete(oldest);
    }
    this.schedule(task);
    this.save();
    return task;
  }

  private schedule(task: TaskRec): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.finish(task);
      },
      Math.min(Math.max(0, task.endsAt - Date.now()), MAX_TIMER_MS),
    );
    // Unref'd: an idle node never holds its process open; whoever awaits a task keeps it alive meanwhile.
    timer.unref();
    this.timers.add(timer);
  }

  private finish(task: TaskRec): void {
    if (task.status !== 'running') return;
    const forced = task.forcedExit;
    const forcedError = forced !== null && !taskSucceeded(forced);
    let exit: string;
    let lines: string[] = [];
    try {
      if (forcedError) {
        this.rollback(task.action);
        throw new PveError(500, forced);
      }
      ({ exit, lines } = this.complete(task.action));
      if (forced !== null) exit = forced;
    } catch (err) {
      exit = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
    }
    task.log.push(...lines);
    if (exit === 'OK') task.log.push('TASK OK');
    else if (/^WARNINGS: \d+$/.test(exit)) task.log.push(`TASK ${exit}`);
    else task.log.push(`TASK ERROR: ${exit}`);
    task.status = 'stopped';
    task.exitstatus = exit;
    this.save();
    const listeners = this.taskEnded.get(task.upid);
    this.taskEnded.delete(task.upid);
    for (const listener of listeners ?? []) listener();
  }

  /** Undo what a task did at its start when it fails (a forced error from a fault). */
  private rollback(action: TaskAction): void {
    if (action.kind === 'clone') this.dropClonePlaceholder(action.newid);
    if (action.kind === 'destroy') {
      const vm = this.vms.get(action.vmid);
      if (vm && vm.config['lock'] === 'destroyed') delete vm.config['lock'];
    }
  }

  private dropClonePlaceholder(newid: number): void {
    const vm = this.vms.get(newid);
    if (vm && vm.config['lock'] === 'clone') this.vms.delete(newid);
  }

  /** Applies the effect of a task at its end; throws with the task's error text. */
  private complete(action: TaskAction): { exit: string; lines: string[] } {
    const node = this.opts.node;
    switch (action.kind) {
      case 'fail':
        throw new PveError(500, action.message);
      case 'clone': {
        if (action.fail) {
          this.dropClonePlaceholder(action.newid);
          throw new PveError(500, action.fail);
        }
        const vm = this.vms.get(action.newid);
        if (!vm) throw new PveError(500, `clone failed: ${errMissing(node, action.newid).message}`);
        vm.config = { ...action.finalConfig };
        vm.pool = action.pool;
        return { exit: 'OK', lines: [] };
      }
      case 'start': {
        const vm = this.vm(action.vmid);
        vm.status = 'running';
        vm.startedAt = Date.now();
        vm.pid = this.nextPid();
        return { exit: 'OK', lines: [] };
      }
      case 'shutdown': {
        const vm = this.vm(action.vmid);
        if (!action.wasRunning || vm.status !== 'running') return { exit: 'OK', lines: [] };
        if (action.honoured) {
          this.stopped(vm);
          return { exit: 'OK', lines: [] };
        }
        if (action.forceStop) {
          this.stopped(vm);
          return { exit: 'WARNINGS: 1', lines: ['VM still running - terminating now with SIGTERM'] };
        }
        throw new PveError(500, 'VM quit/powerdown failed - got timeout');
      }
      case 'stop': {
        const vm = this.vm(action.vmid);
        this.stopped(vm);
        return { exit: 'OK', lines: [] };
      }
      case 'destroy': {
        const vm = this.vm(action.vmid);
        const volumes = Object.entries(vm.config)
          .filter(([k, v]) => DISK_KEY.test(k) && !v.includes('media=cdrom'))
          .map(([, v]) => (v.split(',')[0] ?? '').split(':')[1] ?? '');
        this.vms.delete(action.vmid);
        return { exit: 'OK', lines: volumes.map((v) => `  Logical volume "${v.replace(/^.*\//, '')}" successfully removed.`) };
      }
      case 'config': {
        const vm = this.vm(action.vmid);
        this.applyConfig(vm, action.set, action.del);
        return { exit: 'OK', lines: [] };
      }
    }
  }

  private stopped(vm: VmRec): void {
    vm.status = 'stopped';
    vm.startedAt = null;
    vm.pid = null;
  }

  applyConfig(vm: VmRec, set: Record<string, string>, del: string[]): void {
    for (const k of del) delete vm.config[k];
    for (const [k, v] of Object.entries(set)) vm.config[k] = v;
    this.save();
  }

  // ---- actions (synchronous part; the rest runs in the task) ------------------------------------------

  /**
   * Clone: the new VMID appears at once with the temporary config `lock: clone`; the final config is
   * written when the task ends. Full clones of one template onto one storage hold a storage lock.
   */
  clone(
    tokenId: string,
    p: { vmid: number; newid: number; name?: string; full?: boolean; storage?: string; pool?: string; description?: string },
    override: TaskOverride,
  ): TaskRec {
    const src = this.vm(p.vmid);
    this.checkLock(src);
    const full = p.full ?? !isTemplate(src);
    if (p.storage !== undefined && !full) throw new PveError(500, "parameter 'storage' not allowed for linked clones");
    if (!full && !isTemplate(src)) throw new PveError(500, "Linked clone feature is not supported for drive 'scsi0'");
    if (this.vms.has(p.newid)) throw new PveError(500, `unable to create VM ${p.newid}: config file already exists`);
    const storage = p.storage ?? 'local-lvm';

    const finalConfig: Record<string, string> = {};
    const lines: string[] = [];
    for (const [k, v] of Object.entries(src.config)) {
      if (k === 'template' || k === 'lock') continue;
      if (/^net\d+$/.test(k)) {
        finalConfig[k] = v.replace(/^(\w+)=([0-9A-Fa-f:]{17})/, (_m, model: string) => `${model}=${macFor(p.newid, `${k}:${randomUUID()}`)}`);
      } else if (DISK_KEY.test(k) && !v.includes('media=cdrom')) {
        const [volume = '', ...rest] = v.split(',');
        const [, volname = ''] = volume.split(':');
        const diskName = volname.replace(/^.*\//, '').replace(/^(base|vm)-\d+-/, `vm-${p.newid}-`);
        const newVolume = full ? `${storage}:${diskName}` : `local-lvm:${volname}/${diskName}`;
        finalConfig[k] = [newVolume, ...rest].join(',');
        lines.push(`create ${full ? 'full' : 'linked'} clone of drive ${k} (${volume})`);
        lines.push(`  Logical volume "${diskName}" created.`);
        if (full) {
          const size = /(?:^|,)size=([^,]+)/.exec(v)?.[1] ?? '0';
          const gib = (parseSizeBytes(size) / 1024 ** 3).toFixed(1);
          lines.push(`transferred 0.0 B of ${gib} GiB (0.00%)`, `transferred ${gib} GiB of ${gib} GiB (100.00%)`);
        }
      } else {
        finalConfig[k] = v;
      }
    }
    finalConfig['name'] = p.name ?? `Copy-of-VM-${src.config['name'] ?? p.vmid}`;
    finalConfig['smbios1'] = `uuid=${randomUUID()}`;
    if (src.config['vmgenid']) finalConfig['vmgenid'] = randomUUID();
    if (p.description !== undefined) finalConfig['description'] = p.description;

    const duration = override.durationMs ?? this.opts.timings.cloneMs;
    let fail: string | null = null;
    let effective = duration;
    if (full) {
      const key = `${p.vmid}:${storage}`;
      const busyUntil = this.cloneQueue.get(key) ?? 0;
      const now = Date.now();
      if (busyUntil > now) {
        if (this.opts.serializeCloneLocks) {
          effective = busyUntil - now + duration;
          this.cloneQueue.set(key, busyUntil + duration);
        } else {
          fail = `clone failed: can't lock file '/var/lock/pve-manager/pve-storage-${storage}' - got timeout`;
        }
      } else {
        this.cloneQueue.set(key, now + duration);
      }
    }

    this.vms.set(p.newid, {
      vmid: p.newid,
      config: { lock: 'clone' },
      status: 'stopped',
      startedAt: null,
      pid: null,
      acpi: src.acpi,
      createdAt: Date.now(),
      clonedFrom: p.vmid,
      linked: !full,
      pool: null,
    });
    const action: TaskAction = { kind: 'clone', src: p.vmid, newid: p.newid, finalConfig, pool: p.pool ?? null, linked: !full, fail };
    return this.createTask('qmclone', String(p.vmid), tokenId, action, effective, fail ? [] : lines, { exit: override.exit });
  }

  start(tokenId: string, vmid: number, override: TaskOverride): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    let failure: string | null = null;
    if (vm.config['lock']) failure = `VM is locked (${vm.config['lock']})`;
    else if (isTemplate(vm)) failure = "you can't start a vm if it's a template";
    else if (vm.status === 'running') failure = `VM ${vmid} already running`;
    if (failure) return this.createTask('qmstart', String(vmid), tokenId, { kind: 'fail', message: failure }, t.failFastMs, [], override);
    return this.createTask('qmstart', String(vmid), tokenId, { kind: 'start', vmid }, t.startMs, [], override);
  }

  shutdown(tokenId: string, vmid: number, timeoutS: number | undefined, forceStop: boolean, override: TaskOverride): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmshutdown', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    const wasRunning = vm.status === 'running';
    // Proxmox waits `timeout` seconds for the guest to power off: one that ignores ACPI, or takes longer, fails it.
    const budgetMs = (timeoutS ?? 60) * 1000 * t.timeoutScale;
    const honoured = vm.acpi && t.shutdownMs <= budgetMs;
    const waitMs = !wasRunning ? t.failFastMs : honoured ? t.shutdownMs : budgetMs;
    const action: TaskAction = { kind: 'shutdown', vmid, honoured, forceStop, wasRunning };
    return this.createTask('qmshutdown', String(vmid), tokenId, action, waitMs, [], override);
  }

  stop(tokenId: string, vmid: number, override: TaskOverride): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmstop', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    return this.createTask('qmstop', String(vmid), tokenId, { kind: 'stop', vmid }, vm.status === 'running' ? t.stopMs : t.failFastMs, [], override);
  }

  destroy(tokenId: string, vmid: number, override: TaskOverride): TaskRec {
    const vm = this.vm(vmid);
    if (vm.status === 'running') throw new PveError(500, `VM ${vmid} is running - destroy failed`);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmdestroy', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    vm.config['lock'] = 'destroyed';
    return this.createTask('qmdestroy', String(vmid), tokenId, { kind: 'destroy', vmid }, t.deleteMs, [], override);
  }

  configTask(tokenId: string, vmid: number, set: Record<string, string>, del: string[], override: TaskOverride): TaskRec {
    const lines = [
      ...Object.entries(set).map(([k, v]) => `update VM ${vmid}: -${k} ${v}`),
      ...(del.length > 0 ? [`update VM ${vmid}: -delete ${del.join(',')}`] : []),
    ];
    return this.createTask('qmconfig', String(vmid), tokenId, { kind: 'config', vmid, set, del }, this.opts.timings.configMs, lines, override);
  }

  /** Calls `listener` once when the task stops (at once if it has) or the node closes; returns what cancels it. */
  onTaskEnd(task: TaskRec, listener: () => void): () => void {
    if (task.status === 'stopped') {
      listener();
      return () => undefined;
    }
    let set = this.taskEnded.get(task.upid);
    if (!set) {
      set = new Set();
      this.taskEnded.set(task.upid, set);
    }
    const listeners = set;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Resolves when the task has stopped, after `ms`, or when the node closes. */
  waitTask(task: TaskRec, ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        cancel();
        resolve();
      };
      const timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      this.timers.add(timer);
      const cancel = this.onTaskEnd(task, done);
    });
  }

  // ---- views ------------------------------------------------------------------------------------------

  taskInfo(task: TaskRec): SimTaskInfo {
    return { upid: task.upid, type: task.type, id: task.id, status: task.status, exitstatus: task.exitstatus };
  }

  /** Pseudo statistics, stable for a VM and growing with uptime. */
  stats(vm: VmRec): { cpu: number; mem: number; netin: number; netout: number; diskread: number; diskwrite: number; uptime: number } {
    if (vm.status !== 'running' || vm.startedAt === null) return { cpu: 0, mem: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0, uptime: 0 };
    const uptime = Math.max(0, Math.floor((Date.now() - vm.startedAt) / 1000));
    const h = hash(`stats:${vm.vmid}`);
    const maxmem = memoryMb(vm.config) * 1024 * 1024;
    return {
      cpu: Number((((h[0] ?? 0) % 40) / 1000 + 0.002).toFixed(6)),
      mem: Math.floor(maxmem * (0.25 + ((h[1] ?? 0) % 30) / 100)),
      netin: 1_200 * uptime + (h[2] ?? 0) * 1000,
      netout: 800 * uptime + (h[3] ?? 0) * 1000,
      diskread: 350_000_000 + 50_000 * uptime,
      diskwrite: 20_000_000 + 80_000 * uptime,
      uptime,
    };
  }

  vmSummary(vm: VmRec): { cpus: number; maxmem: number; maxdisk: number } {
    return {
      cpus: Number(vm.config['cores'] ?? 1) * Number(vm.config['sockets'] ?? 1),
      maxmem: memoryMb(vm.config) * 1024 * 1024,
      maxdisk: diskBytes(vm.config),
    };
  }

  qemuVersion(): { qemu: string; machine: string } {
    return QEMU[this.opts.version];
  }

  // ---- persistence ------------------------------------------------------------------------------------

  save(): void {
    const file = this.opts.stateFile;
    if (!file) return;
    const state: NodeState = {
      format: 1,
      version: this.opts.version,
      node: this.opts.node,
      bootEpoch: this.bootEpoch,
      pidCounter: this.pidCounter,
      vms: [...this.vms.values()],
      tasks: [...this.tasks.values()],
      cloneQueue: Object.fromEntries(this.cloneQueue),
    };
    saveNodeState(file, state);
  }

  private restore(state: NodeState, file: string): void {
    if (state.node !== this.opts.node) throw new Error(`${file} belongs to node '${state.node}', not '${this.opts.node}'`);
    this.bootEpoch = state.bootEpoch;
    this.pidCounter = state.pidCounter;
    for (const vm of state.vms) this.vms.set(vm.vmid, vm);
    this.cloneQueue = new Map(Object.entries(state.cloneQueue));
    for (const task of state.tasks) {
      this.tasks.set(task.upid, task);
      if (task.status === 'running') this.schedule(task); // overdue tasks finish at once
    }
  }

  /** Stops every timer and saves; whoever waits on a task is called now, with the task still running. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.save();
    const listeners = [...this.taskEnded.values()].flatMap((set) => [...set]);
    this.taskEnded.clear();
    for (const listener of listeners) listener();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
