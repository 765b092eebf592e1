/**
 * `npm run grant-rights -- <login or e-mail> [right …]`: gives a user rights straight in SPP_DATA_DIR's
 * database (default: rights.manage), for when nobody can manage rights any more. Safe while the sidecar
 * runs (SQLite waits for its write lock); audited.
 */
import { join } from 'node:path';
import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { UsersRepo } from '../repositories/users-repo';
import { AuditLog } from '../audit/audit-log';
import { ALL_RIGHTS, isRight, Right } from '@spp/contract';
import { grantAsOperator } from '../domain/user-rights';

const [login, ...names] = process.argv.slice(2);
const unknown = names.filter((n) => !isRight(n));
if (!login || unknown.length > 0) {
  process.stderr.write(`usage: npm run grant-rights -- <login or e-mail> [right …]\n${unknown.length > 0 ? `unknown: ${unknown.join(', ')}; ` : ''}rights: ${ALL_RIGHTS.join(', ')}\n`);
  process.exit(2);
}
const rights = (names.length > 0 ? names : ['rights.manage']) as Right[];
const db = openDatabase(join(loadConfig(process.env).dataDir, 'portal.sqlite'));
try {
  const { before, after } = grantAsOperator(db, new UsersRepo(db), new AuditLog(db, Date.now), login, rights, Date.now());
  process.stdout.write(`${login}: ${before.join(', ') || 'no rights'} → ${after.join(', ')}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  db.close();
}
