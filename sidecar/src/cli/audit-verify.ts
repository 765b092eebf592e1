/** `npm run audit:verify`: checks the audit log's hash chain in SPP_DATA_DIR; exit 1 when it was tampered with. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config';
import { verifyAuditChain } from '../audit/audit-verify';

const config = loadConfig(process.env);
const db = new Database(join(config.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
const report = verifyAuditChain(db);
db.close();
if (report.ok) {
  process.stdout.write(`audit log intact: ${report.rows} rows, hash chain verified\n`);
} else {
  process.stdout.write(`audit log TAMPERED: ${report.reason} (first bad row: ${report.badId ?? 'n/a'}, ${report.rows} rows verified before it)\n`);
  process.exitCode = 1;
}
