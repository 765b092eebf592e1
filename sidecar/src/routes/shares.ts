/** /v1/deployments/:id/shares: who else sees a deployment. */
import type { RequestHandler } from 'express';
import type { Services } from '../services';
import { callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { emptyBody, idParams, noQuery, shareBody, shareParams } from '../validation/schemas';
import { portalQuery } from './query';
import { addShare, listShares, removeShare } from '../domain/deployments/sharing';
import type { ShareRecord } from '../repositories/shares-repo';
import type { Share } from '@spp/contract';
import { iso } from '../domain/clock';

const shareJson = (s: ShareRecord): Share => ({ user: { id: s.userId, login: s.login, email: s.email, name: s.name }, createdAt: iso(s.createdAt) });

export function sharesHandlers(s: Services) {
  const { portal } = s;
  return {
    get_shares: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(noQuery, portalQuery(req));
      res.json(listShares(portal, caller, id).map(shareJson));
    }) as RequestHandler,

    create_share: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      const { user } = parse(shareBody, req.body);
      const { share, created } = addShare(portal, caller, id, user);
      res.status(created ? 201 : 200).json(shareJson(share));
    }) as RequestHandler,

    delete_share: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id, userId } = parse(shareParams, req.params);
      parse(emptyBody.optional(), req.body);
      removeShare(portal, caller, id, userId);
      res.json({ deleted: true });
    }) as RequestHandler,
  };
}
