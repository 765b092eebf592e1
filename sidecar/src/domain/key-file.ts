/**
 * The sidecar's own 32-byte keys (the settings seal, the audit checkpoints), each a file of 64 hex
 * characters in the data folder, mode 0600: outside the database, so a copied database alone is not enough.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Reads the key; with `create`, makes it on first start. */
export function readKeyFile(file: string, create: boolean): Buffer {
  if (create && !existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  if (create) chmodSync(file, 0o600);
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} must hold 64 hex characters`);
  return Buffer.from(hex, 'hex');
}
