/** The simulated Proxmox node's own types, shared by the in-process mock and the HTTP simulator. */

export type SimVersion = '8.4' | '9.1';

/** A template or VM present when the simulator starts. */
export interface SimGuestSpec {
  vmid: number;
  name: string;
  cores?: number;
  memoryMb?: number;
  diskGb?: number;
  /** Proxmox `ostype`: l26 (default), win11, ...; null for none set. */
  ostype?: string | null;
  tags?: string[];
  /** Guest agent enabled in the config (default true). */
  agent?: boolean;
  onboot?: boolean;
  /** Only for `vms`; templates are always stopped. */
  status?: 'running' | 'stopped';
  lock?: string | null;
  /** Whether the guest honours an ACPI shutdown (default true). */
  acpi?: boolean;
}

export interface SimTimings {
  /** Duration of a clone task (default 120 ms). */
  cloneMs?: number;
  startMs?: number;
  /** ACPI shutdown of a guest that honours it. */
  shutdownMs?: number;
  stopMs?: number;
  deleteMs?: number;
  /** POST config (async) task duration. */
  configMs?: number;
  /** How long after a start the guest agent begins to answer (default 100 ms). */
  agentDelayMs?: number;
  /**
   * Factor on the `timeout` seconds of a shutdown that the guest ignores (default 1: real seconds; e.g. 0.001
   * turns `timeout=60` into 60 ms).
   */
  timeoutScale?: number;
  /** How long a fresh clone shows up in /cluster/resources as `status: "unknown"` without a name (default 0). */
  resourcesLagMs?: number;
  /** Duration of a task that fails its own checks at once (already running, locked, template; default 10 ms). */
  failFastMs?: number;
}

export interface SimVmInfo {
  vmid: number;
  name: string;
  status: 'running' | 'stopped';
  lock: string | null;
  tags: string[];
  template: boolean;
  node: string;
  cores: number;
  memoryMb: number;
  onboot: boolean;
  /** Source VMID when the guest was cloned here, else null. */
  clonedFrom: number | null;
  /** true for a linked clone (cloned from a template without full=1). */
  linked: boolean;
  pool: string | null;
}

export interface SimTaskInfo {
  upid: string;
  type: string;
  id: string;
  status: 'running' | 'stopped';
  exitstatus: string | null;
}
