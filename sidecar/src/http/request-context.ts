/** What the signature check establishes about a request, kept on `res.locals` for the routes. */
import type { Request, Response } from 'express';
import { ApiError } from './api-error';
import { Actor, isSystem } from '../auth/actor';
import { Caller, resolveCaller } from '../domain/access';
import type { Portal } from '../domain/portal';

export interface Locals {
  actor?: Actor;
  caller?: Caller;
  /** The audit action name of the route, for refusal rows written by the error handler. */
  action?: string;
}

export const locals = (res: Response): Locals => res.locals as Locals;

export function actorOf(res: Response): Actor {
  const actor = locals(res).actor;
  if (!actor) throw new ApiError('spp_unauthenticated', 'The request is not signed.');
  return actor;
}

/** The signed WordPress user with their effective rights; the system actor is no portal user. */
export function callerOf(portal: Portal, res: Response): Caller {
  const l = locals(res);
  if (l.caller) return l.caller;
  const actor = actorOf(res);
  if (isSystem(actor)) throw new ApiError('spp_forbidden', 'The system actor may only maintain the user directory.');
  l.caller = resolveCaller(actor, portal.users);
  return l.caller;
}

/** Names the route's action for the audit log (refusals included). */
export const auditAs = (action: string) => (_req: Request, res: Response, next: () => void) => {
  locals(res).action = action;
  next();
};
