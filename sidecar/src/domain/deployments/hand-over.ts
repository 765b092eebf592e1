/**
 * Handing a deployment to another owner, for those who manage all deployments: above all the deployments
 * of a user who was removed, which stay (nothing is deleted behind an administrator's back) until someone
 * takes them over. The new owner must be able to use the portal; their contingent is not checked (the
 * administrator decides, and the audit row says who did).
 */
import { AUDIT_ACTION } from '@spp/contract';
import { notFound } from '../../http/api-error';
import { writeTx } from '../../db/open';
import type { Caller } from '../access';
import { requireState } from './policy';
import type { Portal } from '../portal';
import { loadVisible } from './load-deployment';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

export function handOverDeployment(portal: Portal, caller: Caller, id: number, newOwnerId: number): DeploymentRecord {
  loadVisible(portal, caller, id);
  return writeTx(portal.db, () => {
    const d = portal.deployments.get(id) as DeploymentRecord;
    requireState(d, 'handOver');
    const owner = portal.users.get(newOwnerId);
    if (!owner || owner.deleted) throw notFound('user');
    if (d.ownerId === newOwnerId) return portal.deployments.get(id, caller.id) as DeploymentRecord;
    portal.deployments.setOwner(id, newOwnerId, portal.clock());
    portal.audit.append({
      actor: caller.actor,
      action: AUDIT_ACTION.hand_over_deployment,
      target: { type: 'deployment', id },
      deploymentId: id,
      result: 'ok',
      status: 200,
      details: { from: { id: d.ownerId, login: d.ownerLogin, removed: d.ownerRemoved }, to: { id: owner.id, login: owner.login } },
    });
    return portal.deployments.get(id, caller.id) as DeploymentRecord;
  });
}
