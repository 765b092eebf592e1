/**
 * The endpoint handlers: what each simulated call does and returns, in Proxmox's output shapes (loose typing
 * included: nextid as a string, booleans as 1/0, false ones and unset locks omitted).
 */
import { agentEnabled, macFor, memoryMb, normalizeTags } from '../src/proxmox/model/config-values';
import { type Engine, isTemplate, storageInfo, STORAGE_IDS } from '../src/proxmox/model/engine';
import { agentInterfaces } from '../src/proxmox/model/guest-agent';
import { paramError, PveError } from '../src/proxmox/model/pve-error';
import type { TaskRec, VmRec } from '../src/proxmox/model/state-file';
import { type Grant, allPrivileges, checkPrivs, hasPriv, normalizePath, permissionsOn } from './privileges';
import type { SchemaFile } from './schema';
import type { SimVersion } from '../src/proxmox/model/types';
import { decodeUpid } from './upid';
import { lookupProperty, parsePropertyString, perlScalar, type PropSchema, splitList } from './validate';

export interface CallContext {
  engine: Engine;
  schema: SchemaFile;
  version: SimVersion;
  node: string;
  tokenId: string;
  grants: Grant[];
  /** All configured tokens (for /access/permissions?userid=). */
  tokenGrants: Map<string, Grant[]>;
  fingerprint: string;
  /** Set by a `taskExit`/`slowTaskMs` fault for the task this request creates. */
  taskOverride: { exit?: string; durationMs?: number };
}

export interface HandlerResult {
  data: unknown;
  /** Extra top-level keys of the envelope (e.g. `total`). */
  extra?: Record<string, unknown>;
}

type Params = Record<string, unknown>;
type Handler = (ctx: CallContext, p: Params) => HandlerResult | Promise<HandlerResult>;

const int = (v: unknown): number => Number(perlScalar(v));
const bool = (v: unknown): boolean => v === true || (v !== false && v !== undefined && v !== null && perlScalar(v) === '1');
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : perlScalar(v));

const VERSIONS = {
  '8.4': { version: '8.4.1', release: '8.4', repoid: '2a5fa54a8503', kernel: '6.8.12-9-pve', kdate: '2025-03-26T11:39Z' },
  '9.1': { version: '9.1.1', release: '9.1', repoid: '42c5bd8b7a47e1c3', kernel: '6.17.2-1-pve', kdate: '2025-10-21T11:55Z' },
};

function skiplock(p: Params): void {
  if (bool(p['skiplock'])) throw paramError({ skiplock: 'Only root may use this option.' });
}

/** Converts a config value to the JSON type the schema gives it (Proxmox's `parse_vm_config`/`check_type`). */
function typedConfig(config: Record<string, string>, props: Record<string, PropSchema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) {
    const value = config[key] ?? '';
    const type = lookupProperty(props, key)?.type;
    if ((type === 'integer' || type === 'number') && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) out[key] = Number(value);
    else if (type === 'boolean') out[key] = value === '1' || /^(on|yes|true)$/i.test(value) ? 1 : 0;
    else out[key] = value;
  }
  return out;
}

function vmStatusBase(ctx: CallContext, vm: VmRec): Record<string, unknown> {
  const s = ctx.engine.stats(vm);
  const sum = ctx.engine.vmSummary(vm);
  const out: Record<string, unknown> = {
    vmid: vm.vmid,
    name: vm.config['name'] ?? `VM ${vm.vmid}`,
    status: vm.status,
    cpus: sum.cpus,
    maxmem: sum.maxmem,
    maxdisk: sum.maxdisk,
    disk: 0,
    uptime: s.uptime,
    cpu: s.cpu,
    mem: s.mem,
    netin: s.netin,
    netout: s.netout,
    diskread: s.diskread,
    diskwrite: s.diskwrite,
  };
  if (vm.status === 'running' && vm.pid !== null) out['pid'] = vm.pid;
  if (isTemplate(vm)) out['template'] = 1;
  if (vm.config['lock']) out['lock'] = vm.config['lock'];
  if (vm.config['tags']) out['tags'] = vm.config['tags'];
  if (ctx.version === '9.1' && vm.status === 'running') out['memhost'] = s.mem;
  return out;
}

