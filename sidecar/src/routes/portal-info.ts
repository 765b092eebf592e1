/** /v1/me, /v1/templates, /v1/quota: what the portal shows before any deployment exists. */
import type { RequestHandler } from 'express';
import { RIGHTS, ACTIVE_STATUSES, ERROR_CODES, TRANSITIONAL_STATUSES, STATUSES, type Me, type PortalTemplate } from '@spp/contract';
import type { Services } from '../services';
import { callerOf } from '../http/request-context';
import { ttlOffer } from '../domain/deployments/ttl';
import { parse } from '../validation/validate';
import { noQuery } from '../validation/schemas';
import { portalQuery } from './query';

export function portalInfoHandlers(s: Services) {
  const { portal } = s;
  return {
    // The catalog is how the UI learns rights, statuses and error codes without repeating them.
    get_me: ((req, res) => {
      const caller = callerOf(portal, res);
      parse(noQuery, portalQuery(req));
      const me: Me = {
        user: { id: caller.id, login: caller.actor.login, email: caller.actor.email, name: caller.actor.name },
        rights: [...caller.rights],
        bootstrap: caller.bootstrap,
        catalog: { rights: [...RIGHTS], statuses: [...STATUSES], activeStatuses: [...ACTIVE_STATUSES], transitionalStatuses: [...TRANSITIONAL_STATUSES], errorCodes: ERROR_CODES },
      };
      res.json(me);
    }) as RequestHandler,

    get_templates: ((req, res) => {
      parse(noQuery, portalQuery(req));
      const offered: PortalTemplate[] = portal.templates.list(true).map((t) => ({ ...t, ttl: ttlOffer(t) }));
      res.json(offered);
    }) as RequestHandler,

    get_quota: ((req, res) => {
      const caller = callerOf(portal, res);
      parse(noQuery, portalQuery(req));
      res.json(portal.contingents.quota(caller.id));
    }) as RequestHandler,
  };
}
