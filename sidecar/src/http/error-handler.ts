/** The one response envelope for errors, and the audit row for every refusal (403, 409, 429) and failure. */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { locals } from './request-context';
import type { Portal } from '../domain/portal';
import { seesProxmoxDetail } from '../domain/access';
import type { AuditEntry } from '../audit/audit-log';

const AUDITED = new Set([403, 409, 429]);

function fromExpress(err: unknown): ApiError | null {
  // body-parser's errors: too large, bad encoding.
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return new ApiError('spp_invalid_param', 'The request body is too large.', { params: { body: 'Too large.' } });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new ApiError('spp_invalid_param', 'The request could not be read.', { params: { body: 'Unreadable.' } });
  return null;
}

export function errorHandler(portal: Portal) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let apiError = err instanceof ApiError ? err : fromExpress(err);
    if (!apiError) {
      portal.log.error('unexpected error', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
      apiError = new ApiError('spp_internal_error', 'The portal hit an unexpected error; an administrator can find the details in the sidecar log.');
    }
    const actor = locals(res).actor ?? null;
    if (actor && !apiError.audited && (AUDITED.has(apiError.status) || apiError.status >= 500)) {
      const match = /^\/v1\/deployments\/([0-9]{1,10})(\/|$|\?)/.exec(req.originalUrl);
      const id = match ? Number(match[1]) : 0;
      const onDeployment = match !== null;
      try {
        // A refusal changed nothing, so its repeats are counted (audit-log.ts); a failure is written each time.
        const entry: AuditEntry = {
          actor,
          action: locals(res).action ?? `${req.method} ${req.path}`,
          target: onDeployment ? { type: 'deployment', id } : null,
          deploymentId: onDeployment ? id : null,
          result: apiError.status >= 500 ? 'failed' : 'refused',
          status: apiError.status,
          details: { code: apiError.code, message: apiError.detail ?? apiError.message },
        };
        if (apiError.status >= 500) portal.audit.record(entry);
        else portal.audit.refusal(entry);
      } catch (auditErr) {
        portal.log.error('could not write audit row', { error: auditErr instanceof Error ? auditErr.message : String(auditErr) });
      }
    }
    const caller = locals(res).caller;
    res.status(apiError.status).set(apiError.headers).json(apiError.toBody(caller !== undefined && seesProxmoxDetail(caller)));
  };
}
