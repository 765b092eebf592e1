/**
 * The first steps of every deployment route after the route's own right (checked once, by the route):
 * expire what is due (so the caller never acts on a deployment that should have expired), then find it
 * among what the caller may see, or answer 404 without saying whether it exists.
 */
import { notFound } from '../../http/api-error';
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import { Caller, viewerOf } from '../access';
import type { Portal } from '../portal';

export function loadVisible(portal: Portal, caller: Caller, id: number): DeploymentRecord {
  portal.expireDue();
  const d = portal.deployments.getVisible(id, viewerOf(caller));
  if (!d) throw notFound();
  return d;
}
