/**
 * Nonces seen in the last 10 minutes, in their own SQLite file. Kept apart from the portal's database
 * because every signed request writes one: here `synchronous=NORMAL` (WAL) survives a crash of the
 * sidecar, which is all replay protection needs, without an fsync on every GET.
 */
import Database from 'better-sqlite3';

export const NONCE_TTL_MS = 10 * 60 * 1000;
const PRUNE_EVERY = 500;

export class ReplayGuard {
  private readonly insert: Database.Statement<[string, number]>;
  private readonly prune: Database.Statement<[number]>;
  private sincePrune = 0;

  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID');
    db.exec('CREATE INDEX IF NOT EXISTS nonces_seen_at ON nonces(seen_at)');
    // INSERT OR IGNORE makes check-and-store one atomic statement: two copies of a request cannot both pass.
    this.insert = db.prepare('INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM nonces WHERE seen_at < ?');
  }

  static open(file: string): ReplayGuard {
    return new ReplayGuard(new Database(file));
  }

  /** True when the nonce is new (and is now remembered); false for a replay. */
  remember(nonce: string, nowMs: number): boolean {
    if (++this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      this.prune.run(nowMs - NONCE_TTL_MS);
    }
    return this.insert.run(nonce, nowMs).changes === 1;
  }

  close(): void {
    this.db.close();
  }
}
