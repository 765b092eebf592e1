/**
 * The ProxmoxClient over Proxmox VE's HTTP API (PVE 8.4 and 9.x), for one node and one API token.
 * Long operations return the UPID at once and are awaited by polling the task, as the mock does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ProxmoxClient,
  ProxmoxError,
  ProxmoxTemplate,
  ProxmoxVersion,
  TaskRef,
  TaskResult,
  taskSucceeded,
  VmConfigChange,
  VmState,
} from '../client';
import { parseUpid } from '../upid';
import { usableAddresses } from '../usable-addresses';
import { excessPrivileges, lackingPrivileges, TokenScope } from '../privileges';
import { pollDelay } from '../poll-delay';
import { DEFAULT_TRANSPORT, PveTransport, TransportOptions } from './transport';
import { isRecord, looseBool, looseNumber, looseString } from './wire';

export interface HttpProxmoxOptions extends TransportOptions {
  node: string;
  /** The resource pool new VMs go into ('' for none): the token's VM rights can then be granted on it alone. */
  pool: string;
  /** The longest pause between two task status reads (shorter at first, see pollDelay). */
  taskPollMs: number;
}

export const DEFAULT_HTTP_PROXMOX: Pick<HttpProxmoxOptions, 'taskPollMs' | 'timeoutMs' | 'retryDelaysMs' | 'keepAliveMs' | 'pool'> = {
  ...DEFAULT_TRANSPORT,
  taskPollMs: 1_000,
  pool: '',
};

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** Lines of a failed task's log kept for the error message. */
const LOG_LINES = 50;

export class HttpProxmox implements ProxmoxClient {
  readonly node: string;
  private readonly t: PveTransport;
  private readonly nodePath: string;

