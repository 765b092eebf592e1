/**
 * The append-only audit log. Each row carries a SHA-256 hash over its content and the previous row's
 * hash, so an edited, inserted or deleted row breaks the chain (see audit-verify.ts). Rows are appended
 * by the caller inside the same write transaction as the change they record.
 */
import type { Db } from '../db/open';
import { sha256Hex } from '../auth/canonical';
import type { Actor } from '../auth/actor';

export type AuditResult = 'ok' | 'refused' | 'failed';

export interface AuditEntry {
  /** null when the request could not be authenticated. */
  actor: Actor | null;
  action: string;
  target?: { type: string; id: string | number } | null;
  deploymentId?: number | null;
  result: AuditResult;
  status?: number | null;
  details?: Record<string, unknown>;
  /** Used when there is no trusted actor to carry them (401s): the peer's address. */
  ip?: string | null;
  userAgent?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRowContent {
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

export function rowHash(prevHash: string, row: AuditRowContent): string {
  return sha256Hex(
    `${prevHash}\n${JSON.stringify([row.at, row.actor_id, row.actor_login, row.action, row.target_type, row.target_id, row.deployment_id, row.result, row.status, row.details, row.ip, row.user_agent])}`,
  );
}

export class AuditLog {
  private readonly lastHash;
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.lastHash = db.prepare<[], { hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor_id, actor_login, action, target_type, target_id, deployment_id, result, status, details, ip, user_agent, prev_hash, hash)
       VALUES (@at, @actor_id, @actor_login, @action, @target_type, @target_id, @deployment_id, @result, @status, @details, @ip, @user_agent, @prev_hash, @hash)`,
    );
  }

  /** Must run inside a write transaction, so reading the chain's head and appending are one step. */
  append(entry: AuditEntry): void {
    if (!this.db.inTransaction) throw new Error('AuditLog.append must run inside a write transaction');
    const actor = entry.actor;
    const row: AuditRowContent = {
      at: new Date(this.now()).toISOString(),
      actor_id: actor ? actor.id : null,
      actor_login: actor ? (actor.system ? 'system' : actor.login) : null,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target ? String(entry.target.id) : null,
      deployment_id: entry.deploymentId ?? null,
      result: entry.result,
      status: entry.status ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip: actor?.ip ?? entry.ip ?? null,
      user_agent: actor?.userAgent ?? entry.userAgent ?? null,
    };
    const prev = this.lastHash.get()?.hash ?? GENESIS_HASH;
    this.insert.run({ ...row, prev_hash: prev, hash: rowHash(prev, row) });
  }

  /** Appends in a transaction of its own: for refusals and failures, which change nothing else. */
  record(entry: AuditEntry): void {
    this.db.transaction(() => this.append(entry)).immediate();
  }
}
