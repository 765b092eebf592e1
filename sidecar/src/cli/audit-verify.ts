/**
 * `npm run audit:verify`: checks the audit log's hash chain in SPP_DATA_DIR, the signed checkpoints of
 * what retention archived, and each archive file still in audit-archive/; exit 1 when anything was tampered with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config';
import { checkpointsOf, verifyAuditArchives, verifyAuditChain } from '../audit/audit-verify';
import { AUDIT_KEY_FILE } from '../audit/audit-checkpoint';
import { AUDIT_ARCHIVE_DIR } from '../audit/audit-retention';
import { readKeyFile } from '../domain/key-file';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const keyFile = join(config.dataDir, AUDIT_KEY_FILE);
  const key = existsSync(keyFile) ? readKeyFile(keyFile, false) : null;
  const db = new Database(join(config.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
  const report = verifyAuditChain(db, key);
  const checkpoints = report.ok ? checkpointsOf(db) : [];
  db.close();
  if (!report.ok) {
    process.stdout.write(`audit log TAMPERED: ${report.reason} (first bad row: ${report.badId ?? 'n/a'}, ${report.rows} rows verified before it)\n`);
    process.exitCode = 1;
    return;
  }
  if (checkpoints.length === 0) {
    process.stdout.write(`audit log intact: ${report.rows} rows, hash chain verified\n`);
    return;
  }
  const archives = await verifyAuditArchives(checkpoints, join(config.dataDir, AUDIT_ARCHIVE_DIR));
  if (archives.bad) {
    process.stdout.write(`audit archive TAMPERED: ${AUDIT_ARCHIVE_DIR}/${archives.bad.file}: ${archives.bad.reason}\n`);
    process.exitCode = 1;
    return;
  }
  const absent = archives.absent.length > 0 ? `; not in ${AUDIT_ARCHIVE_DIR}/, so not checked: ${archives.absent.join(', ')}` : '';
  process.stdout.write(
    `audit log intact: ${report.rows} rows, hash chain verified from ${checkpoints.length} signed checkpoint(s) of ${report.archived} archived rows; ` +
      `${archives.verified.length} archive file(s) verified${absent}\n`,
  );
}

void main();
