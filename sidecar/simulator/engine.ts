/**
 * The simulated node: VM configs, run states, config locks, worker tasks with real UPIDs and their logs, the
 * storage lock that makes parallel full clones fail, and persistence to a state file. HTTP lives in server.ts;
 * everything here speaks Proxmox's words (messages are Proxmox's, without the trailing newline).
 */
import { DEMO_TEMPLATES } from '../src/proxmox/demo-proxmox';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimGuestSpec, SimTaskInfo, SimTimings, SimVersion, SimVmInfo } from './types';
import { encodeUpid } from './upid';

/** An error Proxmox reports with this HTTP status; `message` without the trailing newline. */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

export const paramError = (errors: Record<string, string>): PveError => new PveError(400, 'Parameter verification failed.', errors);

export interface VmRec {
  vmid: number;
  /** The config file: key → value as written in /etc/pve/qemu-server/<vmid>.conf. */
  config: Record<string, string>;
  status: 'running' | 'stopped';
  /** When the guest reached `running` (epoch ms). */
  startedAt: number | null;
  pid: number | null;
  /** Whether the guest reacts to an ACPI shutdown. */
  acpi: boolean;
  createdAt: number;
  clonedFrom: number | null;
  linked: boolean;
  pool: string | null;
}

export type TaskAction =
  | { kind: 'clone'; src: number; newid: number; finalConfig: Record<string, string>; pool: string | null; linked: boolean; fail: string | null }
  | { kind: 'start'; vmid: number }
  | { kind: 'shutdown'; vmid: number; honoured: boolean; forceStop: boolean; wasRunning: boolean }
  | { kind: 'stop'; vmid: number }
  | { kind: 'destroy'; vmid: number }
  | { kind: 'config'; vmid: number; set: Record<string, string>; del: string[] }
  | { kind: 'fail'; message: string };

export interface TaskRec {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  /** `user@realm` */
  user: string;
  tokenid: string | null;
  status: 'running' | 'stopped';
  exitstatus: string | null;
  log: string[];
  endsAt: number;
  action: TaskAction;
  /** Exit status forced by a fault (`taskExit`). */
  forcedExit: string | null;
}

export interface EngineOptions {
  version: SimVersion;
  node: string;
  timings: Required<SimTimings>;
  serializeCloneLocks: boolean;
  stateFile: string | null;
  pools: string[];
  nextIdLower: number;
}

const STORAGES: Record<string, { type: string; content: string; images: boolean; shared: 0 | 1; total: number; used: number }> = {
  'local-lvm': { type: 'lvmthin', content: 'rootdir,images', images: true, shared: 0, total: 1_862_288_883_712, used: 402_653_184_000 },
  local: { type: 'dir', content: 'vztmpl,iso,backup', images: false, shared: 0, total: 100_861_726_720, used: 14_958_694_400 },
};
export const STORAGE_IDS = Object.keys(STORAGES);
export function storageInfo(id: string): (typeof STORAGES)[string] | undefined {
  return STORAGES[id];
}

const DISK_KEY = /^(scsi|virtio|sata|ide)\d+$|^efidisk0$|^tpmstate0$/;

/** The demo node's three templates, the same as the mock's and the portal's seed (src/proxmox/demo-proxmox.ts). */
export const DEFAULT_TEMPLATES: SimGuestSpec[] = DEMO_TEMPLATES.map(({ osType, ...t }) => ({ ...t, ostype: osType }));

const QEMU = { '8.4': { qemu: '9.2.0', machine: 'pc-i440fx-9.2+pve1' }, '9.1': { qemu: '10.1.2', machine: 'pc-i440fx-10.1+pve0' } };

function hash(text: string): Buffer {
  return createHash('sha1').update(text).digest();
}

/** Proxmox's OUI (BC:24:11) plus three bytes derived from the VMID and a salt. */
export function macFor(vmid: number, salt: string): string {
  const h = hash(`${vmid}:${salt}`);
  return ['BC', '24', '11', ...[h[0], h[1], h[2]].map((b) => (b ?? 0).toString(16).toUpperCase().padStart(2, '0'))].join(':');
}


