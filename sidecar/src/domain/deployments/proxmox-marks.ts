/**
 * What an admin sees in Proxmox's own UI about a portal VM: the `spp` tag on every one, `spp-expired`
 * and start-on-boot off while it is expired. A token cannot set Proxmox's config lock, so the lock that
 * matters (start refused) lives in the sidecar; these marks only explain it, and where the token may not
 * set them the portal works the same.
 */
import { ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';

/** Proxmox tag marking a VM as the portal's, so an admin (and the reconcile pass) can tell. */
export const PORTAL_TAG = 'spp';
export const EXPIRED_TAG = 'spp-expired';

export async function markExpired(portal: Portal, vmid: number): Promise<void> {
  await bestEffort(portal, vmid, () => portal.proxmox().configureVm(vmid, { tags: [PORTAL_TAG, EXPIRED_TAG], onboot: false }));
}

export async function markRevived(portal: Portal, vmid: number): Promise<void> {
  await bestEffort(portal, vmid, () => portal.proxmox().configureVm(vmid, { tags: [PORTAL_TAG] }));
}

async function bestEffort(portal: Portal, vmid: number, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof ProxmoxError)) throw err;
    portal.log.warn('could not update the VM marks in Proxmox', { vmid, error: err.message });
  }
}
