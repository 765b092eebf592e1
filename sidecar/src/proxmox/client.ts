/**
 * The one interface the domain talks to Proxmox through. The mock and the HTTP client both implement it,
 * so the domain is written against Proxmox's real asynchronous shape: long operations return a task that
 * is awaited separately, and a freshly started VM has no IP until its guest agent answers.
 */
import type { TokenScope } from './privileges';

export interface TaskRef {
  /** Proxmox UPID (`UPID:node:pid:pstart:starttime:type:id:user:`). */
  upid: string;
  node: string;
}

export interface TaskResult {
  ok: boolean;
  /** `OK`, `WARNINGS: n`, or Proxmox's one-line error text. */
  exitStatus: string;
  /** The end of the task's log, when it failed and the log could be read. */
  log?: string[];
}

import type { ProxmoxTemplate } from '@spp/contract';
import { redactCredentials } from './credentials';

export type { ProxmoxTemplate };

export interface VmState {
  vmid: number;
  name: string | null;
  status: 'running' | 'stopped';
  /** Proxmox config lock (`clone`, `backup`, ...), null when unlocked. */
  lock: string | null;
  tags: string[];
  template: boolean;
}

export interface VmConfigChange {
  cores?: number;
  memoryMb?: number;
  tags?: string[];
  onboot?: boolean;
}

export interface ProxmoxVersion {
  version: string;
  release: string;
}

/** Why a Proxmox call failed, in the terms the failure table uses. */
export type ProxmoxErrorKind =
  | 'unauthorized' // 401: wrong token id or secret
  | 'forbidden' // 403: the token lacks a privilege
  | 'not_found' // 500 "does not exist": wrong node or VMID
  | 'already_exists' // VMID taken (nextid race)
  | 'locked' // VM or storage lock, retry may help
  | 'timeout' // no answer in time
  | 'tls' // certificate not trusted
  | 'unreachable' // connection refused, DNS, 595/596/599
  | 'task_failed' // a worker task ended with an error
  | 'not_configured' // settings incomplete
  | 'failed'; // anything else Proxmox refused

export class ProxmoxError extends Error {
  constructor(
    readonly kind: ProxmoxErrorKind,
    message: string,
    /** What an admin should check, for the user-facing message. */
    readonly hint?: string,
    /** Proxmox's HTTP status, where the failure was an answer (595: its proxy never reached the daemon). */
    readonly httpStatus?: number,
  ) {
    // Every Proxmox failure reaches users, audit rows and logs through this message: credentials never do.
    super(redactCredentials(message));
    this.name = 'ProxmoxError';
  }
}

/**
 * Whether Proxmox may have acted on a call that failed: no answer in time, or a connection lost without
 * an answer. A refusal Proxmox answered (any status, 595 included: its proxy never passed it on) is definite.
 */
export function outcomeUnknown(err: ProxmoxError): boolean {
  return err.kind === 'timeout' || (err.kind === 'unreachable' && err.httpStatus === undefined);
}

/** The failure kind a Proxmox error text (reason phrase or task exit status) stands for. */
export function kindOfMessage(text: string): ProxmoxErrorKind {
  if (/does not exist|no such VM|not found/i.test(text)) return 'not_found';
  if (/already exists/i.test(text)) return 'already_exists';
  if (/got timeout|VM is locked|lock request timeout|can't lock file/i.test(text)) return 'locked';
  return 'failed';
}

/** Whether a task's exit status is a success: `OK`, or `WARNINGS: n` (it did its work and logged warnings). */
export function taskSucceeded(exitStatus: string): boolean {
  return exitStatus === 'OK' || /^WARNINGS: \d+$/.test(exitStatus);
}

export interface ProxmoxClient {
  readonly node: string;
  version(): Promise<ProxmoxVersion>;
  /** QEMU templates (`template=1`) on the node. */
  listTemplates(): Promise<ProxmoxTemplate[]>;
  /** A free VMID; like Proxmox's `/cluster/nextid` it does not reserve it. */
  nextVmid(): Promise<number>;
  /** Full clone of a template; throws `already_exists` when newVmid is taken. */
  cloneTemplate(params: { templateVmid: number; newVmid: number; name: string }): Promise<TaskRef>;
  configureVm(vmid: number, change: VmConfigChange): Promise<void>;
  startVm(vmid: number): Promise<TaskRef>;
  /** ACPI shutdown; the caller falls back to stopVm when it does not finish in time. */
  shutdownVm(vmid: number, timeoutSeconds: number): Promise<TaskRef>;
  stopVm(vmid: number): Promise<TaskRef>;
  /** Destroys a stopped VM with its disks (`purge=1`, `destroy-unreferenced-disks=1`). */
  deleteVm(vmid: number): Promise<TaskRef>;
  /** null when the VM does not exist. */
  vmState(vmid: number): Promise<VmState | null>;
  /** Every QEMU VM and template on the node, for the reconcile pass. */
  listVms(): Promise<VmState[]>;
  /** IPv4/IPv6 addresses from the guest agent, loopback and link-local left out; [] while the agent is not up. */
  guestIps(vmid: number): Promise<string[]>;
  /** Resolves when the task has ended (ok or not); throws `timeout` after timeoutMs. */
  waitTask(task: TaskRef, timeoutMs: number): Promise<TaskResult>;
  /** Privileges the portal needs that the credentials lack, and VM privileges they hold beyond the scope. */
  privilegeReport(scope: TokenScope): Promise<{ missing: string[]; excess: string[] }>;
}
