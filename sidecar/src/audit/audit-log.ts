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

/**
 * The longest value each field keeps: a row costs the same however long a caller's path, user agent or
 * error text was (6 KB user agents were seen). Longer values are cut and say so.
 */
export const AUDIT_FIELD_LIMITS = { action: 100, targetId: 100, login: 60, ip: 64, userAgent: 256, details: 4_096 } as const;

/**
 * Refusals that repeat (the same actor, or for unsigned requests the same peer, refused the same way)
 * within this window are one row with a count, not one row each: a logged-in user looping 403s or a
 * client looping bad signatures cannot grow the log faster than one row per window and kind.
 */
export const REFUSAL_WINDOW_MS = 60_000;
/** Distinct refusal kinds held in memory at most; beyond it all are written out at once. */
export const REFUSAL_KEYS_MAX = 10_000;
/** Targets named in a counted row at most. */
const REPEAT_TARGETS_MAX = 20;

const clip = (value: string | null, max: number): string | null => (value === null || value.length <= max ? value : `${value.slice(0, max - 1)}…`);

function boundedDetails(details: Record<string, unknown>): string {
  const json = JSON.stringify(details);
  if (json.length <= AUDIT_FIELD_LIMITS.details) return json;
  // Cut to a valid JSON object that says it was cut, with as much of the original as fits.
  return JSON.stringify({ truncated: true, length: json.length, head: json.slice(0, AUDIT_FIELD_LIMITS.details - 100) });
}

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
    // Where the chain goes on: the last row, or when retention archived every row, the last checkpoint.
    this.lastHash = db.prepare<[], { hash: string | null }>(
      'SELECT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), (SELECT through_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1)) AS hash',
    );
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor_id, actor_login, action, target_type, target_id, deployment_id, result, status, details, ip, user_agent, prev_hash, hash)
       VALUES (@at, @actor_id, @actor_login, @action, @target_type, @target_id, @deployment_id, @result, @status, @details, @ip, @user_agent, @prev_hash, @hash)`,
    );
  }

  /** Must run inside a write transaction, so reading the chain's head and appending are one step. */
  append(entry: AuditEntry): void {
    if (!this.db.inTransaction) throw new Error('AuditLog.append must run inside a write transaction');
    const actor = entry.actor;
    const L = AUDIT_FIELD_LIMITS;
    const row: AuditRowContent = {
      at: new Date(this.now()).toISOString(),
      actor_id: actor ? actor.id : null,
      actor_login: actor ? (actor.system ? 'system' : clip(actor.login, L.login)) : null,
      action: clip(entry.action, L.action) as string,
      target_type: entry.target?.type ?? null,
      target_id: entry.target ? clip(String(entry.target.id), L.targetId) : null,
      deployment_id: entry.deploymentId ?? null,
      result: entry.result,
      status: entry.status ?? null,
      details: boundedDetails(entry.details ?? {}),
      ip: clip(actor?.ip ?? entry.ip ?? null, L.ip),
      user_agent: clip(actor?.userAgent ?? entry.userAgent ?? null, L.userAgent),
    };
    const prev = this.lastHash.get()?.hash ?? GENESIS_HASH;
    this.insert.run({ ...row, prev_hash: prev, hash: rowHash(prev, row) });
  }

  /** Appends in a transaction of its own: for refusals and failures, which change nothing else. */
  record(entry: AuditEntry): void {
    this.db.transaction(() => this.append(entry)).immediate();
  }

  private readonly repeats = new Map<string, { entry: AuditEntry; since: number; count: number; targets: Set<string> }>();

  /**
   * A refusal that changed nothing: the first of its kind in a window is written at once; repeats within
   * REFUSAL_WINDOW_MS are counted and written as one row (`details.repeated`, from, to) when the window
   * has passed (at the next such refusal, at flushRepeats(), or when the log closes).
   */
  refusal(entry: AuditEntry): void {
    const now = this.now();
    // An unsigned request's reason can carry what the caller sent (a key id, the clock skew), so its
    // refusals are one kind per peer; a signed actor's are told apart by their error code.
    const key = JSON.stringify(entry.actor ? [entry.actor.id, entry.action, entry.status ?? null, entry.details?.code ?? null] : [null, entry.ip ?? null, entry.action, entry.status ?? null]);
    const held = this.repeats.get(key);
    if (held && now - held.since < REFUSAL_WINDOW_MS) {
      held.count++;
      held.entry = entry;
      // Which objects were tried (say, deployment ids walked one by one), as far as a row holds them.
      if (entry.target && held.targets.size < REPEAT_TARGETS_MAX) held.targets.add(`${entry.target.type}:${entry.target.id}`);
      return;
    }
    if (held) this.writeRepeats(key);
    if (this.repeats.size >= REFUSAL_KEYS_MAX) this.flushRepeats(Number.POSITIVE_INFINITY);
    this.record(entry);
    this.repeats.set(key, { entry, since: now, count: 0, targets: new Set() });
  }

  /** Writes the counts of every window that ended by `now` (all of them with Infinity), and forgets them. */
  flushRepeats(now = this.now()): void {
    for (const [key, held] of [...this.repeats]) if (now - held.since >= REFUSAL_WINDOW_MS) this.writeRepeats(key);
  }

  private writeRepeats(key: string): void {
    const held = this.repeats.get(key);
    this.repeats.delete(key);
    if (!held || held.count === 0) return;
    const { entry, since, count, targets } = held;
    const tried = targets.size > 0 ? { targets: [...targets] } : {};
    this.record({ ...entry, details: { ...entry.details, repeated: count, ...tried, from: new Date(since).toISOString(), to: new Date(this.now()).toISOString() } });
  }
}
