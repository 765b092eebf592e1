/**
 * Applies a route's access (contract/src/routes.ts) before its handler reads a parameter or the body: the one
 * place a route's rights are checked. What depends on the deployment itself (the caller's relation to
 * it, its status) is the deployment policy's, applied by the domain once the row is read.
 */
import type { RequestHandler } from 'express';
import type { RouteAccess } from '@spp/contract';
import { ApiError } from './api-error';
import { actorOf, callerOf } from './request-context';
import { isSystem } from '../auth/actor';
import { requireAnyRight, requireRight } from '../domain/access';
import { authorizeAction } from '../domain/deployments/policy';
import type { Portal } from '../domain/portal';

export function routeAccess(portal: Portal, access: RouteAccess): RequestHandler {
  return (_req, res, next) => {
    if ('system' in access) {
      if (!isSystem(actorOf(res))) throw new ApiError('spp_forbidden', 'Only WordPress itself (the system actor) may change the user directory.');
    } else {
      const caller = callerOf(portal, res); // refuses the system actor
      if ('rights' in access) for (const right of access.rights) requireRight(caller, right);
      if ('anyRight' in access) requireAnyRight(caller, access.anyRight);
      if ('action' in access) authorizeAction(caller, access.action);
    }
    next();
  };
}
