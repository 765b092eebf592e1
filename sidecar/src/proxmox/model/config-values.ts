/**
 * Reading and writing the values of a Proxmox VM config (`/etc/pve/qemu-server/<vmid>.conf`) the way
 * Proxmox does: property strings, sizes, tags, MAC addresses.
 */
import { createHash } from 'node:crypto';

export const DISK_KEY = /^(scsi|virtio|sata|ide)\d+$|^efidisk0$|^tpmstate0$/;

/** Stable pseudo-random bytes for a seed (MACs, statistics). */
export function hash(text: string): Buffer {
  return createHash('sha1').update(text).digest();
}

/** Proxmox's OUI (BC:24:11) plus three bytes derived from the VMID and a salt. */
export function macFor(vmid: number, salt: string): string {
  const h = hash(`${vmid}:${salt}`);
  return ['BC', '24', '11', ...[h[0], h[1], h[2]].map((b) => (b ?? 0).toString(16).toUpperCase().padStart(2, '0'))].join(':');
}

/** EUI-64 link-local address of a MAC. */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const e = [(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  const groups = [0, 2, 4, 6].map((i) => (((e[i] ?? 0) << 8) | (e[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}

export function parseSizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(size);
  if (!m) return 0;
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] ?? ''] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

export function memoryMb(config: Record<string, string>): number {
  const m = /(?:^|,)(?:current=)?(\d+)(?:,|$)/.exec(config['memory'] ?? '512');
  return Number(m?.[1] ?? 512);
}

export function splitTags(value: string | undefined): string[] {
  return (value ?? '').split(/[;, ]+/).filter((t) => t !== '');
}

/** Proxmox's `get_unique_tags` with the default `tag-style` ordering: deduplicated, sorted. */
export function normalizeTags(value: string): string {
  const seen = new Map<string, string>();
  for (const t of splitTags(value)) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()].sort((a, b) => a.localeCompare(b)).join(';');
}

export function agentEnabled(config: Record<string, string>): boolean | null {
  const a = config['agent'];
  if (a === undefined) return null;
  const m = /(?:^|,)(?:enabled=)?([01]|on|off|yes|no|true|false)(?:,|$)/i.exec(a);
  return m ? /^(1|on|yes|true)$/i.test(m[1] ?? '') : false;
}

export function diskBytes(config: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(config)) {
    if (!/^(scsi|virtio|sata|ide)\d+$/.test(k) || v.includes('media=cdrom')) continue;
    const m = /(?:^|,)size=([^,]+)/.exec(v);
    if (m?.[1]) total += parseSizeBytes(m[1]);
  }
  return total;
}
