/**
 * What the directory says about the signed WordPress user, on every request before the route runs: a
 * user the portal removed stays out until WordPress itself lists them again (a signed request never
 * brings a removed row back); one who lost their role on the site is refused at once (and removed, where
 * the site is the whole directory); an administrator no longer one loses the rights they granted through
 * the bootstrap. Otherwise their entry is kept current, writing only when it changed.
 */
import { ApiError } from '../http/api-error';
import { writeTx } from '../db/open';
import type { UserActor } from '../auth/actor';
import { isInstallationAdmin } from './access';
import { removeUser, revokeBootstrapGrants } from './directory';
import type { Portal } from './portal';

const REMOVED = 'Your account may no longer use the portal; a WordPress administrator can give you access again.';

export function admitActor(portal: Portal, actor: UserActor): void {
  const known = portal.users.get(actor.id);
  if (known?.deleted) throw new ApiError('spp_forbidden', REMOVED, { reason: 'removed' });
  if (actor.member === false) {
    // On a network the user may still belong to another site: refused here, kept in the directory.
    if (actor.network !== true) writeTx(portal.db, () => removeUser(portal, actor, actor.id, 'left without a role on the site'));
    throw new ApiError('spp_forbidden', REMOVED, { reason: 'not_member' });
  }
  if (!isInstallationAdmin(actor) && portal.users.hasBootstrapGrants(actor.id)) {
    writeTx(portal.db, () => revokeBootstrapGrants(portal, actor, actor.id, `${actor.login} is no longer a WordPress administrator`));
  }
  if (known && known.login === actor.login && known.email === actor.email && known.name === actor.name) return;
  writeTx(portal.db, () => portal.users.upsert({ id: actor.id, login: actor.login, email: actor.email, name: actor.name }, portal.clock()));
}
