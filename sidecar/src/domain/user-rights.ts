/** Granting rights and RAM overrides. The last holder of rights.manage cannot remove it from themselves. */
import { AUDIT_ACTION, type Right } from '@spp/contract';
import { ApiError, notFound } from '../http/api-error';
import { writeTx } from '../db/open';
import type { Caller } from './access';
import type { Portal } from './portal';
import type { Db } from '../db/open';
import type { UsersRepo } from '../repositories/users-repo';
import type { AuditLog } from '../audit/audit-log';
import { SYSTEM_ACTOR } from '../auth/actor';

export function updateUserRights(portal: Portal, caller: Caller, userId: number, rights: Right[], ramLimitMb: number | null | undefined): void {
  writeTx(portal.db, () => {
    const user = portal.users.get(userId);
    if (!user || user.deleted) throw notFound('user');
    const before = portal.users.rights(userId);
    const losesManage = before.includes('rights.manage') && !rights.includes('rights.manage');
    if (losesManage && userId === caller.id && portal.users.countHolders('rights.manage') === 1) {
      throw new ApiError('spp_conflict', "You are the last user with the right 'Manage rights'; grant it to someone else before removing it from yourself.");
    }
    // Rights an administrator grants through the bootstrap hold while they remain one (see admission.ts).
    portal.users.setRights(userId, rights, { now: portal.clock(), grantedInBootstrapBy: caller.bootstrap ? caller.id : null });
    if (ramLimitMb !== undefined) portal.users.setRamLimit(userId, ramLimitMb, portal.clock());
    portal.audit.append({
      actor: caller.actor,
      action: AUDIT_ACTION.update_user,
      target: { type: 'user', id: userId },
      result: 'ok',
      status: 200,
      details: { login: user.login, before, after: [...new Set(rights)], ...(ramLimitMb !== undefined ? { ramLimitMb, previousRamLimitMb: user.ramLimitMb } : {}) },
    });
  });
}

/**
 * The operator's way back in (`npm run grant-rights`), for a portal whose last holder of 'Manage rights'
 * is gone now that the bootstrap never reopens: shell access to the data folder is the proof. Adds the
 * rights to what the user holds; audited as the system, naming the command.
 */
export function grantAsOperator(db: Db, users: UsersRepo, audit: AuditLog, login: string, rights: Right[], now: number): { id: number; before: Right[]; after: Right[] } {
  return writeTx(db, () => {
    const user = users.findByLoginOrEmail(login);
    if (!user) throw new Error(`No user '${login}' in the portal's directory; let WordPress sync it first (Support Provisioning → Sync users now).`);
    const before = users.rights(user.id);
    const after = [...new Set([...before, ...rights])];
    users.setRights(user.id, after, { now });
    audit.append({ actor: SYSTEM_ACTOR, action: AUDIT_ACTION.update_user, target: { type: 'user', id: user.id }, result: 'ok', status: 200, details: { login: user.login, before, after, via: 'npm run grant-rights' } });
    return { id: user.id, before, after };
  });
}