/** EUI-64 link-local address of a MAC. */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const e = [(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  const groups = [0, 2, 4, 6].map((i) => (((e[i] ?? 0) << 8) | (e[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}

export function parseSizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(size);
  if (!m) return 0;
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] ?? ''] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

export function memoryMb(config: Record<string, string>): number {
  const m = /(?:^|,)(?:current=)?(\d+)(?:,|$)/.exec(config['memory'] ?? '512');
  return Number(m?.[1] ?? 512);
}

export function splitTags(value: string | undefined): string[] {
  return (value ?? '').split(/[;, ]+/).filter((t) => t !== '');
}

/** Proxmox's `get_unique_tags` with the default `tag-style` ordering: deduplicated, sorted. */
export function normalizeTags(value: string): string {
  const seen = new Map<string, string>();
  for (const t of splitTags(value)) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()].sort((a, b) => a.localeCompare(b)).join(';');
}

export function isTemplate(vm: VmRec): boolean {
  return vm.config['template'] === '1';
}

export function agentEnabled(config: Record<string, string>): boolean | null {
  const a = config['agent'];
  if (a === undefined) return null;
  const m = /(?:^|,)(?:enabled=)?([01]|on|off|yes|no|true|false)(?:,|$)/i.exec(a);
  return m ? /^(1|on|yes|true)$/i.test(m[1] ?? '') : false;
}

function diskBytes(config: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(config)) {
    if (!/^(scsi|virtio|sata|ide)\d+$/.test(k) || v.includes('media=cdrom')) continue;
    const m = /(?:^|,)size=([^,]+)/.exec(v);
    if (m?.[1]) total += parseSizeBytes(m[1]);
  }
  return total;
}

function errMissing(node: string, vmid: number): PveError {
  return new PveError(500, `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
}

interface PersistedState {
  format: 1;
  version: SimVersion;
  node: string;
  bootEpoch: number;
  pidCounter: number;
  vms: VmRec[];
  tasks: TaskRec[];
  cloneQueue: Record<string, number>;
}

export class Engine {
  readonly vms = new Map<number, VmRec>();
  readonly tasks = new Map<string, TaskRec>();
  private readonly timers = new Set<NodeJS.Timeout>();
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
    if (opts.stateFile && existsSync(opts.stateFile)) {
      this.load(opts.stateFile);
    } else {
      for (const t of templates) this.addGuest(t, true);
      for (const v of vms) this.addGuest(v, false);
      this.save();
    }
  }

  // ---- guests -----------------------------------------------------------------------------------------

  private addGuest(spec: SimGuestSpec, template: boolean): void {
    if (this.vms.has(spec.vmid)) throw new Error(`duplicate VMID ${spec.vmid}`);
    const vmid = spec.vmid;
    const windows = /^w/.test(spec.ostype ?? 'l26');
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
      ostype: spec.ostype ?? 'l26',
      scsi0: `local-lvm:${prefix}-disk-0,iothread=1,size=${spec.diskGb ?? 16}G`,
      scsihw: 'virtio-scsi-single',
      smbios1: `uuid=${randomUUID()}`,
      sockets: '1',
      vmgenid: randomUUID(),
    };
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
    override: { exit?: string; durationMs?: number } = {},
  ): TaskRec {
    const now = Date.now();
    const pid = this.nextPid();
    const pstart = Math.floor((now - this.bootEpoch) / 10); // clock ticks (HZ=100) since boot
    const starttime = Math.floor(now / 1000);
    const bang = tokenId.indexOf('!');
    const task: TaskRec = {
      upid: encodeUpid({ node: this.opts.node, pid, pstart, starttime, type, id, user: tokenId }),
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
    while (this.tasks.size > 2000) {
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
      Math.max(0, task.endsAt - Date.now()),
    );
    this.timers.add(timer);
  }

  private finish(task: TaskRec): void {
    if (task.status !== 'running') return;
    const forced = task.forcedExit;
    const forcedError = forced !== null && forced !== 'OK' && !/^WARNINGS: \d+$/.test(forced);
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
    override: { exit?: string; durationMs?: number },
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

  start(tokenId: string, vmid: number, override: { exit?: string; durationMs?: number }): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    let failure: string | null = null;
    if (vm.config['lock']) failure = `VM is locked (${vm.config['lock']})`;
    else if (isTemplate(vm)) failure = "you can't start a vm if it's a template";
    else if (vm.status === 'running') failure = `VM ${vmid} already running`;
    if (failure) return this.createTask('qmstart', String(vmid), tokenId, { kind: 'fail', message: failure }, t.failFastMs, [], override);
    return this.createTask('qmstart', String(vmid), tokenId, { kind: 'start', vmid }, t.startMs, [], override);
  }

  shutdown(tokenId: string, vmid: number, timeoutS: number | undefined, forceStop: boolean, override: { exit?: string; durationMs?: number }): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmshutdown', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    const wasRunning = vm.status === 'running';
    const honoured = vm.acpi;
    const waitMs = wasRunning && !honoured ? (timeoutS ?? 60) * 1000 * t.timeoutScale : wasRunning ? t.shutdownMs : t.failFastMs;
    const action: TaskAction = { kind: 'shutdown', vmid, honoured, forceStop, wasRunning };
    return this.createTask('qmshutdown', String(vmid), tokenId, action, waitMs, [], override);
  }

  stop(tokenId: string, vmid: number, override: { exit?: string; durationMs?: number }): TaskRec {
    const vm = this.vm(vmid);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmstop', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    return this.createTask('qmstop', String(vmid), tokenId, { kind: 'stop', vmid }, vm.status === 'running' ? t.stopMs : t.failFastMs, [], override);
  }

  destroy(tokenId: string, vmid: number, override: { exit?: string; durationMs?: number }): TaskRec {
    const vm = this.vm(vmid);
    if (vm.status === 'running') throw new PveError(500, `VM ${vmid} is running - destroy failed`);
    const t = this.opts.timings;
    if (vm.config['lock']) {
      return this.createTask('qmdestroy', String(vmid), tokenId, { kind: 'fail', message: `VM is locked (${vm.config['lock']})` }, t.failFastMs, [], override);
    }
    vm.config['lock'] = 'destroyed';
    return this.createTask('qmdestroy', String(vmid), tokenId, { kind: 'destroy', vmid }, t.deleteMs, [], override);
  }

  configTask(tokenId: string, vmid: number, set: Record<string, string>, del: string[], override: { exit?: string; durationMs?: number }): TaskRec {
    const lines = [
      ...Object.entries(set).map(([k, v]) => `update VM ${vmid}: -${k} ${v}`),
      ...(del.length > 0 ? [`update VM ${vmid}: -delete ${del.join(',')}`] : []),
    ];
    return this.createTask('qmconfig', String(vmid), tokenId, { kind: 'config', vmid, set, del }, this.opts.timings.configMs, lines, override);
  }

  /** Resolves when the task has stopped or after `ms`. */
  waitTask(task: TaskRec, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = Date.now() + ms;
      const tick = (): void => {
        if (task.status === 'stopped' || Date.now() >= deadline || this.closed) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          tick();
        }, 5);
        this.timers.add(timer);
      };
      tick();
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
    const state: PersistedState = {
      format: 1,
      version: this.opts.version,
      node: this.opts.node,
      bootEpoch: this.bootEpoch,
      pidCounter: this.pidCounter,
      vms: [...this.vms.values()],
      tasks: [...this.tasks.values()],
      cloneQueue: Object.fromEntries(this.cloneQueue),
    };
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, file);
  }

  private load(file: string): void {
    const state = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    if (state.format !== 1) throw new Error(`${file}: unknown state format`);
    if (state.node !== this.opts.node) throw new Error(`${file} belongs to node '${state.node}', not '${this.opts.node}'`);
    this.bootEpoch = state.bootEpoch;
    this.pidCounter = state.pidCounter;
    for (const vm of state.vms) this.vms.set(vm.vmid, vm);
    this.cloneQueue = new Map(Object.entries(state.cloneQueue ?? {}));
    for (const task of state.tasks) {
      this.tasks.set(task.upid, task);
      if (task.status === 'running') this.schedule(task); // overdue tasks finish at once
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.save();
  }
}
