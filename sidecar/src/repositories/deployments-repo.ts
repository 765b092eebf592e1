/**
 * Deployment rows. Every read for a caller goes through `visibleTo`, so a query can never return
 * what the caller may not see: own, shared with them, or all with manage_all. DELETED rows are history.
 */
import type { Db } from '../db/open';
import { prepared } from '../db/statement-cache';
import { ACTIVE_STATUSES, ENDED_STATUSES, EXPIRABLE_STATUSES, HIDDEN_STATUSES, LISTED_STATUSES, Status } from '@spp/contract';
import { sqlList } from '../db/sql-list';

export type ProvisionStep = 'clone' | 'configure';

export interface DeploymentRecord {
  id: number;
  name: string;
  status: Status;
  templateId: number;
  templateName: string;
  templateOsType: string;
  /** The template's TTL policy (retired templates keep theirs), for what a prolong may offer. */
  templateDefaultTtlHours: number;
  templateMaxTtlHours: number | null;
  ownerId: number;
  ownerLogin: string;
  ownerName: string;
  /** The owner may no longer use the portal (removed in WordPress); an administrator can hand it over. */
  ownerRemoved: boolean;
  vmid: number | null;
  node: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  ipAddresses: string[];
  neverExpires: boolean;
  expiresAt: number | null;
  pendingAction: string | null;
  /** While PROVISIONING: the step whose Proxmox call may have been sent (`clone`, `configure`). */
  provisionStep: ProvisionStep | null;
  vmStopped: boolean;
  lastError: string | null;
  /** The same failure with Proxmox's details, for those who manage the settings (null: none beyond lastError). */
  lastErrorDetail: string | null;
  createdAt: number;
  updatedAt: number;
  /** The viewer sees it through a share (not as its owner). */
  sharedWithViewer: boolean;
}

/**
 * The columns every read selects, in this order. Rows come back as arrays (better-sqlite3's raw mode):
 * a list page then costs no object per row and column, which halves the time of its query.
 */
type Row = readonly unknown[];

const toRecord = (r: Row): DeploymentRecord => ({
  id: r[0] as number,
  name: r[1] as string,
  status: r[2] as Status,
  templateId: r[3] as number,
  templateName: r[4] as string,
  templateOsType: r[5] as string,
  templateDefaultTtlHours: r[6] as number,
  templateMaxTtlHours: r[7] as number | null,
  ownerId: r[8] as number,
  ownerLogin: r[9] as string,
  ownerName: r[10] as string,
  ownerRemoved: r[11] === 1,
  vmid: r[12] as number | null,
  node: r[13] as string,
  cores: r[14] as number,
  memoryMb: r[15] as number,
  diskGb: r[16] as number,
  ipAddresses: JSON.parse(r[17] as string) as string[],
  neverExpires: r[18] === 1,
  expiresAt: r[19] as number | null,
  pendingAction: r[20] as string | null,
  provisionStep: r[21] as ProvisionStep | null,
  vmStopped: r[22] === 1,
  lastError: r[23] as string | null,
  lastErrorDetail: r[24] as string | null,
  createdAt: r[25] as number,
  updatedAt: r[26] as number,
  sharedWithViewer: r[27] === 1,
});

export interface Viewer {
  id: number;
  /** deployments.manage_all: sees every deployment. */
  all: boolean;
}

export interface ListFilter {
  statuses: Status[];
  search: string;
  limit: number;
  offset: number;
}

// `@viewer` is the viewer's id in every query below; the columns are toRecord's, in its order.
const SELECT = `SELECT d.id, d.name, d.status, d.template_id, t.name, t.os_type, t.default_ttl_hours, t.max_ttl_hours,
  d.owner_id, u.login, u.name, u.deleted, d.vmid, d.node, d.cores, d.memory_mb, d.disk_gb, d.ip_addresses, d.never_expires,
  d.expires_at, d.pending_action, d.provision_step, d.vm_stopped, d.last_error, d.last_error_detail, d.created_at, d.updated_at,
  (d.owner_id <> @viewer AND EXISTS (SELECT 1 FROM shares s WHERE s.deployment_id = d.id AND s.user_id = @viewer))
  FROM deployments d JOIN templates t ON t.id = d.template_id JOIN users u ON u.id = d.owner_id`;