// ---- config writes ------------------------------------------------------------------------------------

const CPU_OPTS = new Set(['cores', 'cpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus', 'affinity']);
const MEMORY_OPTS = new Set(['memory', 'balloon', 'shares', 'allow-ksm']);
const HWTYPE_OPTS = new Set(['acpi', 'hotplug', 'kvm', 'machine', 'scsihw', 'smbios1', 'tablet', 'vga', 'watchdog', 'audio0', 'intel-tdx', 'amd-sev']);
const GENERAL_OPTS = new Set(['agent', 'autostart', 'bios', 'description', 'keyboard', 'localtime', 'migrate_downtime', 'migrate_speed', 'name', 'onboot', 'ostype', 'protection', 'reboot', 'startdate', 'startup', 'tdf', 'template']);
const DISK_OPTS = new Set(['boot', 'bootdisk', 'vmstatestorage']);
const CLOUDINIT_OPTS = new Set(['cicustom', 'cipassword', 'citype', 'ciuser', 'ciupgrade', 'nameserver', 'searchdomain', 'sshkeys']);

/** qemu-server's `check_vm_modify_config_perm` (+ the tag permission check). */
function checkModifyPerm(ctx: CallContext, vmid: number, keys: string[]): void {
  const path = `/vms/${vmid}`;
  for (const opt of keys) {
    if (/^(ide|sata|scsi|virtio)\d+$|^efidisk0$|^tpmstate0$/.test(opt) || opt === 'cdrom') continue;
    if (/^(unused|serial|usb|hostpci)\d+$/.test(opt)) continue;
    if (opt === 'tags') checkPrivs(ctx.grants, path, ['VM.Config.Options']);
    else if (CPU_OPTS.has(opt) || /^numa\d+$/.test(opt)) checkPrivs(ctx.grants, path, ['VM.Config.CPU']);
    else if (MEMORY_OPTS.has(opt)) checkPrivs(ctx.grants, path, ['VM.Config.Memory']);
    else if (HWTYPE_OPTS.has(opt)) checkPrivs(ctx.grants, path, ['VM.Config.HWType']);
    else if (GENERAL_OPTS.has(opt)) {
      checkPrivs(ctx.grants, path, ['VM.Config.Options']);
      if (opt === 'startup') checkPrivs(ctx.grants, '/', ['Sys.Modify']);
    } else if (opt === 'freeze') checkPrivs(ctx.grants, path, ['VM.PowerMgmt']);
    else if (DISK_OPTS.has(opt)) checkPrivs(ctx.grants, path, ['VM.Config.Disk']);
    else if (/^net\d+$/.test(opt)) checkPrivs(ctx.grants, path, ['VM.Config.Network']);
    else if (CLOUDINIT_OPTS.has(opt) || /^ipconfig\d+$/.test(opt)) checkPrivs(ctx.grants, path, ['VM.Config.Cloudinit']);
    else throw new PveError(500, `only root can set '${opt}' config`);
  }
}

const CONFIG_META = new Set(['node', 'vmid', 'delete', 'digest', 'skiplock', 'background_delay', 'revert', 'force']);

