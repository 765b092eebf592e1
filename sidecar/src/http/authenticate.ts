/**
 * The SPP1 gate in front of every /v1 route: verifies the signature over the raw body bytes, and only
 * then parses the JSON. A rejected request changes nothing but its audit row.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { verifyRequest } from '../auth/verify-request';
import type { Keyring } from '../auth/keyring';
import type { ReplayGuard } from '../auth/replay-guard';
import type { Portal } from '../domain/portal';
import { admitActor } from '../domain/admission';
import { isSystem } from '../auth/actor';
import { locals } from './request-context';

export function authenticate(portal: Portal, keyring: Keyring, replay: ReplayGuard) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const url = req.originalUrl;
    const q = url.indexOf('?');
    const result = verifyRequest(
      { method: req.method, path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1), body: raw, header: (n) => req.get(n) },
      keyring,
      replay,
      portal.clock(),
    );
    if (!result.ok) {
      portal.audit.refusal({
        actor: null,
        action: 'auth.reject',
        result: 'refused',
        status: 401,
        details: { reason: result.reason, method: req.method, path: req.path, claimedActorId: result.claimedActor?.id ?? null },
        ip: req.socket.remoteAddress ?? null,
        userAgent: req.get('user-agent') ?? null,
      });
      throw new ApiError('spp_unauthenticated', result.reason);
    }
    locals(res).actor = result.actor;
    if (raw.length > 0) {
      try {
        req.body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        throw new ApiError('spp_invalid_param', 'The request body is not valid JSON.', { params: { body: 'Not valid JSON.' } });
      }
    } else {
      req.body = undefined;
    }
    if (!isSystem(result.actor)) admitActor(portal, result.actor);
    next();
  };
}