/**
 * What counts against contingents: the active statuses, and a FAILED deployment whose VM could not be
 * removed yet (its VMID stays on the row): memory is released only when the VM is really gone.
 */
const HOLDS_MEMORY = `(status IN (${sqlList(ACTIVE_STATUSES)}) OR (status = 'FAILED' AND vmid IS NOT NULL))`;

/** Not history: every read for a caller leaves DELETED rows out. */
const SHOWN = `d.status NOT IN (${sqlList(HIDDEN_STATUSES)})`;
const NOT_ENDED = `status NOT IN (${sqlList(ENDED_STATUSES)})`;

const visibleTo = (viewer: Viewer) =>
  viewer.all ? '1' : '(d.owner_id = @viewer OR d.id IN (SELECT s.deployment_id FROM shares s WHERE s.user_id = @viewer))';

export interface NewDeployment {
  name: string;
  templateId: number;
  ownerId: number;
  node: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  neverExpires: boolean;
  expiresAt: number | null;
}

export class DeploymentsRepo {
  private readonly byIdStmt;
  private readonly usedByOwner;
  private readonly usedGlobal;
  private readonly dueStmt;
  private readonly unstoppedStmt;

  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare<[{ viewer: number; id: number }], Row>(`${SELECT} WHERE d.id = @id`).raw(true);
    this.usedByOwner = db.prepare<[number], { mb: number }>(
      `SELECT COALESCE(SUM(memory_mb), 0) AS mb FROM deployments WHERE owner_id = ? AND ${HOLDS_MEMORY}`,
    );
    this.usedGlobal = db.prepare<[], { mb: number }>(
      `SELECT COALESCE(SUM(memory_mb), 0) AS mb FROM deployments WHERE ${HOLDS_MEMORY}`,
    );
    // INDEXED BY: without statistics the planner prefers deployments_status and reads every STOPPED and
    // RUNNING row; the partial indexes keep these reads proportional to what is due. Preparing fails
    // loudly if a WHERE clause ever drifts from its index definition in migrations.ts.
    this.dueStmt = db.prepare<[number], { id: number }>(
      `SELECT id FROM deployments INDEXED BY deployments_due WHERE status IN (${sqlList(EXPIRABLE_STATUSES)}) AND never_expires = 0 AND expires_at <= ?`,
    );
    this.unstoppedStmt = db.prepare<[], { id: number }>(
      "SELECT id FROM deployments INDEXED BY deployments_unstopped_expired WHERE status = 'EXPIRED' AND vm_stopped = 0",
    );
  }

  /** Any deployment by id, as seen by viewerId (for the shared flag); no visibility check. */
  get(id: number, viewerId = 0): DeploymentRecord | null {
    const row = this.byIdStmt.get({ viewer: viewerId, id });
    return row ? toRecord(row) : null;
  }

  /** The deployment if the viewer may see it and it is not DELETED, else null (the caller answers 404). */
  getVisible(id: number, viewer: Viewer): DeploymentRecord | null {
    const sql = `${SELECT} WHERE d.id = @id AND ${SHOWN} AND ${visibleTo(viewer)}`;
    const row = prepared<[{ viewer: number; id: number }], Row>(this.db, sql).raw(true).get({ viewer: viewer.id, id });
    return row ? toRecord(row) : null;
  }

  list(viewer: Viewer, filter: ListFilter): { rows: DeploymentRecord[]; total: number } {
    const where = [visibleTo(viewer), SHOWN];
    const params: Record<string, string | number> = { viewer: viewer.id, limit: filter.limit, offset: filter.offset };
    if (filter.statuses.length > 0) {
      where.push(`d.status IN (${filter.statuses.map((_, i) => `@status${i}`).join(',')})`);
      filter.statuses.forEach((s, i) => (params[`status${i}`] = s));
    }
    if (filter.search !== '') {
      where.push("(d.name LIKE @like ESCAPE '\\' OR t.name LIKE @like ESCAPE '\\' OR u.login LIKE @like ESCAPE '\\' OR d.ip_addresses LIKE @like ESCAPE '\\' OR CAST(d.vmid AS TEXT) = @search)");
      params.like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.search = filter.search;
    }
    const clause = where.join(' AND ');
    const total = filter.search === '' ? this.countUnsearched(viewer, filter.statuses) : this.countSearched(clause, params);
    const sql = `${SELECT} WHERE ${clause} ORDER BY d.id DESC LIMIT @limit OFFSET @offset`;
    const rows = prepared<[Record<string, string | number>], Row>(this.db, sql).raw(true).all(params);
    return { rows: rows.map(toRecord), total };
  }

  /** From deployment_counts: a few rows per owner, whatever the size of the deployments table. */
  private countUnsearched(viewer: Viewer, statuses: readonly Status[]): number {
    const wanted = statuses.length > 0 ? LISTED_STATUSES.filter((s) => statuses.includes(s)) : LISTED_STATUSES;
    if (wanted.length === 0) return 0;
    const inList = sqlList(wanted);
    if (viewer.all) {
      return prepared<[], { n: number }>(this.db, `SELECT COALESCE(SUM(n), 0) AS n FROM deployment_counts WHERE status IN (${inList})`).get()?.n ?? 0;
    }
    const own =
      prepared<[number], { n: number }>(this.db, `SELECT COALESCE(SUM(n), 0) AS n FROM deployment_counts WHERE owner_id = ? AND status IN (${inList})`).get(viewer.id)?.n ?? 0;
    const sharedSql = `SELECT COUNT(*) AS n FROM shares s JOIN deployments d ON d.id = s.deployment_id
      WHERE s.user_id = @viewer AND d.owner_id <> @viewer AND d.status IN (${inList})`;
    const shared = prepared<[{ viewer: number }], { n: number }>(this.db, sharedSql).get({ viewer: viewer.id })?.n ?? 0;
    return own + shared;
  }

  private countSearched(clause: string, params: Record<string, string | number>): number {
    const countSql = `SELECT COUNT(*) AS n FROM deployments d JOIN templates t ON t.id = d.template_id JOIN users u ON u.id = d.owner_id WHERE ${clause}`;
    return prepared<[Record<string, string | number>], { n: number }>(this.db, countSql).get(params)?.n ?? 0;
  }

  insert(d: NewDeployment, now: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO deployments (name, status, template_id, owner_id, node, cores, memory_mb, disk_gb, never_expires, expires_at, vm_stopped, created_at, updated_at)
         VALUES (@name, 'PROVISIONING', @templateId, @ownerId, @node, @cores, @memoryMb, @diskGb, @neverExpires, @expiresAt, 1, @now, @now)`,
      )
      .run({ ...d, neverExpires: d.neverExpires ? 1 : 0, now });
    return Number(info.lastInsertRowid);
  }

  /** Writes the given columns; names are the code's own, never input. */
  update(id: number, now: number, fields: Partial<{
    status: Status;
    vmid: number | null;
    ipAddresses: string[];
    neverExpires: boolean;
    expiresAt: number | null;
    pendingAction: string | null;
    provisionStep: ProvisionStep | null;
    vmStopped: boolean;
    lastError: string | null;
    lastErrorDetail: string | null;
  }>): void {
    const columns: Record<string, string | number | null> = {};
    if (fields.status !== undefined) columns.status = fields.status;
    if (fields.vmid !== undefined) columns.vmid = fields.vmid;
    if (fields.ipAddresses !== undefined) columns.ip_addresses = JSON.stringify(fields.ipAddresses);
    if (fields.neverExpires !== undefined) columns.never_expires = fields.neverExpires ? 1 : 0;
    if (fields.expiresAt !== undefined) columns.expires_at = fields.expiresAt;
    if (fields.pendingAction !== undefined) columns.pending_action = fields.pendingAction;
    if (fields.provisionStep !== undefined) columns.provision_step = fields.provisionStep;
    if (fields.vmStopped !== undefined) columns.vm_stopped = fields.vmStopped ? 1 : 0;
    if (fields.lastError !== undefined) {
      // A new lastError replaces both readings; a detail left over from an older failure would mislead.
      columns.last_error = fields.lastError;
      columns.last_error_detail = fields.lastErrorDetail ?? null;
    }
    const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
    prepared(this.db, `UPDATE deployments SET ${[...sets, 'updated_at = @now'].join(', ')} WHERE id = @id`).run({ ...columns, now, id });
  }

  /** A new owner; shares with them become pointless (they own it now) and go. */
  setOwner(id: number, ownerId: number, now: number): void {
    this.db.prepare('UPDATE deployments SET owner_id = ?, updated_at = ? WHERE id = ?').run(ownerId, now, id);
    this.db.prepare('DELETE FROM shares WHERE deployment_id = ? AND user_id = ?').run(id, ownerId);
  }

  usedMemoryMb(ownerId: number): number {
    return this.usedByOwner.get(ownerId)?.mb ?? 0;
  }

  usedMemoryMbGlobal(): number {
    return this.usedGlobal.get()?.mb ?? 0;
  }

  /** A live deployment other than `exceptId` already holds this VMID (reserved or in use). */
  vmidTaken(vmid: number, exceptId = 0): boolean {
    const sql = `SELECT COUNT(*) AS n FROM deployments WHERE vmid = ? AND id <> ? AND ${NOT_ENDED}`;
    return prepared<[number, number], { n: number }>(this.db, sql).get(vmid, exceptId)?.n !== 0;
  }

  nameTaken(name: string): boolean {
    return (
      prepared<[string], { n: number }>(this.db, `SELECT COUNT(*) AS n FROM deployments WHERE name = ? COLLATE NOCASE AND ${NOT_ENDED}`).get(name)
        ?.n !== 0
    );
  }

  /** Ids past their expiry that may still run. Runs on every list request, so its cost must follow the due count. */
  dueIds(now: number): number[] {
    return this.dueStmt.all(now).map((r) => r.id);
  }

  /** EXPIRED deployments whose VM is not known to be stopped (a stop failed or is under way). */
  expiredNotStoppedIds(): number[] {
    return this.unstoppedStmt.all().map((r) => r.id);
  }

  /** Every deployment holding a VMID, with what the reconcile pass needs to judge it. */
  vmHolders(): Array<{ id: number; vmid: number; status: Status; pendingAction: string | null }> {
    const sql = `SELECT id, vmid, status, pending_action AS pendingAction FROM deployments d WHERE vmid IS NOT NULL AND ${SHOWN}`;
    return prepared<[], { id: number; vmid: number; status: Status; pendingAction: string | null }>(this.db, sql).all();
  }

  /** Some deployment (not DELETED) holds this VMID, FAILED ones with a leftover VM included. */
  holdsVmid(vmid: number): boolean {
    return prepared<[number], { n: number }>(this.db, `SELECT COUNT(*) AS n FROM deployments d WHERE vmid = ? AND ${SHOWN}`).get(vmid)?.n !== 0;
  }

  idsWith(statuses: readonly Status[]): number[] {
    return prepared<[], { id: number }>(this.db, `SELECT id FROM deployments WHERE status IN (${sqlList(statuses)}) ORDER BY id`).all().map((r) => r.id);
  }

  idsWithPendingAction(): number[] {
    return prepared<[], { id: number }>(this.db, 'SELECT id FROM deployments WHERE pending_action IS NOT NULL ORDER BY id').all().map((r) => r.id);
  }
}