async function updateConfig(ctx: CallContext, p: Params, sync: boolean): Promise<HandlerResult> {
  const vmid = int(p['vmid']);
  skiplock(p);
  const deleteStr = str(p['delete']);
  const props = ctx.schema.endpoints[`${sync ? 'PUT' : 'POST'} /nodes/{node}/qemu/{vmid}/config`]?.parameters.properties ?? {};
  const setKeys = Object.keys(p).filter((k) => !CONFIG_META.has(k) && p[k] !== undefined && p[k] !== null);
  if (!deleteStr && !str(p['revert']) && setKeys.length === 0) throw new PveError(500, 'no options specified');
  const del: string[] = [];
  for (let opt of splitList(deleteStr ?? '')) {
    if (opt === 'cdrom') opt = 'ide2';
    if (setKeys.includes(opt)) throw paramError({ delete: `you can't use '-${opt}' and -delete ${opt}' at the same time` });
    if (!lookupProperty(props, opt) && opt !== 'lock') throw paramError({ delete: `unknown option '${opt}'` });
    del.push(opt);
  }
  checkModifyPerm(ctx, vmid, del);
  checkModifyPerm(ctx, vmid, setKeys);
  const vm = ctx.engine.vm(vmid);
  const digest = str(p['digest']);
  if (digest && digest !== ctx.engine.digest(vm)) throw new PveError(500, 'checksum mismatch (file change by other user?)');
  ctx.engine.checkLock(vm);
  const set: Record<string, string> = {};
  for (const key of setKeys) {
    const raw = p[key];
    const schema = lookupProperty(props, key);
    let value = schema?.type === 'boolean' ? (bool(raw) ? '1' : '0') : perlScalar(raw);
    if (key === 'tags') value = normalizeTags(value);
    if (key === 'memory' && typeof schema?.format === 'object') value = parsePropertyString(schema.format, value, key)['current'] ?? value;
    if (/^net\d+$/.test(key) && /^[a-z0-9]+(,|$)/i.test(value)) value = value.replace(/^([a-z0-9]+)/i, (m) => `${m}=${macFor(vmid, `${key}:${Date.now()}`)}`);
    set[key] = value;
  }
  if (sync) {
    ctx.engine.applyConfig(vm, set, del);
    return { data: null };
  }
  const task = ctx.engine.configTask(ctx.tokenId, vmid, set, del, ctx.taskOverride);
  const delay = p['background_delay'];
  if (delay !== undefined && delay !== null) {
    await ctx.engine.waitTask(task, int(delay) * 1000);
    if (task.status === 'stopped') {
      if (task.exitstatus === 'OK' || /^WARNINGS: \d+$/.test(task.exitstatus ?? '')) return { data: null };
      throw new PveError(500, `failed to update VM ${vmid}: ${task.exitstatus ?? ''}`);
    }
  }
  return { data: task.upid };
}

// ---- tasks --------------------------------------------------------------------------------------------

function findTask(ctx: CallContext, p: Params): TaskRec {
  const upid = str(p['upid']) ?? '';
  const parts = decodeUpid(upid);
  if (!parts) throw paramError({ upid: 'unable to parse worker upid' });
  const task = ctx.engine.tasks.get(upid);
  if (!task || parts.node !== str(p['node'])) throw paramError({ upid: 'no such task' });
  const owner = task.tokenid ? `${task.user}!${task.tokenid}` : task.user;
  if (owner !== ctx.tokenId) checkPrivs(ctx.grants, `/nodes/${ctx.node}`, ['Sys.Audit']);
  return task;
}

// ---- the table ----------------------------------------------------------------------------------------

