/** Granting rights and RAM overrides. The last holder of rights.manage cannot remove it from themselves. */
import { ApiError, notFound } from '../http/api-error';
import { writeTx } from '../db/open';
import type { Right } from './rights';
import { Caller, requireRight } from './access';
import type { Portal } from './portal';

export function updateUserRights(portal: Portal, caller: Caller, userId: number, rights: Right[], ramLimitMb: number | null | undefined): void {
  requireRight(caller, 'rights.manage');
  writeTx(portal.db, () => {
    const user = portal.users.get(userId);
    if (!user || user.deleted) throw notFound('user');
    const before = portal.users.rights(userId);
    const losesManage = before.includes('rights.manage') && !rights.includes('rights.manage');
    if (losesManage && userId === caller.id && portal.users.countHolders('rights.manage') === 1) {
      throw new ApiError('spp_conflict', "You are the last user with the right 'Manage rights'; grant it to someone else before removing it from yourself.");
    }
    portal.users.setRights(userId, rights);
    if (ramLimitMb !== undefined) portal.users.setRamLimit(userId, ramLimitMb, portal.clock());
    portal.audit.append({
      actor: caller.actor,
      action: 'rights.update',
      target: { type: 'user', id: userId },
      result: 'ok',
      status: 200,
      details: { login: user.login, before, after: [...new Set(rights)], ...(ramLimitMb !== undefined ? { ramLimitMb, previousRamLimitMb: user.ramLimitMb } : {}) },
    });
  });
}
