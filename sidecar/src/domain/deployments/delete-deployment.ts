/**
 * Delete: the VM is stopped and destroyed in Proxmox, then the row becomes DELETED (hidden, kept as
 * history with its audit rows). While it runs the row is DELETING, still counted against contingents.
 */
import { AUDIT_ACTION, type Status } from '@spp/contract';
import type { Caller } from '../access';
import { authorizeOn } from './policy';
import type { Portal } from '../portal';
import { loadVisible } from './load-deployment';
import { awaitTask, claim, fail, settle } from './pending-action';
import { actualPower, stopVm } from './vm-power';
import { waitWhileLocked } from './vm-locks';
import { PORTAL_TAG } from './proxmox-marks';
import type { Actor } from '../../auth/actor';

export async function deleteDeployment(portal: Portal, caller: Caller, id: number): Promise<void> {
  authorizeOn(caller, loadVisible(portal, caller, id), 'delete', false);
  const d = claim(portal, id, 'delete', { status: 'DELETING' });
  await removeVm(portal, caller.actor, id, d.vmid, d.status, d.name);
}

/** Also used to resume a delete after a restart; restores the previous status if Proxmox refuses. */
export async function removeVm(portal: Portal, actor: Actor, id: number, vmid: number | null, previousStatus: string, name: string): Promise<void> {
  // Where the delete fails, the row goes back to the status that matches the VM.
  let back = (previousStatus === 'DELETING' ? 'FAILED' : previousStatus) as Status;
  try {
    // A destroy that a restart interrupted is let finish. A VM under this VMID with neither this name nor
    // the portal's tag is not this deployment's (its own vanished and the id was reused): never touched.
    const state = vmid === null ? null : await waitWhileLocked(portal, vmid, 'destroyed', portal.timings.taskTimeoutMs);
    if (vmid !== null && state !== null && (state.name === name || state.tags.includes(PORTAL_TAG))) {
      await stopVm(portal, vmid);
      if (back === 'RUNNING') back = 'STOPPED';
      await awaitTask(portal, portal.proxmox().deleteVm(vmid), portal.timings.taskTimeoutMs);
    }
  } catch (err) {
    // A lost answer to a delete that happened all the same is a delete.
    const power = vmid === null ? null : await actualPower(portal, vmid);
    if (power !== 'gone') {
      if (power === 'stopped' && back === 'RUNNING') back = 'STOPPED';
      throw fail(portal, id, actor, AUDIT_ACTION.delete_deployment, `delete '${name}'`, err, { status: back, vmStopped: power !== 'running' && back !== 'RUNNING' });
    }
  }
  settle(portal, id, { status: 'DELETED', vmStopped: true, ipAddresses: [] }, { actor, action: AUDIT_ACTION.delete_deployment, result: 'ok', status: 200, details: { vmid, name } });
}
