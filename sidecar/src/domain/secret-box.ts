/**
 * Encrypts the Proxmox token secret at rest (AES-256-GCM). The key lives in a file of its own in the
 * data folder, not in the database, so a copied database alone does not reveal the secret. A seal may be
 * bound to a context (authenticated data): it opens only for the same context, so a secret entered for one
 * Proxmox host cannot be opened for another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readKeyFile } from './key-file';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the settings key must be 32 bytes');
  }

  /** Loads the key file, creating it (mode 0600) on first start. */
  static fromKeyFile(file: string): SecretBox {
    return new SecretBox(readKeyFile(file, true));
  }

  /** `v1` without a context (as first written), `v2` bound to `context`. */
  seal(plain: string, context?: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [context === undefined ? 'v1' : 'v2', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  /** Throws when the seal was made for another context, or tampered with. */
  open(sealed: string, context?: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if ((version !== 'v1' && version !== 'v2') || iv === undefined || tag === undefined || data === undefined) throw new Error('unknown secret format');
    if ((version === 'v2') !== (context !== undefined)) throw new Error(version === 'v2' ? 'a bound secret needs its context' : 'an unbound secret has no context');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }

  /** Whether a seal is bound to a context (v2). */
  static isBound(sealed: string): boolean {
    return sealed.startsWith('v2:');
  }
}
