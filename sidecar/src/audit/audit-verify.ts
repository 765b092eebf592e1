/**
 * Walks the audit chain and reports the first row that was edited, inserted, reordered or removed.
 * Rows that retention archived are vouched for by signed checkpoints: the chain in the database starts
 * where the last checkpoint ends, and each archive file, where it is still at hand, is walked the same way.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db } from '../db/open';
import { AuditRowContent, GENESIS_HASH, rowHash } from './audit-log';
import { checkpointSigned, SignedCheckpoint } from './audit-checkpoint';

export type StoredAuditRow = AuditRowContent & { id: number; prev_hash: string; hash: string };

export type ChainReport =
  | { ok: true; rows: number; archived: number }
  | { ok: false; rows: number; badId: number | null; reason: string };

/** Follows a chain row by row; says what is wrong with the first row that does not follow. */
export class ChainWalk {
  constructor(
    public prev: string,
    public expectedId: number,
  ) {}

  step(row: StoredAuditRow): string | null {
    if (row.id < this.expectedId) return `row ${row.id} was archived but is still in the log`;
    if (row.id !== this.expectedId) return `rows ${this.expectedId}..${row.id - 1} are missing`;
    if (row.prev_hash !== this.prev) return `row ${row.id} does not follow row ${row.id - 1} (a row was removed or replaced)`;
    if (rowHash(this.prev, row) !== row.hash) return `row ${row.id} was edited after it was written`;
    this.prev = row.hash;
    this.expectedId++;
    return null;
  }
}

export function checkpointsOf(db: Db): SignedCheckpoint[] {
  // A database the sidecar has not migrated yet (audit:verify run right after an upgrade) has none.
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_checkpoints'").get();
  return table === undefined ? [] : db.prepare<[], SignedCheckpoint>('SELECT * FROM audit_checkpoints ORDER BY id').all();
}

/** `auditKey`: the data folder's audit key; needed only once retention has archived rows. */
export function verifyAuditChain(db: Db, auditKey: Buffer | null = null): ChainReport {
  const walk = new ChainWalk(GENESIS_HASH, 1);
  let archived = 0;
  for (const c of checkpointsOf(db)) {
    const fail = (reason: string): ChainReport => ({ ok: false, rows: 0, badId: c.from_id, reason });
    if (auditKey === null) return fail(`checkpoint of rows ${c.from_id}..${c.through_id} cannot be checked without the audit key (audit.key)`);
    if (!checkpointSigned(auditKey, c)) return fail(`checkpoint of rows ${c.from_id}..${c.through_id} is not signed with this portal's audit key (forged or edited)`);
    if (c.from_id !== walk.expectedId || c.from_prev_hash !== walk.prev) return fail(`checkpoint of rows ${c.from_id}..${c.through_id} does not follow the one before it`);
    walk.prev = c.through_hash;
    walk.expectedId = c.through_id + 1;
    archived += c.rows;
  }
  let rows = 0;
  for (const row of db.prepare<[], StoredAuditRow>('SELECT * FROM audit_log ORDER BY id').iterate()) {
    const reason = walk.step(row);
    if (reason !== null) return { ok: false, rows, badId: row.id, reason };
    rows++;
  }
  // AUTOINCREMENT's high-water mark reveals rows removed from the end of the chain.
  const seq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get()?.seq ?? 0;
  if (seq !== walk.expectedId - 1) return { ok: false, rows, badId: walk.expectedId, reason: `rows ${walk.expectedId}..${seq} were removed from the end` };
  return { ok: true, rows, archived };
}

export interface ArchiveReport {
  /** Files that match their checkpoint row by row. */
  verified: string[];
  /** Files not in the archive folder (moved elsewhere, say): not checked. */
  absent: string[];
  /** The first file that does not match its checkpoint. */
  bad: { file: string; reason: string } | null;
}

/** Checks each archive file at hand against its (already verified) checkpoint: its SHA-256 and its chain. */
export async function verifyAuditArchives(checkpoints: SignedCheckpoint[], archiveDir: string): Promise<ArchiveReport> {
  const report: ArchiveReport = { verified: [], absent: [], bad: null };
  for (const c of checkpoints) {
    const file = join(archiveDir, c.archive_file);
    if (!existsSync(file)) {
      report.absent.push(c.archive_file);
      continue;
    }
    const reason = await archiveMismatch(file, c);
    if (reason !== null) {
      report.bad = { file: c.archive_file, reason };
      return report;
    }
    report.verified.push(c.archive_file);
  }
  return report;
}

async function archiveMismatch(file: string, c: SignedCheckpoint): Promise<string | null> {
  const digest = createHash('sha256');
  const walk = new ChainWalk(c.from_prev_hash, c.from_id);
  const stream = createReadStream(file);
  stream.on('data', (chunk) => digest.update(chunk));
  let problem: string | null = null;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (problem !== null || line === '') continue;
    try {
      problem = walk.step(JSON.parse(line) as StoredAuditRow);
    } catch {
      problem = `a line after row ${walk.expectedId - 1} is not an audit row`;
    }
  }
  if (digest.digest('hex') !== c.archive_sha256) return `its SHA-256 is not the one its checkpoint recorded${problem ? ` (${problem})` : ''}`;
  if (problem !== null) return problem;
  if (walk.expectedId !== c.through_id + 1 || walk.prev !== c.through_hash) return `it ends at row ${walk.expectedId - 1}, not at row ${c.through_id} as its checkpoint says`;
  return null;
}