function nodeStatus(ctx: CallContext): Record<string, unknown> {
  const v = VERSIONS[ctx.version];
  const uptime = Math.floor((Date.now() - ctx.engine.bootEpoch) / 1000);
  const total = 68_719_476_736;
  let used = 6_442_450_944;
  for (const vm of ctx.engine.vms.values()) if (vm.status === 'running') used += memoryMb(vm.config) * 1024 * 1024;
  const kversion = `Linux ${v.kernel} #1 SMP PREEMPT_DYNAMIC PMX ${v.kernel.replace(/-pve$/, '')} (${v.kdate}) x86_64`;
  return {
    'boot-info': { mode: 'efi', secureboot: 0 },
    cpu: 0.0213,
    cpuinfo: { cores: 8, cpus: 16, flags: 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov', hvm: '1', mhz: '3000.000', model: 'AMD EPYC 7313P 16-Core Processor', sockets: 1, user_hz: 100 },
    'current-kernel': { machine: 'x86_64', release: v.kernel, sysname: 'Linux', version: `#1 SMP PREEMPT_DYNAMIC PMX ${v.kernel.replace(/-pve$/, '')} (${v.kdate})` },
    idle: 0,
    ksm: { shared: 0 },
    kversion,
    loadavg: ['0.41', '0.37', '0.30'],
    memory: { available: total - used, free: total - used - 2_147_483_648, total, used: Math.min(used, total) },
    pveversion: `pve-manager/${v.version}/${v.repoid.slice(0, 12)}`,
    rootfs: { avail: 82_000_000_000, free: 86_000_000_000, total: 100_861_726_720, used: 14_958_694_400 },
    swap: { free: 8_589_930_496, total: 8_589_930_496, used: 0 },
    uptime,
    wait: 0.0012,
  };
}

export const HANDLERS: Record<string, Handler> = {
  'GET /version': (ctx) => {
    const v = VERSIONS[ctx.version];
    return { data: { release: v.release, repoid: v.repoid, version: v.version } };
  },

  'GET /nodes': (ctx) => {
    const entry: Record<string, unknown> = { id: `node/${ctx.node}`, node: ctx.node, ssl_fingerprint: ctx.fingerprint, status: 'online', type: 'node' };
    if (hasPriv(ctx.grants, `/nodes/${ctx.node}`, 'Sys.Audit')) {
      const s = nodeStatus(ctx);
      const mem = s['memory'] as { total: number; used: number };
      Object.assign(entry, { cpu: s['cpu'], disk: 14_958_694_400, level: '', maxcpu: 16, maxdisk: 100_861_726_720, maxmem: mem.total, mem: mem.used, uptime: s['uptime'] });
    }
    return { data: [entry] };
  },

  'GET /nodes/{node}/status': (ctx) => ({ data: nodeStatus(ctx) }),

  'GET /nodes/{node}/qemu': (ctx) => {
    const list = [...ctx.engine.vms.values()]
      .filter((vm) => hasPriv(ctx.grants, `/vms/${vm.vmid}`, 'VM.Audit'))
      .map((vm) => {
        const base = vmStatusBase(ctx, vm);
        if (vm.config['serial0']) base['serial'] = 1;
        return base;
      });
    return { data: list };
  },

  'GET /nodes/{node}/qemu/{vmid}/config': (ctx, p) => {
    const vm = ctx.engine.vm(int(p['vmid']));
    const snap = str(p['snapshot']);
    if (snap !== undefined) throw new PveError(500, `snapshot '${snap}' does not exist`);
    const props = ctx.schema.endpoints['PUT /nodes/{node}/qemu/{vmid}/config']?.parameters.properties ?? {};
    return { data: { ...typedConfig(vm.config, props), digest: ctx.engine.digest(vm) } };
  },

  'PUT /nodes/{node}/qemu/{vmid}/config': (ctx, p) => updateConfig(ctx, p, true),
  'POST /nodes/{node}/qemu/{vmid}/config': (ctx, p) => updateConfig(ctx, p, false),

  'POST /nodes/{node}/qemu/{vmid}/clone': (ctx, p) => {
    const vmid = int(p['vmid']);
    const newid = int(p['newid']);
    const target = str(p['target']);
    const pool = str(p['pool']);
    const storage = str(p['storage']);
    if (target !== undefined && target !== ctx.node && target !== 'localhost') throw new PveError(500, `no such cluster node '${target}'`);
    if (pool !== undefined && !ctx.engine.opts.pools.includes(pool)) throw new PveError(500, `pool '${pool}' does not exist`);
    if (storage !== undefined) {
      const info = storageInfo(storage);
      if (!info) throw new PveError(500, `storage '${storage}' does not exist`);
      if (!info.images) throw paramError({ storage: `storage '${storage}' does not support vm images` });
    }
    // load_and_check
    const src = ctx.engine.vm(vmid);
    ctx.engine.checkLock(src);
    const snap = str(p['snapname']);
    if (snap !== undefined) throw new PveError(500, `snapshot '${snap}' does not exist`);
    const full = p['full'] === undefined || p['full'] === null ? !isTemplate(src) : bool(p['full']);
    if (storage !== undefined && !full) throw new PveError(500, "parameter 'storage' not allowed for linked clones");
    if (str(p['format']) !== undefined && !full) throw new PveError(500, "parameter 'format' not allowed for linked clones");
    checkPrivs(ctx.grants, `/storage/${storage ?? 'local-lvm'}`, ['Datastore.AllocateSpace']);
    const task = ctx.engine.clone(
      ctx.tokenId,
      { vmid, newid, name: str(p['name']), full, storage, pool, description: str(p['description']) },
      ctx.taskOverride,
    );
    return { data: task.upid };
  },

  'POST /nodes/{node}/qemu/{vmid}/status/start': (ctx, p) => {
    skiplock(p);
    return { data: ctx.engine.start(ctx.tokenId, int(p['vmid']), ctx.taskOverride).upid };
  },

  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': (ctx, p) => {
    skiplock(p);
    const timeout = p['timeout'] === undefined || p['timeout'] === null ? undefined : int(p['timeout']);
    return { data: ctx.engine.shutdown(ctx.tokenId, int(p['vmid']), timeout, bool(p['forceStop']), ctx.taskOverride).upid };
  },

  'POST /nodes/{node}/qemu/{vmid}/status/stop': (ctx, p) => {
    skiplock(p);
    return { data: ctx.engine.stop(ctx.tokenId, int(p['vmid']), ctx.taskOverride).upid };
  },

  'GET /nodes/{node}/qemu/{vmid}/status/current': (ctx, p) => {
    const vm = ctx.engine.vm(int(p['vmid']));
    const out = vmStatusBase(ctx, vm);
    out['ha'] = { managed: 0 };
    out['qmpstatus'] = vm.status;
    if (agentEnabled(vm.config)) out['agent'] = 1;
    if (vm.status === 'running') {
      const q = ctx.engine.qemuVersion();
      const s = ctx.engine.stats(vm);
      const maxmem = Number(out['maxmem']);
      out['balloon'] = maxmem;
      out['freemem'] = maxmem - s.mem;
      out['ballooninfo'] = { actual: maxmem, free_mem: maxmem - s.mem, last_update: Math.floor(Date.now() / 1000), max_mem: maxmem, total_mem: maxmem };
      out['running-machine'] = q.machine;
      out['running-qemu'] = q.qemu;
      out['nics'] = { [`tap${vm.vmid}i0`]: { netin: s.netin, netout: s.netout } };
      out['blockstat'] = { scsi0: { rd_bytes: s.diskread, rd_operations: Math.floor(s.diskread / 4096), wr_bytes: s.diskwrite, wr_operations: Math.floor(s.diskwrite / 4096) } };
      out['proxmox-support'] = { 'backup-fleecing': true, 'pbs-dirty-bitmap': true, 'pbs-library-version': '1.5.2', 'query-bitmap-info': true };
    }
    return { data: out };
  },

  'DELETE /nodes/{node}/qemu/{vmid}': (ctx, p) => {
    skiplock(p);
    return { data: ctx.engine.destroy(ctx.tokenId, int(p['vmid']), ctx.taskOverride).upid };
  },

  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': (ctx, p) => {
    const vmid = int(p['vmid']);
    const vm = ctx.engine.vm(vmid);
    return { data: agentInterfaces(ctx.engine, vm) };
  },

  'GET /cluster/nextid': (ctx, p) => {
    const wanted = p['vmid'];
    if (wanted !== undefined && wanted !== null) {
      const id = int(wanted);
      if (ctx.engine.vms.has(id)) throw paramError({ vmid: `VM ${perlScalar(wanted)} already exists` });
      return { data: perlScalar(wanted) };
    }
    return { data: String(ctx.engine.nextFreeId()) };
  },

  'GET /cluster/resources': (ctx, p) => {
    const type = str(p['type']);
    const out: unknown[] = [];
    const lag = ctx.engine.opts.timings.resourcesLagMs;
    if (type === undefined || type === 'vm') {
      for (const vm of ctx.engine.vms.values()) {
        if (!hasPriv(ctx.grants, `/vms/${vm.vmid}`, 'VM.Audit')) continue;
        const base = vmStatusBase(ctx, vm);
        const sum = ctx.engine.vmSummary(vm);
        const item: Record<string, unknown> = {
          id: `qemu/${vm.vmid}`,
          type: 'qemu',
          vmid: vm.vmid,
          node: ctx.node,
          status: vm.status,
          name: base['name'],
          template: isTemplate(vm) ? 1 : 0,
          maxcpu: sum.cpus,
          cpu: base['cpu'],
          maxmem: sum.maxmem,
          mem: base['mem'],
          maxdisk: sum.maxdisk,
          disk: 0,
          netin: base['netin'],
          netout: base['netout'],
          diskread: base['diskread'],
          diskwrite: base['diskwrite'],
          uptime: base['uptime'],
        };
        if (lag > 0 && Date.now() - vm.createdAt < lag) {
          item['status'] = 'unknown';
          delete item['name'];
          delete item['template'];
        }
        if (vm.config['lock']) item['lock'] = vm.config['lock'];
        if (vm.config['tags']) item['tags'] = vm.config['tags'];
        if (vm.pool) item['pool'] = vm.pool;
        out.push(item);
      }
    }
    if ((type === undefined || type === 'node') && hasPriv(ctx.grants, `/nodes/${ctx.node}`, 'Sys.Audit')) {
      const s = nodeStatus(ctx);
      const mem = s['memory'] as { total: number; used: number };
      out.push({ 'cgroup-mode': 2, cpu: s['cpu'], disk: 14_958_694_400, id: `node/${ctx.node}`, level: '', maxcpu: 16, maxdisk: 100_861_726_720, maxmem: mem.total, mem: mem.used, node: ctx.node, status: 'online', type: 'node', uptime: s['uptime'] });
    }
    if (type === undefined || type === 'storage') {
      for (const id of STORAGE_IDS) {
        const info = storageInfo(id);
        if (!info) continue;
        const path = `/storage/${id}`;
        if (!hasPriv(ctx.grants, path, 'Datastore.Audit') && !hasPriv(ctx.grants, path, 'Datastore.AllocateSpace')) continue;
        out.push({ content: info.content, disk: info.used, id: `storage/${ctx.node}/${id}`, maxdisk: info.total, node: ctx.node, plugintype: info.type, shared: info.shared, status: 'available', storage: id, type: 'storage' });
      }
    }
    return { data: out };
  },

  'GET /nodes/{node}/tasks/{upid}/status': (ctx, p) => {
    const t = findTask(ctx, p);
    const data: Record<string, unknown> = { id: t.id, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, status: t.status, type: t.type, upid: t.upid, user: t.user };
    if (t.tokenid) data['tokenid'] = t.tokenid;
    if (t.status === 'stopped') data['exitstatus'] = t.exitstatus;
    return { data };
  },

  'GET /nodes/{node}/tasks/{upid}/log': (ctx, p) => {
    const t = findTask(ctx, p);
    const start = p['start'] === undefined ? 0 : int(p['start']);
    const limit = p['limit'] === undefined ? 50 : int(p['limit']);
    const lines: Array<{ n: number; t: string }> = [];
    let count = 0;
    let left = limit;
    for (const line of t.log) {
      if (count++ < start) continue;
      if (limit !== 0) {
        if (left <= 0) continue;
        left--;
      }
      lines.push({ n: count, t: line });
    }
    if (count === 0) {
      count = 1;
      lines.push({ n: 1, t: 'no content' });
    }
    return { data: lines, extra: { total: count } };
  },

  'GET /access/permissions': (ctx, p) => {
    const userid = str(p['userid']) ?? ctx.tokenId;
    const owner = ctx.tokenId.split('!')[0];
    if (userid !== ctx.tokenId && userid !== owner) checkPrivs(ctx.grants, '/access', ['Sys.Audit']);
    const grants = userid === ctx.tokenId ? ctx.grants : userid === owner ? allGrants(ctx) : (ctx.tokenGrants.get(userid) ?? []);
    const path = str(p['path']);
    if (path !== undefined) return { data: { [path]: permissionsOn(grants, path) } };
    const paths = new Set(['/', '/access', '/access/groups', '/mapping', '/nodes', '/pool', '/sdn', '/storage', '/vms', ...grants.map((g) => g.path)]);
    const out: Record<string, Record<string, 1>> = {};
    for (const path of [...paths].sort()) {
      const perms = permissionsOn(grants, normalizePath(path));
      if (Object.keys(perms).length > 0) out[path] = perms;
    }
    return { data: out };
  },
};

/** The token owner (user) is modelled with every privilege: a privilege-separated token is the restriction. */
function allGrants(ctx: CallContext): Grant[] {
  return allPrivileges(ctx.version).map((priv) => ({ path: '/', priv }));
}
