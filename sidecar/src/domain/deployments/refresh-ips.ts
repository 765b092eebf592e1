/** Re-reads a deployment's addresses from the guest agent on request. */
import { AUDIT_ACTION } from '@spp/contract';
import { conflict } from '../../http/api-error';
import { requireState } from './policy';
import { writeTx } from '../../db/open';
import type { Caller } from '../access';
import type { Portal } from '../portal';
import { loadVisible } from './load-deployment';
import { proxmoxFailure } from '../proxmox-failure';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

export async function refreshIps(portal: Portal, caller: Caller, id: number): Promise<DeploymentRecord> {
  const d = loadVisible(portal, caller, id);
  requireState(d, 'refreshIps');
  let ips: string[] = [];
  if (d.status === 'RUNNING' && d.vmid !== null) {
    try {
      ips = await portal.proxmox().guestIps(d.vmid);
    } catch (err) {
      const e = proxmoxFailure(err, `read the addresses of '${d.name}'`);
      portal.audit.record({ actor: caller.actor, action: AUDIT_ACTION.refresh_deployment_ips, target: { type: 'deployment', id }, deploymentId: id, result: 'failed', status: e.status, details: { error: e.detail ?? e.message } });
      e.audited = true;
      throw e;
    }
  }
  writeTx(portal.db, () => {
    // Addresses read from a VM that was stopped, expired or deleted meanwhile describe nothing any more.
    const fresh = portal.deployments.get(id);
    if (!fresh || fresh.status !== d.status || fresh.vmid !== d.vmid) {
      throw conflict(`'${d.name}' changed while its addresses were read (it is ${fresh?.status ?? 'gone'} now); nothing was stored.`);
    }
    portal.deployments.update(id, portal.clock(), { ipAddresses: ips });
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.refresh_deployment_ips, target: { type: 'deployment', id }, deploymentId: id, result: 'ok', status: 200, details: { ipAddresses: ips } });
  });
  return portal.deployments.get(id, caller.id) as DeploymentRecord;
}
