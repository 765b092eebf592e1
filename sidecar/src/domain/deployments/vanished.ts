/**
 * A deployment whose VM was removed outside the portal: FAILED (it can never start again) and its memory
 * released, since the VM is really gone. The reconcile pass finds it; an action that meets it records it at once.
 */
import type { DeploymentsRepo } from '../../repositories/deployments-repo';

export function vanishedMessage(vmid: number): string {
  return `VM ${vmid} was removed outside the portal; this deployment cannot be started again. Delete it to clear it from the list.`;
}

export function vanishedFields(vmid: number): Parameters<DeploymentsRepo['update']>[2] {
  return { status: 'FAILED', vmid: null, vmStopped: true, ipAddresses: [], lastError: vanishedMessage(vmid) };
}
