/** Reading the audit log: filters, paging and CSV, for those who manage all deployments or the settings. */
import type { Db } from '../db/open';

export interface AuditFilter {
  actor?: string; // user id or login
  action?: string;
  deployment?: number;
  from?: string;
  to?: string;
}

import type { AuditRecord } from '@spp/contract';


interface Row {
  id: number;
  at: string;
  actor_id: number | null;
  actor_login: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  deployment_id: number | null;
  result: string;
  status: number | null;
  details: string;
  ip: string | null;
  user_agent: string | null;
}

const toRecord = (r: Row): AuditRecord => ({
  id: r.id,
  at: r.at,
  actor: { id: r.actor_id, login: r.actor_login },
  action: r.action,
  target: r.target_type === null ? null : { type: r.target_type, id: r.target_id ?? '' },
  deploymentId: r.deployment_id,
  result: r.result,
  status: r.status,
  details: JSON.parse(r.details) as Record<string, unknown>,
  ip: r.ip,
  userAgent: r.user_agent,
});

function whereOf(f: AuditFilter): { sql: string; params: Record<string, string | number> } {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (f.actor !== undefined) {
    if (/^[0-9]+$/.test(f.actor)) where.push('actor_id = @actorId');
    else where.push('actor_login = @actor COLLATE NOCASE');
    params.actorId = Number(f.actor);
    params.actor = f.actor;
  }
  if (f.action !== undefined) {
    // `deployment.` matches every deployment action; a full name matches itself.
    where.push(f.action.endsWith('.') ? "action LIKE @actionPrefix ESCAPE '\\'" : 'action = @action');
    params.action = f.action;
    params.actionPrefix = `${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (f.deployment !== undefined) {
    where.push('deployment_id = @deployment');
    params.deployment = f.deployment;
  }
  if (f.from !== undefined) {
    where.push('at >= @from');
    params.from = new Date(f.from).toISOString();
  }
  if (f.to !== undefined) {
    where.push('at <= @to');
    params.to = new Date(f.to).toISOString();
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function queryAudit(db: Db, f: AuditFilter, limit: number, offset: number): { rows: AuditRecord[]; total: number } {
  const { sql, params } = whereOf(f);
  const total = db.prepare<[Record<string, string | number>], { n: number }>(`SELECT COUNT(*) AS n FROM audit_log ${sql}`).get(params)?.n ?? 0;
  const rows = db
    .prepare<[Record<string, string | number>], Row>(`SELECT * FROM audit_log ${sql} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit, offset });
  return { rows: rows.map(toRecord), total };
}

const CSV_COLUMNS = ['id', 'at', 'actor_id', 'actor_login', 'action', 'target_type', 'target_id', 'deployment_id', 'result', 'status', 'details', 'ip', 'user_agent'] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet; a leading quote disarms it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows per chunk of the CSV export: one short read each, so writers never wait long behind an export. */
export const CSV_CHUNK_ROWS = 500;

/**
 * Every matching row as CSV, oldest first, in chunks: the header, then up to CSV_CHUNK_ROWS rows per chunk,
 * each read by id after the last (no read transaction held open while the client is slow to take them).
 * The rights check runs when the first chunk is asked for.
 */
export function* auditCsvChunks(db: Db, f: AuditFilter): Generator<string> {
  const { sql, params } = whereOf(f);
  const page = db.prepare<[Record<string, string | number>], Row>(
    `SELECT * FROM audit_log ${sql ? `${sql} AND` : 'WHERE'} id > @after ORDER BY id LIMIT ${CSV_CHUNK_ROWS}`,
  );
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  let after = 0;
  for (;;) {
    const rows = page.all({ ...params, after });
    if (rows.length === 0) return;
    yield rows.map((row) => `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`).join('');
    after = (rows[rows.length - 1] as Row).id;
    if (rows.length < CSV_CHUNK_ROWS) return;
  }
}
