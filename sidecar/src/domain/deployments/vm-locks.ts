/**
 * Waiting out a Proxmox config lock that a task the sidecar lost track of still holds (a clone or a
 * destroy started before a restart). Proxmox ends such tasks on its own; the portal only waits, bounded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProxmoxError, VmState } from '../../proxmox/client';
import type { Portal } from '../portal';

/** The VM's state once `lock` is gone from it (null when the VM went with it). */
export async function waitWhileLocked(portal: Portal, vmid: number, lock: string, timeoutMs: number): Promise<VmState | null> {
  const px = portal.proxmox();
  const deadline = Date.now() + timeoutMs;
  let state = await px.vmState(vmid);
  while (state !== null && state.lock === lock) {
    if (Date.now() >= deadline) {
      throw new ProxmoxError('locked', `VM ${vmid} is still locked (${lock}) after ${Math.round(timeoutMs / 1000)} s`, 'Look at the running tasks of the VM in Proxmox.');
    }
    await sleep(portal.timings.vmPollMs);
    state = await px.vmState(vmid);
  }
  return state;
}
