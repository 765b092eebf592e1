/** What every domain service works with: one database, its repositories, the audit log, the clock and Proxmox. */
import type { Db } from '../db/open';
import type { AuditLog } from '../audit/audit-log';
import type { UsersRepo } from '../repositories/users-repo';
import type { TemplatesRepo } from '../repositories/templates-repo';
import type { DeploymentsRepo } from '../repositories/deployments-repo';
import type { SharesRepo } from '../repositories/shares-repo';
import type { ProxmoxClient } from '../proxmox/client';
import type { SettingsService } from './settings';
import type { Contingents } from './contingents';
import type { Clock } from './clock';
import type { Logger } from '../logger';

export interface Timings {
  /** Longest wait for a clone task. */
  cloneTimeoutMs: number;
  /** Longest wait for start, stop and delete tasks. */
  taskTimeoutMs: number;
  /** How long an ACPI shutdown may take before the VM is stopped hard. */
  shutdownTimeoutSeconds: number;
  /** After a start: how often and how long to ask the guest agent for IPs. */
  ipPollIntervalMs: number;
  ipPollTimeoutMs: number;
  /** How often to look at a VM while waiting for a lock another task holds to clear. */
  vmPollMs: number;
  /** How long a FAILED deployment keeps a VMID whose clone may still appear (its answer was lost). */
  leftoverGraceMs: number;
  /** Waits before repeating a clone whose task failed on a storage or VM lock (`got timeout`). */
  lockRetryDelaysMs: readonly number[];
}

export const DEFAULT_TIMINGS: Timings = {
  cloneTimeoutMs: 30 * 60_000,
  taskTimeoutMs: 5 * 60_000,
  shutdownTimeoutSeconds: 60,
  ipPollIntervalMs: 2_000,
  ipPollTimeoutMs: 5 * 60_000,
  vmPollMs: 2_000,
  leftoverGraceMs: 10 * 60_000,
  lockRetryDelaysMs: [5_000, 15_000, 30_000],
};

export interface Portal {
  db: Db;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  users: UsersRepo;
  templates: TemplatesRepo;
  deployments: DeploymentsRepo;
  shares: SharesRepo;
  settings: SettingsService;
  contingents: Contingents;
  /** The Proxmox client for the current settings (mock or HTTP). */
  proxmox: () => ProxmoxClient;
  timings: Timings;
  /**
   * Marks what is due EXPIRED and starts stopping those VMs (the expiry service, wired in once it
   * exists): a load calls it first, so nobody acts on a deployment that should have expired.
   */
  expireDue: () => void;
}
