/** Stopping a VM the way an admin would: ACPI shutdown first, a hard stop if it does not finish in time. */
import type { Portal } from '../portal';
import { awaitTask } from './pending-action';

/** Resolves to 'gone' when there is no VM under that id to stop. */
export async function stopVm(portal: Portal, vmid: number): Promise<'stopped' | 'gone'> {
  const px = portal.proxmox();
  const state = await px.vmState(vmid);
  if (!state) return 'gone';
  if (state.status === 'stopped') return 'stopped';
  const graceMs = portal.timings.shutdownTimeoutSeconds * 1000;
  try {
    await awaitTask(portal, px.shutdownVm(vmid, portal.timings.shutdownTimeoutSeconds), graceMs + 5_000);
  } catch {
    // The guest ignored ACPI or the shutdown task failed: stop it hard, as Proxmox's own "Stop" would.
    await awaitTask(portal, px.stopVm(vmid), portal.timings.taskTimeoutMs);
  }
  return 'stopped';
}

/**
 * After a failed or unanswered call, what Proxmox really did: a dropped connection or a timeout says
 * nothing about whether a start, stop or delete happened. null when Proxmox cannot be asked either.
 */
export async function actualPower(portal: Portal, vmid: number): Promise<'running' | 'stopped' | 'gone' | null> {
  try {
    const state = await portal.proxmox().vmState(vmid);
    return state === null ? 'gone' : state.status;
  } catch {
    return null;
  }
}
