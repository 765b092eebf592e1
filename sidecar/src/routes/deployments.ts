/** /v1/deployments: list, read, create and the lifecycle actions. */
import type { RequestHandler } from 'express';
import type { Services } from '../services';
import { callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { createDeploymentBody, emptyBody, handOverBody, idParams, listDeploymentsQuery, noQuery, prolongBody } from '../validation/schemas';
import { viewerOf } from '../domain/access';
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

export function deploymentsHandlers(s: Services) {
  const { portal, expiry } = s;
  return {
    get_deployments: ((req, res) => {
      const caller = callerOf(portal, res);
      const q = parse(listDeploymentsQuery, portalQuery(req));
      portal.expireDue();
      const { limit, offset } = pageWindow(q);
      const { rows, total } = portal.deployments.list(viewerOf(caller), { statuses: q.status ?? [], search: q.search ?? '', limit, offset });
      sendPage(res, rows.map((d) => deploymentJson(d, caller, portal.clock())), total, limit);
    }) as RequestHandler,

    get_deployment: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(noQuery, portalQuery(req));
      res.json(deploymentJson(loadVisible(portal, caller, id), caller, portal.clock()));
    }) as RequestHandler,

    create_deployment: ((req, res) => {
      const caller = callerOf(portal, res);
      const body = parse(createDeploymentBody, req.body);
      const d = createDeployment(portal, s.provisioner, caller, body);
      res.status(201).location(`/v1/deployments/${d.id}`).json(deploymentJson(d, caller, portal.clock()));
    }) as RequestHandler,

    start_deployment: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      res.json(deploymentJson(await startDeployment(portal, s.ips, caller, id), caller, portal.clock()));
    }) as RequestHandler,

    stop_deployment: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      res.json(deploymentJson(await stopDeployment(portal, caller, id), caller, portal.clock()));
    }) as RequestHandler,

    prolong_deployment: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      const body = parse(prolongBody, req.body);
      res.json(deploymentJson(await prolongDeployment(portal, expiry, caller, id, body), caller, portal.clock()));
    }) as RequestHandler,

    hand_over_deployment: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(noQuery, portalQuery(req));
      const body = parse(handOverBody, req.body);
      res.json(deploymentJson(handOverDeployment(portal, caller, id, body.userId), caller, portal.clock()));
    }) as RequestHandler,

    refresh_deployment_ips: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      res.json(deploymentJson(await refreshIps(portal, caller, id), caller, portal.clock()));
    }) as RequestHandler,

    delete_deployment: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      await deleteDeployment(portal, caller, id);
      const previous = portal.deployments.get(id, caller.id);
      res.json({ deleted: true, previous: previous ? deploymentJson(previous, caller, portal.clock()) : null });
    }) as RequestHandler,
  };
}
