/**
 * The user directory WordPress keeps current (system actor only), so users created by SSO can be
 * granted rights and be shared with before they ever open the portal.
 */
import { ApiError } from '../http/api-error';
import { writeTx } from '../db/open';
import { Actor, isSystem } from '../auth/actor';
import type { Portal } from './portal';

export interface DirectoryEntry {
  id: number;
  login: string;
  email: string;
  name: string;
}

function requireSystem(actor: Actor): void {
  if (!isSystem(actor)) throw new ApiError('spp_forbidden', 'Only WordPress itself (the system actor) may change the user directory.');
}

export function upsertDirectoryUser(portal: Portal, actor: Actor, entry: DirectoryEntry): void {
  requireSystem(actor);
  writeTx(portal.db, () => {
    portal.users.upsert(entry, portal.clock());
    portal.audit.append({ actor, action: 'directory.upsert', target: { type: 'user', id: entry.id }, result: 'ok', status: 200, details: { login: entry.login } });
  });
}

export function deleteDirectoryUser(portal: Portal, actor: Actor, id: number): boolean {
  requireSystem(actor);
  return writeTx(portal.db, () => {
    const user = portal.users.get(id);
    if (!user || user.deleted) return false;
    portal.users.markDeleted(id, portal.clock());
    portal.audit.append({ actor, action: 'directory.delete', target: { type: 'user', id }, result: 'ok', status: 200, details: { login: user.login } });
    return true;
  });
}

/** A full snapshot: everyone listed is upserted, everyone else is marked deleted. */
export function syncDirectory(portal: Portal, actor: Actor, entries: DirectoryEntry[]): { upserted: number; deleted: number } {
  requireSystem(actor);
  return writeTx(portal.db, () => {
    const now = portal.clock();
    const listed = new Set(entries.map((e) => e.id));
    for (const e of entries) portal.users.upsert(e, now);
    const gone = portal.users.liveIds().filter((id) => !listed.has(id));
    for (const id of gone) portal.users.markDeleted(id, now);
    portal.audit.append({ actor, action: 'directory.sync', target: { type: 'directory', id: 'users' }, result: 'ok', status: 200, details: { upserted: entries.length, deleted: gone.length } });
    return { upserted: entries.length, deleted: gone.length };
  });
}

/** Keeps the signed actor's own entry current without a write when nothing changed. */
export function touchActor(portal: Portal, actor: Actor): void {
  if (isSystem(actor)) return;
  const known = portal.users.get(actor.id);
  if (known && !known.deleted && known.login === actor.login && known.email === actor.email && known.name === actor.name) return;
  writeTx(portal.db, () => portal.users.upsert({ id: actor.id, login: actor.login, email: actor.email, name: actor.name }, portal.clock()));
}
