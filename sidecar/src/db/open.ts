/** Opens the portal's SQLite database with the pragmas its rules depend on. */
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  const db = new Database(file);
  // WAL: readers (list pages) never wait for the writer, and a crash leaves the last commit intact.
  db.pragma('journal_mode = WAL');
  // FULL: a committed contingent reservation or audit row survives a power loss, not only a crash.
  db.pragma('synchronous = FULL');
  // A second process (audit:verify, a CLI) may hold the write lock briefly; wait instead of failing.
  db.pragma('busy_timeout = 5000');
  // Shares, rights and deployments point at users and templates; refuse dangling rows.
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Runs fn in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so a check-then-write
 * (contingents, VMID reservation) cannot interleave with another writer. fn must be synchronous:
 * no await and no Proxmox call inside a transaction.
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
