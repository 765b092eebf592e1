/**
 * The JSON objects the API answers with (api.md's "Objects"), defined once. The sidecar builds them; the
 * UI in blocks/ imports these same types (type-only, so nothing of the sidecar reaches the browser bundle).
 * This file imports nothing, so any TypeScript project can read it. Rights, statuses and error codes are
 * plain strings here: their lists reach the UI at run time through `GET /v1/me` (`catalog`).
 */

/** What the caller may do with one deployment, computed by the sidecar so the UI never guesses. */
export interface Can {
  start: boolean;
  stop: boolean;
  prolong: boolean;
  refreshIps: boolean;
  delete: boolean;
  share: boolean;
}

/** The TTL choices the sidecar accepts, so the UI offers exactly those (never recomputing the policy). */
export interface TtlOffer {
  /** Whole hours from 1 to this (0: none can be added now). */
  maxHours: number;
  /** Never-expire may be chosen. */
  allowsNever: boolean;
  /** What the form starts with. */
  defaultHours: number;
}

export interface Deployment {
  id: number;
  name: string;
  status: string;
  template: { id: number; name: string; osType: string };
  /** `removed`: the owner may no longer use the portal; holders of 'Manage all deployments' can hand it over. */
  owner: { id: number; login: string; name: string; removed: boolean };
  vmid: number | null;
  node: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  ipAddresses: string[];
  neverExpires: boolean;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The caller sees it because it was shared with them. */
  sharedWithMe: boolean;
  /** A Proxmox action under way (start, stop, delete), for progress in the UI. */
  pendingAction: string | null;
  /** Why the last Proxmox action failed, as a person can read it. */
  lastError: string | null;
  can: Can;
  /** What a prolong may choose now, by the deployment's own template (retired or not); `can.prolong` says whether one is allowed. */
  prolong: TtlOffer;
}

export interface Template {
  id: number;
  name: string;
  description: string;
  osType: string;
  proxmoxVmid: number;
  cores: number;
  memoryMb: number;
  diskGb: number;
  defaultTtlHours: number;
  /** null = no maximum (8760 bounds one prolong step). */
  maxTtlHours: number | null;
  active: boolean;
}

export type TemplateFields = Omit<Template, 'id'>;

/** An approved template as the portal offers it (GET /templates), with the TTL choices a create accepts. */
export interface PortalTemplate extends Template {
  ttl: TtlOffer;
}

export interface Contingent {
  /** null = unlimited. */
  limitMb: number | null;
  usedMb: number;
  availableMb: number | null;
}

export interface Quota {
  user: Contingent;
  global: Contingent;
}

export interface Share {
  user: { id: number; login: string; email: string; name: string };
  createdAt: string | null;
}

export type ProxmoxMode = 'mock' | 'http';

/** Settings as GET /settings answers: the token secret is write-only, only whether one is set shows. */
export interface SettingsView {
  mode: ProxmoxMode;
  baseUrl: string;
  tokenId: string;
  tokenSecretSet: boolean;
  node: string;
  /** The Proxmox resource pool new VMs go into; '' for none (the token then needs rights on all of /vms). */
  pool: string;
  tlsCaPem: string;
  tlsFingerprintSha256: string;
  defaultUserRamLimitMb: number;
  globalRamLimitMb: number;
  /** Audit rows older than this many days move to signed archive files in the data folder; 0 keeps every row. */
  auditRetentionDays: number;
}

export type SettingsUpdate = Partial<Omit<SettingsView, 'tokenSecretSet'> & { tokenSecret: string }>;

export interface ConnectionReport {
  ok: boolean;
  mode: string;
  node: string;
  version: string | null;
  missingPrivileges: string[];
  /** VM privileges the token holds beyond the portal's scope (or the advice to confine it to a pool). */
  excessPrivileges: string[];
  missingTemplates: Array<{ id: number; name: string; proxmoxVmid: number }>;
  error: string | null;
}

/** A QEMU template on the node (GET /admin/proxmox-templates). */
export interface ProxmoxTemplate {
  vmid: number;
  name: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  osType: string | null;
}

export interface ImportableTemplate extends ProxmoxTemplate {
  /** The approved template that already uses this VMID. */
  importedAs: number | null;
}

/** A WordPress user with their portal rights (GET /users). */
export interface PortalUser {
  id: number;
  login: string;
  email: string;
  name: string;
  /** null = the default contingent. */
  ramLimitMb: number | null;
  rights: string[];
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: { id: number | null; login: string | null };
  action: string;
  target: { type: string; id: string } | null;
  deploymentId: number | null;
  result: string;
  status: number | null;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

/** GET /me: who the caller is, what they hold, and the catalog the UI takes rights, statuses and codes from. */
export interface Me {
  user: { id: number; login: string; email: string; name: string };
  rights: string[];
  /** No one holds rights.manage yet and the caller is a WordPress administrator: every right applies. */
  bootstrap: boolean;
  catalog: {
    rights: Array<{ slug: string; label: string; description: string }>;
    statuses: string[];
    activeStatuses: string[];
    /** The portal is working on a deployment in these (the UI shows progress and polls). */
    transitionalStatuses: string[];
    /** Error code → HTTP status. */
    errorCodes: Record<string, number>;
  };
}
