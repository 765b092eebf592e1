/** /v1/deployments: list, read, create and the lifecycle actions. */
import { Router } from 'express';
import type { Services } from '../services';
import { auditAs, callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { createDeploymentBody, emptyBody, handOverBody, idParams, listDeploymentsQuery, noQuery, prolongBody } from '../validation/schemas';
import { requireRight, viewerOf } from '../domain/access';
import { authorizeAction } from '../domain/deployments/policy';
import { deploymentJson } from '../domain/deployments/deployment-view';
import { loadVisible } from '../domain/deployments/load-deployment';
import { createDeployment } from '../domain/deployments/create-deployment';
import { startDeployment, stopDeployment } from '../domain/deployments/power';
import { prolongDeployment } from '../domain/deployments/prolong';
import { refreshIps } from '../domain/deployments/refresh-ips';
import { deleteDeployment } from '../domain/deployments/delete-deployment';
import { handOverDeployment } from '../domain/deployments/hand-over';
import { pageWindow, sendPage } from '../http/paging';
import { portalQuery } from './query';

export function deploymentsRouter(s: Services): Router {
  const { portal, expiry } = s;
  const r = Router();
  const lifecycle = s.rateLimiter.middleware('lifecycle');

  r.get('/deployments', auditAs('deployment.list'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'portal.view');
    const q = parse(listDeploymentsQuery, portalQuery(req));
    expiry.expireDue();
    const { limit, offset } = pageWindow(q);
    const { rows, total } = portal.deployments.list(viewerOf(caller), { statuses: q.status ?? [], search: q.search ?? '', limit, offset });
    sendPage(res, rows.map((d) => deploymentJson(d, caller, portal.clock())), total, limit);
  });

  r.get('/deployments/:id', auditAs('deployment.read'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'portal.view');
    const { id } = parse(idParams, req.params);
    parse(noQuery, portalQuery(req));
    res.json(deploymentJson(loadVisible(portal, expiry, caller, id), caller, portal.clock()));
  });

  r.post('/deployments', auditAs('deployment.create'), s.rateLimiter.middleware('create'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'portal.view');
    requireRight(caller, 'deployments.create');
    const body = parse(createDeploymentBody, req.body);
    const d = createDeployment(portal, s.provisioner, caller, body);
    res.status(201).location(`/v1/deployments/${d.id}`).json(deploymentJson(d, caller, portal.clock()));
  });

  r.post('/deployments/:id/start', auditAs('deployment.start'), lifecycle, async (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'start');
    parse(emptyBody.optional(), req.body);
    res.json(deploymentJson(await startDeployment(portal, expiry, s.ips, caller, id), caller, portal.clock()));
  });

  r.post('/deployments/:id/stop', auditAs('deployment.stop'), lifecycle, async (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'stop');
    parse(emptyBody.optional(), req.body);
    res.json(deploymentJson(await stopDeployment(portal, expiry, caller, id), caller, portal.clock()));
  });

  r.post('/deployments/:id/prolong', auditAs('deployment.prolong'), lifecycle, async (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'prolong');
    const body = parse(prolongBody, req.body);
    res.json(deploymentJson(await prolongDeployment(portal, expiry, caller, id, body), caller, portal.clock()));
  });

  r.put('/deployments/:id/owner', auditAs('deployment.hand_over'), (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'handOver');
    parse(noQuery, portalQuery(req));
    const body = parse(handOverBody, req.body);
    res.json(deploymentJson(handOverDeployment(portal, expiry, caller, id, body.userId), caller, portal.clock()));
  });

  r.post('/deployments/:id/refresh-ips', auditAs('deployment.refresh_ips'), lifecycle, async (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'refreshIps');
    parse(emptyBody.optional(), req.body);
    res.json(deploymentJson(await refreshIps(portal, expiry, caller, id), caller, portal.clock()));
  });

  r.delete('/deployments/:id', auditAs('deployment.delete'), lifecycle, async (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    authorizeAction(caller, 'delete');
    parse(emptyBody.optional(), req.body);
    await deleteDeployment(portal, expiry, caller, id);
    const previous = portal.deployments.get(id, caller.id);
    res.json({ deleted: true, previous: previous ? deploymentJson(previous, caller, portal.clock()) : null });
  });

  return r;
}
