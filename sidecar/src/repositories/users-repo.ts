/** The sidecar's mirror of WordPress users, with their portal rights and RAM overrides. */
import type { Db } from '../db/open';
import { ALL_RIGHTS, Right, isRight } from '@spp/contract';

export interface DirectoryUser {
  id: number;
  login: string;
  email: string;
  name: string;
  ramLimitMb: number | null;
  deleted: boolean;
}

interface UserRow {
  id: number;
  login: string;
  email: string;
  name: string;
  ram_limit_mb: number | null;
  deleted: number;
}

const toUser = (r: UserRow): DirectoryUser => ({ id: r.id, login: r.login, email: r.email, name: r.name, ramLimitMb: r.ram_limit_mb, deleted: r.deleted === 1 });

export class UsersRepo {
  private readonly byId;
  private readonly byLoginOrEmail;
  private readonly upsertStmt;
  private readonly rightsStmt;
  private readonly holdersStmt;
  private readonly bootstrapGrantsStmt;
  private ended = false;

  constructor(private readonly db: Db) {
    this.byId = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
    this.byLoginOrEmail = db.prepare<[string, string], UserRow>(
      "SELECT * FROM users WHERE deleted = 0 AND (login = ? COLLATE NOCASE OR (email <> '' AND email = ? COLLATE NOCASE)) ORDER BY id LIMIT 2",
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO users (id, login, email, name, deleted, updated_at) VALUES (@id, @login, @email, @name, 0, @now)
       ON CONFLICT(id) DO UPDATE SET login = excluded.login, email = excluded.email, name = excluded.name, deleted = 0, updated_at = excluded.updated_at`,
    );
    this.rightsStmt = db.prepare<[number], { right_slug: string }>('SELECT right_slug FROM user_rights WHERE user_id = ?');
    this.bootstrapGrantsStmt = db.prepare<[number], { one: number }>('SELECT 1 AS one FROM user_rights INDEXED BY user_rights_bootstrap WHERE granted_in_bootstrap_by = ? LIMIT 1');
    this.holdersStmt = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM user_rights r JOIN users u ON u.id = r.user_id WHERE r.right_slug = ? AND u.deleted = 0',
    );
  }

  get(id: number): DirectoryUser | null {
    const row = this.byId.get(id);
    return row ? toUser(row) : null;
  }

  /** Exactly one live user by login or e-mail; null when none or ambiguous. */
  findByLoginOrEmail(value: string): DirectoryUser | null {
    const rows = this.byLoginOrEmail.all(value, value);
    return rows.length === 1 && rows[0] ? toUser(rows[0]) : null;
  }

  upsert(user: { id: number; login: string; email: string; name: string }, now: number): void {
    this.upsertStmt.run({ ...user, now });
  }

  /** A deleted WordPress user keeps their row (owner names, audit) but loses rights and shares. */
  markDeleted(id: number, now: number): void {
    this.db.prepare('UPDATE users SET deleted = 1, updated_at = ? WHERE id = ?').run(now, id);
    this.db.prepare('DELETE FROM user_rights WHERE user_id = ?').run(id);
    this.db.prepare('DELETE FROM shares WHERE user_id = ?').run(id);
  }

  liveIds(): number[] {
    return this.db.prepare<[], { id: number }>('SELECT id FROM users WHERE deleted = 0').all().map((r) => r.id);
  }

  rights(id: number): Right[] {
    return this.rightsStmt.all(id).map((r) => r.right_slug).filter(isRight);
  }

  /**
   * Replaces the user's rights. `grantedInBootstrapBy`: the administrator granting through the bootstrap
   * (the rights last while they stay one). Granting 'Manage rights' ends the bootstrap for good.
   */
  setRights(id: number, rights: readonly Right[], o: { now?: number; grantedInBootstrapBy?: number | null } = {}): void {
    this.db.prepare('DELETE FROM user_rights WHERE user_id = ?').run(id);
    const add = this.db.prepare('INSERT INTO user_rights (user_id, right_slug, granted_in_bootstrap_by) VALUES (?, ?, ?)');
    for (const r of new Set(rights)) add.run(id, r, o.grantedInBootstrapBy ?? null);
    if (rights.includes('rights.manage')) this.endBootstrap(o.now ?? Date.now());
  }

  /** Ended once anybody held 'Manage rights'; never reopens (kept in memory once seen). */
  bootstrapEnded(): boolean {
    if (this.ended) return true;
    this.ended = this.db.prepare("SELECT 1 FROM portal_state WHERE key = 'bootstrap_ended_at'").get() !== undefined;
    return this.ended;
  }

  private endBootstrap(now: number): void {
    this.db.prepare("INSERT OR IGNORE INTO portal_state (key, value) VALUES ('bootstrap_ended_at', ?)").run(String(now));
    // Not cached here: a rolled-back transaction must not end it in memory only.
  }

  /** Whether rights granted through the bootstrap by this administrator are still held. */
  hasBootstrapGrants(granterId: number): boolean {
    return this.bootstrapGrantsStmt.get(granterId) !== undefined;
  }

  /** Removes the rights this administrator granted through the bootstrap; returns them per user. */
  revokeBootstrapGrants(granterId: number): Array<{ userId: number; rights: Right[] }> {
    const rows = this.db.prepare<[number], { user_id: number; right_slug: string }>('SELECT user_id, right_slug FROM user_rights WHERE granted_in_bootstrap_by = ? ORDER BY user_id').all(granterId);
    this.db.prepare('DELETE FROM user_rights WHERE granted_in_bootstrap_by = ?').run(granterId);
    const byUser = new Map<number, Right[]>();
    for (const r of rows) if (isRight(r.right_slug)) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.right_slug]);
    return [...byUser].map(([userId, rights]) => ({ userId, rights }));
  }

  setRamLimit(id: number, limitMb: number | null, now: number): void {
    this.db.prepare('UPDATE users SET ram_limit_mb = ?, updated_at = ? WHERE id = ?').run(limitMb, now, id);
  }

  countHolders(right: Right): number {
    return this.holdersStmt.get(right)?.n ?? 0;
  }

  list(search: string, limit: number, offset: number): { users: Array<DirectoryUser & { rights: Right[] }>; total: number } {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = "deleted = 0 AND (? = '' OR login LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')";
    const args = [search, like, like, like];
    const total = this.db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where}`).get(...args)?.n ?? 0;
    const rows = this.db.prepare<unknown[], UserRow>(`SELECT * FROM users WHERE ${where} ORDER BY login COLLATE NOCASE, id LIMIT ? OFFSET ?`).all(...args, limit, offset);
    const order = new Map(ALL_RIGHTS.map((r, i) => [r, i]));
    return {
      total,
      users: rows.map((r) => ({ ...toUser(r), rights: this.rights(r.id).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)) })),
    };
  }
}
