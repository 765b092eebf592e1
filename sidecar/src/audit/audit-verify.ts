/** Walks the audit chain and reports the first row that was edited, inserted, reordered or removed. */
import type { Db } from '../db/open';
import { AuditRowContent, GENESIS_HASH, rowHash } from './audit-log';

export type ChainReport = { ok: true; rows: number } | { ok: false; rows: number; badId: number | null; reason: string };

export function verifyAuditChain(db: Db): ChainReport {
  let prev = GENESIS_HASH;
  let expectedId = 1;
  let rows = 0;
  const iter = db.prepare<[], AuditRowContent & { id: number; prev_hash: string; hash: string }>('SELECT * FROM audit_log ORDER BY id').iterate();
  for (const row of iter) {
    if (row.id !== expectedId) return { ok: false, rows, badId: row.id, reason: `rows ${expectedId}..${row.id - 1} are missing` };
    if (row.prev_hash !== prev) return { ok: false, rows, badId: row.id, reason: `row ${row.id} does not follow row ${row.id - 1} (a row was removed or replaced)` };
    if (rowHash(prev, row) !== row.hash) return { ok: false, rows, badId: row.id, reason: `row ${row.id} was edited after it was written` };
    prev = row.hash;
    expectedId++;
    rows++;
  }
  // AUTOINCREMENT's high-water mark reveals rows removed from the end of the chain.
  const seq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get()?.seq ?? 0;
  if (seq !== rows) return { ok: false, rows, badId: rows + 1, reason: `rows ${rows + 1}..${seq} were removed from the end` };
  return { ok: true, rows };
}
