/**
 * Audit retention: rows older than the retention an administrator chose move, a batch at a time, to a
 * JSON Lines file in the data folder's audit-archive/ (written and fsync'd before anything is deleted),
 * and a signed checkpoint in the same transaction as the delete records where the chain goes on.
 * Nothing is lost: `npm run audit:verify` checks the database's chain from the last checkpoint and each
 * archive file still at hand against its checkpoint.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/open';
import { writeTx } from '../db/open';
import type { Clock } from '../domain/clock';
import { SYSTEM_ACTOR } from '../auth/actor';
import { AuditLog, GENESIS_HASH } from './audit-log';
import { Checkpoint, signCheckpoint } from './audit-checkpoint';
import { ChainWalk, StoredAuditRow } from './audit-verify';

/** 0 keeps every row; otherwise whole days within these bounds. */
export const AUDIT_RETENTION_DAYS = { keepAll: 0, min: 30, max: 3650 } as const;
/** Rows per archive file and per sweep: one sweep never holds the database for long. */
export const AUDIT_ARCHIVE_BATCH = 5_000;
export const AUDIT_ARCHIVE_DIR = 'audit-archive';

const DAY_MS = 86_400_000;

export type ArchiveOutcome =
  | { archived: 0 }
  | { archived: number; file: string; throughId: number }
  /** The rows due are not an intact chain: they stay where they are, as evidence. */
  | { archived: 0; refused: string };

export class AuditRetention {
  private readonly head;
  private readonly due;
  private readonly insertCheckpoint;
  private readonly deleteRange;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly key: Buffer,
    private readonly dir: string,
    private readonly now: Clock,
    private readonly retentionDays: () => number,
  ) {
    this.head = db.prepare<[], { through_id: number; through_hash: string }>('SELECT through_id, through_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
    // Everything before the first row young enough to keep: never a younger row, even after the clock stepped back.
    this.due = db.prepare<[string, number], StoredAuditRow>(
      `SELECT * FROM audit_log WHERE id < COALESCE((SELECT id FROM audit_log WHERE at >= ? ORDER BY id LIMIT 1), 9223372036854775807)
       ORDER BY id LIMIT ?`,
    );
    this.insertCheckpoint = db.prepare(
      `INSERT INTO audit_checkpoints (from_id, from_prev_hash, through_id, through_hash, rows, first_at, last_at, archive_file, archive_sha256, created_at, signature)
       VALUES (@from_id, @from_prev_hash, @through_id, @through_hash, @rows, @first_at, @last_at, @archive_file, @archive_sha256, @created_at, @signature)`,
    );
    this.deleteRange = db.prepare<[number, number]>('DELETE FROM audit_log WHERE id BETWEEN ? AND ?');
  }

  /** Archives one batch of the rows due; the sweep calls it again until nothing is due. */
  archiveDue(): ArchiveOutcome {
    const days = this.retentionDays();
    if (days === AUDIT_RETENTION_DAYS.keepAll) return { archived: 0 };
    const cutoff = new Date(this.now() - days * DAY_MS).toISOString();
    const rows = this.due.all(cutoff, AUDIT_ARCHIVE_BATCH);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first === undefined || last === undefined) return { archived: 0 };

    const head = this.head.get();
    const walk = new ChainWalk(head?.through_hash ?? GENESIS_HASH, (head?.through_id ?? 0) + 1);
    for (const row of rows) {
      const reason = walk.step(row);
      if (reason !== null) return { archived: 0, refused: reason };
    }

    const name = `audit-${String(first.id).padStart(12, '0')}-${String(last.id).padStart(12, '0')}.jsonl`;
    const sha256 = this.writeArchive(name, rows);
    const checkpoint: Checkpoint = {
      from_id: first.id,
      from_prev_hash: first.prev_hash,
      through_id: last.id,
      through_hash: last.hash,
      rows: rows.length,
      first_at: first.at,
      last_at: last.at,
      archive_file: name,
      archive_sha256: sha256,
      created_at: new Date(this.now()).toISOString(),
    };
    const signed = signCheckpoint(this.key, checkpoint);
    writeTx(this.db, () => {
      this.insertCheckpoint.run(signed);
      const gone = this.deleteRange.run(first.id, last.id).changes;
      if (gone !== rows.length) throw new Error(`audit retention: expected to remove ${rows.length} rows, found ${gone}`);
      this.audit.append({
        actor: SYSTEM_ACTOR,
        action: 'audit.archive',
        target: { type: 'audit', id: `${first.id}-${last.id}` },
        result: 'ok',
        details: { rows: rows.length, from: first.at, to: last.at, file: `${AUDIT_ARCHIVE_DIR}/${name}`, sha256, retentionDays: days },
      });
    });
    return { archived: rows.length, file: name, throughId: last.id };
  }

  /** Writes the file whole and durably (temp file, fsync, rename, fsync of the folder); returns its SHA-256. */
  private writeArchive(name: string, rows: StoredAuditRow[]): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const text = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
    const tmp = join(this.dir, `.${name}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, name));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return createHash('sha256').update(text).digest('hex');
  }
}
