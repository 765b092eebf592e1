/**
 * Sharing: the owner (or a manager of all deployments) shares with a user found by login or e-mail in
 * the user directory, who must hold portal.view. Shared users act only with their own rights.
 */
import { AUDIT_ACTION } from '@spp/contract';
import { invalidParams, notFound } from '../../http/api-error';
import { writeTx } from '../../db/open';
import type { Caller } from '../access';
import { authorizeOn, requireState } from './policy';
import type { Portal } from '../portal';
import { loadVisible } from './load-deployment';
import type { ShareRecord } from '../../repositories/shares-repo';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

const CANNOT_SHARE = 'It cannot be shared with this person: check the login or e-mail address, or ask an administrator whether they may open the portal.';

/** Who it is shared with is the owner's business (or a manager's), in any state; adding a share also needs a state that allows it. */
function loadShareable(portal: Portal, caller: Caller, id: number): DeploymentRecord {
  const d = loadVisible(portal, caller, id);
  authorizeOn(caller, d, 'share', false);
  return d;
}

export function listShares(portal: Portal, caller: Caller, id: number): ShareRecord[] {
  loadShareable(portal, caller, id);
  return portal.shares.list(id);
}

export function addShare(portal: Portal, caller: Caller, id: number, who: string): { share: ShareRecord; created: boolean } {
  const d = loadShareable(portal, caller, id);
  requireState(d, 'share');
  const target = portal.users.findByLoginOrEmail(who);
  // Whether nobody has that login or address, or someone has who may not open the portal: one answer, so
  // sharing cannot be used to find out who exists or who holds which right.
  if (!target || !portal.users.rights(target.id).includes('portal.view')) throw invalidParams({ user: CANNOT_SHARE });
  if (target.id === d.ownerId) throw invalidParams({ user: 'This is the owner of the deployment.' });
  const created = writeTx(portal.db, () => {
    if (portal.shares.exists(id, target.id)) return false;
    portal.shares.add(id, target.id, caller.id, portal.clock());
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.create_share, target: { type: 'user', id: target.id }, deploymentId: id, result: 'ok', status: 201, details: { login: target.login } });
    return true;
  });
  const share = portal.shares.list(id).find((s) => s.userId === target.id) as ShareRecord;
  return { share, created };
}

export function removeShare(portal: Portal, caller: Caller, id: number, userId: number): void {
  loadShareable(portal, caller, id);
  writeTx(portal.db, () => {
    if (!portal.shares.remove(id, userId)) throw notFound('share');
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.delete_share, target: { type: 'user', id: userId }, deploymentId: id, result: 'ok', status: 200, details: {} });
  });
}
