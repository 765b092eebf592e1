/** /v1/me, /v1/templates, /v1/quota: what the portal shows before any deployment exists. */
import type { PortalTemplate } from '../api/wire';
import { ttlOffer } from '../domain/deployments/ttl';
import { Router } from 'express';
import type { Me } from '../api/wire';
import type { Services } from '../services';
import { auditAs, callerOf } from '../http/request-context';
import { requireRight } from '../domain/access';
import { RIGHTS } from '../domain/rights';
import { ACTIVE_STATUSES, TRANSITIONAL_STATUSES, STATUSES } from '../domain/statuses';
import { ERROR_CODES } from '../http/api-error';
import { parse } from '../validation/validate';
import { noQuery } from '../validation/schemas';
import { portalQuery } from './query';

export function portalInfoRouter(s: Services): Router {
  const { portal } = s;
  const r = Router();

  // The catalog is how the UI learns rights, statuses and error codes without repeating them.
  r.get('/me', auditAs('me.read'), (req, res) => {
    const caller = callerOf(portal, res);
    parse(noQuery, portalQuery(req));
    const me: Me = {
      user: { id: caller.id, login: caller.actor.login, email: caller.actor.email, name: caller.actor.name },
      rights: [...caller.rights],
      bootstrap: caller.bootstrap,
      catalog: { rights: [...RIGHTS], statuses: [...STATUSES], activeStatuses: [...ACTIVE_STATUSES], transitionalStatuses: [...TRANSITIONAL_STATUSES], errorCodes: ERROR_CODES },
    };
    res.json(me);
  });

  r.get('/templates', auditAs('template.catalog'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'portal.view');
    parse(noQuery, portalQuery(req));
    const offered: PortalTemplate[] = portal.templates.list(true).map((t) => ({ ...t, ttl: ttlOffer(t) }));
    res.json(offered);
  });

  r.get('/quota', auditAs('quota.read'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'portal.view');
    parse(noQuery, portalQuery(req));
    res.json(portal.contingents.quota(caller.id));
  });

  return r;
}
