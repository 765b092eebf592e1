/** Deployment statuses, defined once; the UI receives them through `GET /v1/me` (catalog). */
export const STATUSES = ['PROVISIONING', 'STOPPED', 'RUNNING', 'EXPIRED', 'DELETING', 'DELETED', 'FAILED'] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses whose memory counts against RAM contingents: the VM exists or is about to. */
export const ACTIVE_STATUSES: readonly Status[] = ['PROVISIONING', 'STOPPED', 'RUNNING', 'DELETING'];

/** Statuses the expiry sweep looks at: a VM that may still be running and has a deadline. */
export const EXPIRABLE_STATUSES: readonly Status[] = ['STOPPED', 'RUNNING'];

/** Rows kept as history only: hidden from every list and read. */
export const HIDDEN_STATUSES: readonly Status[] = ['DELETED'];

/** Statuses a list shows: DELETED rows stay for the audit trail but are hidden. */
export const LISTED_STATUSES: readonly Status[] = STATUSES.filter((s) => !HIDDEN_STATUSES.includes(s));

/** Deployments that are over: their name and VMID may be used again (migration 1's unique index says the same). */
export const ENDED_STATUSES: readonly Status[] = ['DELETED', 'FAILED'];

/** The portal itself is working on it (provisioning, deleting): the UI shows progress and polls. */
export const TRANSITIONAL_STATUSES: readonly Status[] = ['PROVISIONING', 'DELETING'];

/** A VM that should exist in Proxmox with nothing under way: what the reconcile compares. */
export const SETTLED_STATUSES: readonly Status[] = ['STOPPED', 'RUNNING', 'EXPIRED'];

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
