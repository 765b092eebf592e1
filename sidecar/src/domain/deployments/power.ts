/** Start and stop: the policy (policy.ts), then Proxmox, with the result and its audit row in one transaction. */
import { AUDIT_ACTION } from '@spp/contract';
import type { Caller } from '../access';
import type { Portal } from '../portal';
import type { IpWatcher } from './ip-watcher';
import { loadVisible } from './load-deployment';
import { awaitTask, claim, fail, settle } from './pending-action';
import { actualPower, stopVm } from './vm-power';
import { vanishedFields, vanishedMessage } from './vanished';
import { ProxmoxError } from '../../proxmox/client';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

export async function startDeployment(portal: Portal, ips: IpWatcher, caller: Caller, id: number): Promise<DeploymentRecord> {
  loadVisible(portal, caller, id);
  const d = claim(portal, id, 'start');
  let confirmedAfter: string | null = null;
  try {
    await awaitTask(portal, portal.proxmox().startVm(d.vmid as number), portal.timings.taskTimeoutMs);
  } catch (err) {
    // The answer was lost or the wait gave up, but the VM may have started all the same.
    const power = await actualPower(portal, d.vmid as number);
    if (power === 'gone') throw fail(portal, id, caller.actor, AUDIT_ACTION.start_deployment, `start '${d.name}'`, err, vanishedFields(d.vmid as number));
    if (power !== 'running') throw fail(portal, id, caller.actor, AUDIT_ACTION.start_deployment, `start '${d.name}'`, err, power === 'stopped' ? {} : { vmStopped: false });
    confirmedAfter = err instanceof Error ? err.message : String(err);
  }
  const details = confirmedAfter === null ? { vmid: d.vmid } : { vmid: d.vmid, confirmedAfter };
  settle(portal, id, { status: 'RUNNING', vmStopped: false, ipAddresses: [], lastError: null }, { actor: caller.actor, action: AUDIT_ACTION.start_deployment, result: 'ok', status: 200, details });
  ips.watch(id);
  return portal.deployments.get(id, caller.id) as DeploymentRecord;
}

export async function stopDeployment(portal: Portal, caller: Caller, id: number): Promise<DeploymentRecord> {
  loadVisible(portal, caller, id);
  const d = claim(portal, id, 'stop');
  let confirmedAfter: string | null = null;
  let outcome: 'stopped' | 'gone' = 'stopped';
  try {
    outcome = await stopVm(portal, d.vmid as number);
  } catch (err) {
    const power = await actualPower(portal, d.vmid as number);
    if (power === 'gone') outcome = 'gone';
    else if (power !== 'stopped') throw fail(portal, id, caller.actor, AUDIT_ACTION.stop_deployment, `stop '${d.name}'`, err);
    confirmedAfter = err instanceof Error ? err.message : String(err);
  }
  if (outcome === 'gone') {
    const gone = new ProxmoxError('not_found', vanishedMessage(d.vmid as number), 'Nothing to do in Proxmox.');
    throw fail(portal, id, caller.actor, AUDIT_ACTION.stop_deployment, `stop '${d.name}'`, gone, vanishedFields(d.vmid as number));
  }
  const details = confirmedAfter === null ? { vmid: d.vmid } : { vmid: d.vmid, confirmedAfter };
  settle(portal, id, { status: 'STOPPED', vmStopped: true, ipAddresses: [], lastError: null }, { actor: caller.actor, action: AUDIT_ACTION.stop_deployment, result: 'ok', status: 200, details });
  return portal.deployments.get(id, caller.id) as DeploymentRecord;
}
