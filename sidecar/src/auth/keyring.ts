/** Signing keys: `id:hex,id:hex`. Every listed key is accepted so a key can be rotated without downtime. */
import { KEY_ID_PATTERN_SOURCE } from '@spp/contract';

export type Keyring = ReadonlyMap<string, Buffer>;

export const KEY_ID_PATTERN = new RegExp(KEY_ID_PATTERN_SOURCE);

export function parseKeyring(spec: string): Keyring {
  const ring = new Map<string, Buffer>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? '' : entry.slice(0, colon);
    const hex = colon === -1 ? '' : entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id '${id}' must be 1-32 letters, digits, '.', '_' or '-' (entry '${id || entry.slice(0, 8)}…')`);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`key '${id}' must be 64 hex characters (32 random bytes)`);
    if (ring.has(id)) throw new Error(`key id '${id}' is listed twice`);
    ring.set(id, Buffer.from(hex, 'hex'));
  }
  if (ring.size === 0) throw new Error('no keys given; expected id:hex[,id:hex]');
  return ring;
}