  constructor(private readonly o: HttpProxmoxOptions) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(o.node)) {
      throw new ProxmoxError('not_configured', `'${o.node}' is not a Proxmox node name`, 'Enter the node name as Proxmox shows it under Datacenter.');
    }
    this.node = o.node;
    this.nodePath = `nodes/${encodeURIComponent(o.node)}`;
    this.t = new PveTransport(o);
  }

  close(): Promise<void> {
    return this.t.close();
  }

  async version(): Promise<ProxmoxVersion> {
    const data = await this.t.call('GET', 'version', undefined, 'read its version');
    if (!isRecord(data)) throw new ProxmoxError('failed', 'Proxmox answered /version without a version');
    return { version: looseString(data.version) ?? '', release: looseString(data.release) ?? '' };
  }

  async listTemplates(): Promise<ProxmoxTemplate[]> {
    const data = await this.t.call('GET', `${this.nodePath}/qemu`, undefined, `list the VMs on node ${this.node}`);
    const templates = (Array.isArray(data) ? data : []).filter((vm) => isRecord(vm) && looseBool(vm.template)) as Record<string, unknown>[];
    const out: ProxmoxTemplate[] = [];
    for (const vm of templates) {
      const vmid = looseNumber(vm.vmid);
      if (vmid === null) continue;
      // The list's cpus/maxmem are fine for sizes; the OS type is only in the config.
      const config = await this.config(vmid);
      out.push({
        vmid,
        name: looseString(vm.name) ?? looseString(config.name) ?? `vm-${vmid}`,
        cores: (looseNumber(config.cores) ?? 1) * (looseNumber(config.sockets) ?? 1),
        memoryMb: memoryMbOf(config.memory) ?? Math.round((looseNumber(vm.maxmem) ?? 0) / MIB),
        diskGb: Math.round((looseNumber(vm.maxdisk) ?? 0) / GIB),
        osType: looseString(config.ostype),
      });
    }
    return out.sort((a, b) => a.vmid - b.vmid);
  }

  async nextVmid(): Promise<number> {
    const id = looseNumber(await this.t.call('GET', 'cluster/nextid', undefined, 'find a free VMID'));
    if (id === null) throw new ProxmoxError('failed', 'Proxmox answered /cluster/nextid without a number');
    return id;
  }

  async cloneTemplate(p: { templateVmid: number; newVmid: number; name: string }): Promise<TaskRef> {
    // full=1: from a template Proxmox would otherwise make a linked clone, tied to the template's disks.
    const upid = await this.t.call('POST', `${this.vm(p.templateVmid)}/clone`, { newid: p.newVmid, name: p.name, full: true, ...(this.o.pool === '' ? {} : { pool: this.o.pool }) }, `clone template ${p.templateVmid} to VM ${p.newVmid}`);
    return this.task(upid);
  }

  async configureVm(vmid: number, change: VmConfigChange): Promise<void> {
    await this.t.call(
      'PUT',
      `${this.vm(vmid)}/config`,
      {
        cores: change.cores,
        memory: change.memoryMb,
        tags: change.tags?.join(';'),
        onboot: change.onboot,
      },
      `configure VM ${vmid}`,
    );
  }

  async startVm(vmid: number): Promise<TaskRef> {
    return this.task(await this.t.call('POST', `${this.vm(vmid)}/status/start`, undefined, `start VM ${vmid}`));
  }

  async shutdownVm(vmid: number, timeoutSeconds: number): Promise<TaskRef> {
    return this.task(await this.t.call('POST', `${this.vm(vmid)}/status/shutdown`, { timeout: timeoutSeconds }, `shut down VM ${vmid}`));
  }

  async stopVm(vmid: number): Promise<TaskRef> {
    return this.task(await this.t.call('POST', `${this.vm(vmid)}/status/stop`, undefined, `stop VM ${vmid}`));
  }

  async deleteVm(vmid: number): Promise<TaskRef> {
    const params = { purge: true, 'destroy-unreferenced-disks': true };
    return this.task(await this.t.call('DELETE', this.vm(vmid), params, `delete VM ${vmid}`));
  }

  async vmState(vmid: number): Promise<VmState | null> {
    let data: unknown;
    try {
      data = await this.t.call('GET', `${this.vm(vmid)}/status/current`, undefined, `read the status of VM ${vmid}`);
    } catch (err) {
      if (err instanceof ProxmoxError && err.kind === 'not_found') return null;
      throw err;
    }
    if (!isRecord(data)) throw new ProxmoxError('failed', `Proxmox answered the status of VM ${vmid} without an object`);
    return stateOf(vmid, data);
  }

  async listVms(): Promise<VmState[]> {
    const data = await this.t.call('GET', `${this.nodePath}/qemu`, undefined, `list the VMs on node ${this.node}`);
    const out: VmState[] = [];
    for (const vm of Array.isArray(data) ? data : []) {
      const vmid = isRecord(vm) ? looseNumber(vm.vmid) : null;
      if (vmid === null || !isRecord(vm)) continue;
      out.push(stateOf(vmid, vm));
    }
    return out.sort((a, b) => a.vmid - b.vmid);
  }

  async guestIps(vmid: number): Promise<string[]> {
    let data: unknown;
    try {
      data = await this.t.call('GET', `${this.vm(vmid)}/agent/network-get-interfaces`, undefined, `read the IP addresses of VM ${vmid}`);
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
      // Still booting: the agent answers once the guest is up. Not an error, just no addresses yet.
      if (/guest agent is not running|VM \d+ is not running/i.test(err.message)) return [];
      if (/No QEMU guest agent configured/i.test(err.message)) {
        throw new ProxmoxError('failed', `VM ${vmid} has no QEMU guest agent configured, so its IP addresses cannot be read`, "Enable 'QEMU Guest Agent' in the template's options and install qemu-guest-agent in it.");
      }
      throw err;
    }
    const result = isRecord(data) && Array.isArray(data.result) ? data.result : [];
    const addresses: string[] = [];
    for (const iface of result) {
      if (!isRecord(iface) || iface.name === 'lo' || !Array.isArray(iface['ip-addresses'])) continue;
      for (const a of iface['ip-addresses']) {
        const ip = isRecord(a) ? looseString(a['ip-address']) : null;
        if (ip) addresses.push(ip);
      }
    }
    return usableAddresses(addresses);
  }

  async waitTask(task: TaskRef, timeoutMs: number): Promise<TaskResult> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    const path = `nodes/${encodeURIComponent(task.node)}/tasks/${encodeURIComponent(task.upid)}`;
    for (;;) {
      const status = await this.t.call('GET', `${path}/status`, undefined, 'read the status of a task');
      if (isRecord(status) && status.status === 'stopped') {
        const exitStatus = this.t.scrub(looseString(status.exitstatus) ?? 'unexpected status');
        if (taskSucceeded(exitStatus)) return { ok: true, exitStatus };
        return { ok: false, exitStatus, log: (await this.taskLog(path)).map((line) => this.t.scrub(line)) };
      }
      const delay = pollDelay(Date.now() - started, this.o.taskPollMs);
      if (Date.now() + delay > deadline) {
        throw new ProxmoxError('timeout', `The Proxmox task ${task.upid} did not finish within ${Math.round(timeoutMs / 1000)} s`);
      }
      await sleep(delay);
    }
  }

  async privilegeReport(scope: TokenScope): Promise<{ missing: string[]; excess: string[] }> {
    const { version } = await this.version();
    const major = looseNumber(version.split('.')[0]) ?? 9;
    const granted = await this.t.call('GET', 'access/permissions', undefined, "read the API token's permissions");
    const perPath: Record<string, Record<string, unknown>> = {};
    if (isRecord(granted)) for (const [path, privs] of Object.entries(granted)) if (isRecord(privs)) perPath[path] = privs;
    return {
      missing: lackingPrivileges(major, this.node, perPath, scope).map((p) => `${p.privilege} on ${p.on} (to ${p.why})`),
      excess: excessPrivileges(perPath, scope),
    };
  }

  // ---- helpers ----

  private vm(vmid: number): string {
    return `${this.nodePath}/qemu/${vmid}`;
  }

  private async config(vmid: number): Promise<Record<string, unknown>> {
    const data = await this.t.call('GET', `${this.vm(vmid)}/config`, undefined, `read the configuration of VM ${vmid}`);
    return isRecord(data) ? data : {};
  }

  private task(upid: unknown): TaskRef {
    const text = looseString(upid) ?? '';
    const parts = parseUpid(text);
    if (!parts) throw new ProxmoxError('failed', `Proxmox answered without a task id (got '${text.slice(0, 80)}')`);
    return { upid: text, node: parts.node };
  }

  private async taskLog(path: string): Promise<string[]> {
    try {
      const lines = await this.t.call('GET', `${path}/log`, { start: 0, limit: LOG_LINES }, 'read a task log');
      return (Array.isArray(lines) ? lines : []).map((l) => (isRecord(l) ? (looseString(l.t) ?? '') : '')).filter((l) => l !== '');
    } catch {
      return []; // the exit status already says what failed; the log only adds detail
    }
  }
}

/** A VM as status/current and the qemu list describe it (false booleans and an unset lock are left out). */
function stateOf(vmid: number, data: Record<string, unknown>): VmState {
  const tags = looseString(data.tags);
  return {
    vmid,
    name: looseString(data.name),
    status: data.status === 'running' ? 'running' : 'stopped',
    lock: looseString(data.lock),
    tags: tags ? tags.split(/[;,\s]+/).filter((t) => t !== '') : [],
    template: looseBool(data.template),
  };
}

/** `2048` or `current=2048,...` (PVE 8.4+ property string) → 2048. */
function memoryMbOf(value: unknown): number | null {
  const text = looseString(value);
  if (text === null) return null;
  const m = /^(?:current=)?(\d+)/.exec(text);
  return m?.[1] ? Number(m[1]) : null;
}
