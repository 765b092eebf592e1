/**
 * How long to wait before asking Proxmox again about something under way (a task, a booting guest's
 * agent): often at first, because short tasks end within a second and a user is watching, then less and
 * less often up to maxMs, so long clones do not keep Proxmox's three daemon workers busy.
 */
export function pollDelay(elapsedMs: number, maxMs: number): number {
  const minMs = Math.min(100, maxMs);
  return Math.min(maxMs, Math.max(minMs, Math.round(elapsedMs / 30)));
}
