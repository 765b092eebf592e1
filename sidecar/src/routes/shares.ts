/** /v1/deployments/:id/shares: who else sees a deployment. */
import { Router } from 'express';
import type { Services } from '../services';
import { auditAs, callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { emptyBody, idParams, noQuery, shareBody, shareParams } from '../validation/schemas';
import { portalQuery } from './query';
import { authorizeAction } from '../domain/deployments/policy';
import { addShare, listShares, removeShare } from '../domain/deployments/sharing';
import type { ShareRecord } from '../repositories/shares-repo';
import type { Share } from '../api/wire';
import { iso } from '../domain/clock';

const shareJson = (s: ShareRecord): Share => ({ user: { id: s.userId, login: s.login, email: s.email, name: s.name }, createdAt: iso(s.createdAt) });

export function sharesRouter(s: Services): Router {
  const { portal, expiry } = s;
  const r = Router();

  r.get('/deployments/:id/shares', auditAs('share.list'), (req, res) => {
    const caller = callerOf(portal, res);
    authorizeAction(caller, 'share');
    const { id } = parse(idParams, req.params);
    parse(noQuery, portalQuery(req));
    res.json(listShares(portal, expiry, caller, id).map(shareJson));
  });

  r.post('/deployments/:id/shares', auditAs('share.add'), s.rateLimiter.middleware('share'), (req, res) => {
    const caller = callerOf(portal, res);
    authorizeAction(caller, 'share');
    const { id } = parse(idParams, req.params);
    const { user } = parse(shareBody, req.body);
    const { share, created } = addShare(portal, expiry, caller, id, user);
    res.status(created ? 201 : 200).json(shareJson(share));
  });

  r.delete('/deployments/:id/shares/:userId', auditAs('share.remove'), s.rateLimiter.middleware('share'), (req, res) => {
    const caller = callerOf(portal, res);
    authorizeAction(caller, 'share');
    const { id, userId } = parse(shareParams, req.params);
    parse(emptyBody.optional(), req.body);
    removeShare(portal, expiry, caller, id, userId);
    res.json({ deleted: true });
  });

  return r;
}
