/**
 * The user directory WordPress keeps current (system actor only), so users created by SSO can be
 * granted rights and be shared with before they ever open the portal.
 */
import { AUDIT_ACTION } from '@spp/contract';
import { writeTx } from '../db/open';
import type { Actor } from '../auth/actor';
import type { Portal } from './portal';

export interface DirectoryEntry {
  id: number;
  login: string;
  email: string;
  name: string;
}

export function upsertDirectoryUser(portal: Portal, actor: Actor, entry: DirectoryEntry): void {
  writeTx(portal.db, () => {
    portal.users.upsert(entry, portal.clock());
    portal.audit.append({ actor, action: AUDIT_ACTION.upsert_directory_user, target: { type: 'user', id: entry.id }, result: 'ok', status: 200, details: { login: entry.login } });
  });
}

export function deleteDirectoryUser(portal: Portal, actor: Actor, id: number): boolean {
  return writeTx(portal.db, () => removeUser(portal, actor, id, 'removed in WordPress'));
}

/**
 * A user who may no longer use the portal: marked removed (their deployments stay, owned by a removed user
 * an administrator can hand over), their rights and shares gone, and the rights they granted through the
 * bootstrap too. Audited with what they held, so no rights holder disappears silently. Inside a transaction.
 */
export function removeUser(portal: Portal, actor: Actor, id: number, reason: string): boolean {
  const user = portal.users.get(id);
  if (!user || user.deleted) return false;
  const rights = portal.users.rights(id);
  portal.users.markDeleted(id, portal.clock());
  portal.audit.append({ actor, action: AUDIT_ACTION.delete_directory_user, target: { type: 'user', id }, result: 'ok', status: 200, details: { login: user.login, reason, rights } });
  revokeBootstrapGrants(portal, actor, id, `${user.login} was ${reason}`);
  return true;
}

/** The rights an administrator granted through the bootstrap, once they are no longer one. Inside a transaction. */
export function revokeBootstrapGrants(portal: Portal, actor: Actor, granterId: number, reason: string): void {
  for (const { userId, rights } of portal.users.revokeBootstrapGrants(granterId)) {
    portal.audit.append({ actor, action: 'rights.revoke_bootstrap', target: { type: 'user', id: userId }, result: 'ok', status: 200, details: { granterId, rights, reason } });
  }
}

/** A full snapshot: everyone listed is upserted, everyone else is marked deleted. */
export function syncDirectory(portal: Portal, actor: Actor, entries: DirectoryEntry[]): { upserted: number; deleted: number } {
  return writeTx(portal.db, () => {
    const now = portal.clock();
    const listed = new Set(entries.map((e) => e.id));
    for (const e of entries) portal.users.upsert(e, now);
    const gone = portal.users.liveIds().filter((id) => !listed.has(id));
    for (const id of gone) removeUser(portal, actor, id, 'not in the directory WordPress sent');
    portal.audit.append({ actor, action: AUDIT_ACTION.sync_directory, target: { type: 'directory', id: 'users' }, result: 'ok', status: 200, details: { upserted: entries.length, deleted: gone.length } });
    return { upserted: entries.length, deleted: gone.length };
  });
}
