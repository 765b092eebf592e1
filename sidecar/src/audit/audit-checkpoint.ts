/**
 * A checkpoint says: rows from_id..through_id left the database for archive_file, whose SHA-256 is
 * archive_sha256, and the chain goes on from through_hash. It is signed (HMAC-SHA256) with the data
 * folder's audit key, so writing to the database alone cannot forge one to let rows be deleted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Checkpoint {
  from_id: number;
  from_prev_hash: string;
  through_id: number;
  through_hash: string;
  rows: number;
  first_at: string;
  last_at: string;
  archive_file: string;
  archive_sha256: string;
  created_at: string;
}

export interface SignedCheckpoint extends Checkpoint {
  signature: string;
}

/** The key's file name in the data folder. */
export const AUDIT_KEY_FILE = 'audit.key';

function message(c: Checkpoint): string {
  return JSON.stringify(['spp-audit-checkpoint/1', c.from_id, c.from_prev_hash, c.through_id, c.through_hash, c.rows, c.first_at, c.last_at, c.archive_file, c.archive_sha256, c.created_at]);
}

export function signCheckpoint(key: Buffer, c: Checkpoint): SignedCheckpoint {
  return { ...c, signature: createHmac('sha256', key).update(message(c)).digest('hex') };
}

export function checkpointSigned(key: Buffer, c: SignedCheckpoint): boolean {
  const expected = createHmac('sha256', key).update(message(c)).digest();
  const given = Buffer.from(c.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
