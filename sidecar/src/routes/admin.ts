/** Administration: settings, templates, user rights and the audit log. */
import type { RequestHandler } from 'express';
import type { PortalUser } from '@spp/contract';
import type { Services } from '../services';
import { callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { auditQuery, createTemplateBody, emptyBody, idParams, noQuery, settingsBody, updateTemplateBody, userRightsBody, usersQuery } from '../validation/schemas';
import { testConnection } from '../domain/connection-test';
import { createTemplate, proxmoxTemplates, retireTemplate, updateTemplate } from '../domain/templates';
import { updateUserRights } from '../domain/user-rights';
import { auditCsvChunks, queryAudit } from '../domain/audit-query';
import { sendChunks } from '../http/stream';
import { pageWindow, sendPage } from '../http/paging';
import { portalQuery } from './query';

export function adminHandlers(s: Services) {
  const { portal } = s;
  return {
    get_settings: ((req, res) => {
      parse(noQuery, portalQuery(req));
      res.json(portal.settings.view());
    }) as RequestHandler,

    update_settings: ((req, res) => {
      const caller = callerOf(portal, res);
      const change = parse(settingsBody, req.body);
      res.json(portal.settings.update(caller, change));
    }) as RequestHandler,

    test_settings: (async (req, res) => {
      parse(emptyBody.optional(), req.body);
      res.json(await testConnection(portal, callerOf(portal, res)));
    }) as RequestHandler,

    get_admin_templates: ((req, res) => {
      parse(noQuery, portalQuery(req));
      res.json(portal.templates.list(false));
    }) as RequestHandler,

    create_admin_template: (async (req, res) => {
      const caller = callerOf(portal, res);
      const t = await createTemplate(portal, caller, parse(createTemplateBody, req.body));
      res.status(201).location(`/v1/admin/templates/${t.id}`).json(t);
    }) as RequestHandler,

    update_admin_template: (async (req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      res.json(await updateTemplate(portal, caller, id, parse(updateTemplateBody, req.body)));
    }) as RequestHandler,

    retire_admin_template: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      res.json(retireTemplate(portal, caller, id));
    }) as RequestHandler,

    get_proxmox_templates: (async (req, res) => {
      parse(noQuery, portalQuery(req));
      res.json(await proxmoxTemplates(portal));
    }) as RequestHandler,

    get_users: ((req, res) => {
      const q = parse(usersQuery, portalQuery(req));
      const { limit, offset } = pageWindow(q);
      const { users, total } = portal.users.list(q.search ?? '', limit, offset);
      sendPage(res, users.map(({ deleted: _d, ...u }): PortalUser => u), total, limit);
    }) as RequestHandler,

    update_user: ((req, res) => {
      const caller = callerOf(portal, res);
      const { id } = parse(idParams, req.params);
      const body = parse(userRightsBody, req.body);
      updateUserRights(portal, caller, id, body.rights as Parameters<typeof updateUserRights>[3], body.ramLimitMb);
      const { deleted: _d, ...user } = portal.users.get(id) as NonNullable<ReturnType<typeof portal.users.get>>;
      res.json({ ...user, rights: portal.users.rights(id) });
    }) as RequestHandler,

    get_audit: (async (req, res) => {
      const q = parse(auditQuery, portalQuery(req));
      const filter = { actor: q.actor, action: q.action, deployment: q.deployment, from: q.from, to: q.to };
      if (q.format === 'csv') {
        const chunks = auditCsvChunks(portal.db, filter);
        const first = chunks.next(); // reads the first rows before any header is sent, so a failure is still an error answer
        res.status(200).type('text/csv; charset=utf-8').attachment('audit-log.csv');
        await sendChunks(res, first.done ? [] : [first.value], chunks);
        return;
      }
      const { limit, offset } = pageWindow(q);
      const { rows, total } = queryAudit(portal.db, filter, limit, offset);
      sendPage(res, rows, total, limit);
    }) as RequestHandler,
  };
}
