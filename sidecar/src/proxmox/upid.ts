/**
 * Proxmox task ids (UPIDs). Format, as PVE::Tools::upid_encode writes it:
 * `UPID:<node>:<pid %08X>:<pstart %08X>:<starttime %08X>:<type>:<id>:<user>:`.
 */

export interface UpidParts {
  node: string;
  pid: number;
  /** Process start in clock ticks since boot. */
  pstart: number;
  /** Unix seconds. */
  starttime: number;
  type: string;
  id: string;
  user: string;
}

export const UPID_PATTERN =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

function hex8(n: number): string {
  // Proxmox writes these as 32-bit values; wrap instead of growing past 8 digits.
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export function formatUpid(p: UpidParts): string {
  return `UPID:${p.node}:${hex8(p.pid)}:${hex8(p.pstart)}:${hex8(p.starttime)}:${p.type}:${p.id}:${p.user}:`;
}

/** null when the string is not a well-formed UPID. */
export function parseUpid(upid: string): UpidParts | null {
  const m = UPID_PATTERN.exec(upid);
  if (!m) return null;
  const [, node, , pid, pstart, starttime, type, id, user] = m;
  if (node === undefined || pid === undefined || pstart === undefined || starttime === undefined) return null;
  if (type === undefined || id === undefined || user === undefined) return null;
  return {
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  };
}
