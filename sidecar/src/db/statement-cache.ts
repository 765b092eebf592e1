/**
 * Prepared statements for SQL built at run time from a small set of shapes (list filters, counts).
 * Preparing costs more than running these queries, so each distinct SQL text is prepared once per
 * database. The texts are our own (parameters are bound), so the cache stays small.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './open';

const caches = new WeakMap<Db, Map<string, Statement>>();

export function prepared<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Statement<P, R> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let st = cache.get(sql);
  if (!st) {
    st = db.prepare(sql);
    cache.set(sql, st);
  }
  return st as unknown as Statement<P, R>;
}
