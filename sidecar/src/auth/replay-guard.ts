/**
 * Nonces seen in the last 10 minutes, held in memory: a signed read writes nothing. They outlive a
 * restart in their own SQLite file, written once at a clean shutdown and read back at the next start.
 * After a crash nothing was written, so the window is anchored instead: only requests signed at or
 * after the second following the start are accepted, and nothing signed before the restart can be
 * replayed after it (`acceptsFrom`; /healthz says "starting" until then). The anchor is kept in the
 * file, so a clean restart soon after cannot reopen what the crash closed.
 */
import Database from 'better-sqlite3';

export const NONCE_TTL_MS = 10 * 60 * 1000;
/** Nonces held at most: signed requests beyond it within the window are refused (a key holder's flood). */
export const MAX_NONCES = 1_000_000;

export class ReplayGuard {
  /** Insertion order is the order seen, so the oldest are pruned from the front. */
  private readonly seen = new Map<string, number>();
  /** Epoch ms from which signatures are accepted: 0 after a clean shutdown, the next whole second after a crash. */
  readonly acceptsFrom: number;

  constructor(
    private readonly db: Database.Database,
    now: number = Date.now(),
    private readonly maxNonces = MAX_NONCES,
  ) {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID');
    const hadState = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'replay_state'").get() !== undefined;
    db.exec('CREATE TABLE IF NOT EXISTS replay_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    // A file from before replay_state recorded every nonce as it came: as good as a clean shutdown.
    const state = (key: string) => db.prepare<[string], { value: string }>('SELECT value FROM replay_state WHERE key = ?').get(key)?.value;
    const clean = !hadState || state('clean') === '1';
    const anchored = Number(state('accepts_from') ?? 0);
    this.acceptsFrom = clean ? anchored : Math.max(anchored, (Math.floor(now / 1000) + 1) * 1000);
    db.transaction(() => {
      if (clean) {
        for (const row of db.prepare<[number], { nonce: string; seen_at: number }>('SELECT nonce, seen_at FROM nonces WHERE seen_at >= ? ORDER BY seen_at').iterate(now - NONCE_TTL_MS)) {
          this.seen.set(row.nonce, row.seen_at);
        }
      }
      db.exec('DELETE FROM nonces');
      const set = db.prepare<[string, string]>('INSERT INTO replay_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      set.run('clean', '0');
      set.run('accepts_from', String(this.acceptsFrom));
    }).immediate();
  }

  static open(file: string, now?: number): ReplayGuard {
    return new ReplayGuard(new Database(file), now);
  }

  /**
   * True when the request may pass and its nonce is now remembered; a reason when not: a replay, a
   * request signed before a crash-restart, or more signed requests in the window than are held.
   */
  remember(nonce: string, nowMs: number, signedAtSeconds: number): true | string {
    if (signedAtSeconds * 1000 < this.acceptsFrom) return 'The request was signed before the sidecar restarted; send it again.';
    this.prune(nowMs);
    if (this.seen.has(nonce)) return 'This nonce was already used (replayed request).';
    if (this.seen.size >= this.maxNonces) return 'Too many signed requests in the last 10 minutes; try again shortly.';
    this.seen.set(nonce, nowMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    const cutoff = nowMs - NONCE_TTL_MS;
    for (const [nonce, at] of this.seen) {
      if (at >= cutoff) break;
      this.seen.delete(nonce);
    }
  }

  /** Writes the nonces of the window for the next start, marks the shutdown clean, and closes. */
  close(nowMs: number = Date.now()): void {
    this.prune(nowMs);
    const insert = this.db.prepare('INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM nonces');
      for (const [nonce, at] of this.seen) insert.run(nonce, at);
      this.db.prepare("UPDATE replay_state SET value = '1' WHERE key = 'clean'").run();
    }).immediate();
    this.db.close();
  }
}
