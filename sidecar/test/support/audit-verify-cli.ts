/** `npm run audit:verify` as an operator runs it: the built CLI on a data folder, its exit code and output. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'audit-verify.js');

export function runAuditVerify(dataDir: string): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, [CLI], { env: { ...process.env, SPP_DATA_DIR: dataDir, SPP_SIGNING_KEYS: `k1:${'0'.repeat(64)}` }, encoding: 'utf8' }) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}
