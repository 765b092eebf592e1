/**
 * Who the caller is to the portal: their effective rights (with the bootstrap rule) and what they may do
 * with one deployment. Rights checks raise 403 naming the right, so a support person knows what to ask for.
 */
import { ApiError } from '../http/api-error';
import type { UserActor } from '../auth/actor';
import type { UsersRepo } from '../repositories/users-repo';
import type { DeploymentRecord, Viewer } from '../repositories/deployments-repo';
import { ALL_RIGHTS, Right, rightLabel } from '@spp/contract';

export interface Caller {
  actor: UserActor;
  id: number;
  rights: ReadonlySet<Right>;
  /** Nobody has held rights.manage yet and this actor administers the WordPress installation. */
  bootstrap: boolean;
}

/**
 * Administers the whole installation: a single site's administrator, or a network's super admin (a
 * sub-site administrator of a network is not one: the directory and the rights are the network's).
 */
export function isInstallationAdmin(actor: UserActor): boolean {
  return actor.caps.includes('manage_network_options') || (actor.network !== true && actor.caps.includes('manage_options'));
}

export function resolveCaller(actor: UserActor, users: UsersRepo): Caller {
  const bootstrap = isInstallationAdmin(actor) && !users.bootstrapEnded();
  const rights = new Set<Right>(bootstrap ? ALL_RIGHTS : users.rights(actor.id));
  return { actor, id: actor.id, rights, bootstrap };
}

export function has(caller: Caller, right: Right): boolean {
  return caller.rights.has(right);
}

/** Who reads Proxmox's details (host, port, codes) in errors: those who can fix the connection. */
export function seesProxmoxDetail(caller: Caller): boolean {
  return has(caller, 'settings.manage');
}

export function forbidden(right: Right): ApiError {
  return new ApiError('spp_forbidden', `You need the right '${rightLabel(right)}'.`, { right });
}

export function requireRight(caller: Caller, right: Right): void {
  if (!has(caller, right)) throw forbidden(right);
}

/** At least one of the rights; the message names the first. */
export function requireAnyRight(caller: Caller, rights: readonly Right[]): void {
  if (!rights.some((r) => has(caller, r))) throw forbidden(rights[0] as Right);
}

export function viewerOf(caller: Caller): Viewer {
  return { id: caller.id, all: has(caller, 'deployments.manage_all') };
}
