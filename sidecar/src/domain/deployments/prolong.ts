/**
 * Prolong: a later expiry, or never-expire where the template allows it. An EXPIRED deployment comes
 * back as STOPPED, so its memory counts again and the contingent is checked in the same transaction.
 */
import { conflict } from '../../http/api-error';
import { writeTx } from '../../db/open';
import { Caller, requireRight } from '../access';
import type { Portal } from '../portal';
import type { Expiry } from './expiry';
import { loadVisible } from './load-deployment';
import { checkTtl, prolongedExpiry, TtlChoice } from './ttl';
import { iso } from '../clock';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

export function prolongDeployment(portal: Portal, expiry: Expiry, caller: Caller, id: number, choice: TtlChoice): DeploymentRecord {
  requireRight(caller, 'deployments.prolong');
  loadVisible(portal, expiry, caller, id);
  const revivedVmid = writeTx(portal.db, () => {
    const d = portal.deployments.get(id) as DeploymentRecord;
    if (d.status !== 'STOPPED' && d.status !== 'RUNNING' && d.status !== 'EXPIRED') {
      throw conflict(`'${d.name}' cannot be prolonged while it is ${d.status}.`);
    }
    const template = portal.templates.get(d.templateId);
    if (!template) throw new Error(`template ${d.templateId} of deployment ${id} is missing`);
    const now = portal.clock();
    const hours = checkTtl(choice, template);
    const expiresAt = hours === null ? null : prolongedExpiry(now, d.status === 'EXPIRED' ? now : d.expiresAt, hours, template);
    const revived = d.status === 'EXPIRED';
    if (revived) portal.contingents.assertFits(d.ownerId, d.memoryMb);
    // A revived deployment is STOPPED unless its expiry stop has not gone through yet.
    const status = revived ? (d.vmStopped ? 'STOPPED' : 'RUNNING') : d.status;
    portal.deployments.update(id, now, { status, neverExpires: hours === null, expiresAt });
    portal.audit.append({
      actor: caller.actor,
      action: 'deployment.prolong',
      target: { type: 'deployment', id },
      deploymentId: id,
      result: 'ok',
      status: 200,
      details: { ttlHours: hours, neverExpires: hours === null, previousExpiresAt: iso(d.expiresAt), expiresAt: iso(expiresAt), previousStatus: d.status, status },
    });
    return revived ? d.vmid : null;
  });
  if (revivedVmid !== null) expiry.revived(revivedVmid);
  return portal.deployments.get(id, caller.id) as DeploymentRecord;
}
