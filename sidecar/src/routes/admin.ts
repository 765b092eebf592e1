/** Administration: settings, templates, user rights and the audit log. */
import { Router } from 'express';
import type { PortalUser } from '../api/wire';
import type { Services } from '../services';
import { auditAs, callerOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { auditQuery, createTemplateBody, emptyBody, idParams, noQuery, settingsBody, updateTemplateBody, userRightsBody, usersQuery } from '../validation/schemas';
import { requireRight } from '../domain/access';
import { testConnection } from '../domain/connection-test';
import { createTemplate, proxmoxTemplates, retireTemplate, updateTemplate } from '../domain/templates';
import { updateUserRights } from '../domain/user-rights';
import { auditCsvChunks, queryAudit } from '../domain/audit-query';
import { sendChunks } from '../http/stream';
import { pageWindow, sendPage } from '../http/paging';
import { portalQuery } from './query';

export function adminRouter(s: Services): Router {
  const { portal } = s;
  const r = Router();

  r.get('/settings', auditAs('settings.read'), (req, res) => {
    requireRight(callerOf(portal, res), 'settings.manage');
    parse(noQuery, portalQuery(req));
    res.json(portal.settings.view());
  });

  r.put('/settings', auditAs('settings.update'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'settings.manage');
    const change = parse(settingsBody, req.body);
    res.json(portal.settings.update(caller, change));
  });

  r.post('/settings/test', auditAs('settings.test'), async (req, res) => {
    parse(emptyBody.optional(), req.body);
    res.json(await testConnection(portal, callerOf(portal, res)));
  });

  r.get('/admin/templates', auditAs('template.list'), (req, res) => {
    requireRight(callerOf(portal, res), 'templates.manage');
    parse(noQuery, portalQuery(req));
    res.json(portal.templates.list(false));
  });

  r.post('/admin/templates', auditAs('template.create'), async (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'templates.manage');
    const t = await createTemplate(portal, caller, parse(createTemplateBody, req.body));
    res.status(201).location(`/v1/admin/templates/${t.id}`).json(t);
  });

  r.put('/admin/templates/:id', auditAs('template.update'), async (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'templates.manage');
    const { id } = parse(idParams, req.params);
    res.json(await updateTemplate(portal, caller, id, parse(updateTemplateBody, req.body)));
  });

  r.delete('/admin/templates/:id', auditAs('template.retire'), (req, res) => {
    const caller = callerOf(portal, res);
    const { id } = parse(idParams, req.params);
    parse(emptyBody.optional(), req.body);
    res.json(retireTemplate(portal, caller, id));
  });

  r.get('/admin/proxmox-templates', auditAs('template.proxmox_list'), async (req, res) => {
    const caller = callerOf(portal, res);
    parse(noQuery, portalQuery(req));
    res.json(await proxmoxTemplates(portal, caller));
  });

  r.get('/users', auditAs('rights.list'), (req, res) => {
    requireRight(callerOf(portal, res), 'rights.manage');
    const q = parse(usersQuery, portalQuery(req));
    const { limit, offset } = pageWindow(q);
    const { users, total } = portal.users.list(q.search ?? '', limit, offset);
    sendPage(res, users.map(({ deleted: _d, ...u }): PortalUser => u), total, limit);
  });

  r.put('/users/:id', auditAs('rights.update'), (req, res) => {
    const caller = callerOf(portal, res);
    requireRight(caller, 'rights.manage');
    const { id } = parse(idParams, req.params);
    const body = parse(userRightsBody, req.body);
    updateUserRights(portal, caller, id, body.rights as Parameters<typeof updateUserRights>[3], body.ramLimitMb);
    const { deleted: _d, ...user } = portal.users.get(id) as NonNullable<ReturnType<typeof portal.users.get>>;
    res.json({ ...user, rights: portal.users.rights(id) });
  });

  r.get('/audit', auditAs('audit.read'), async (req, res) => {
    const caller = callerOf(portal, res);
    const q = parse(auditQuery, portalQuery(req));
    const filter = { actor: q.actor, action: q.action, deployment: q.deployment, from: q.from, to: q.to };
    if (q.format === 'csv') {
      const chunks = auditCsvChunks(portal.db, caller, filter);
      const first = chunks.next(); // runs the rights check before any header is sent
      res.status(200).type('text/csv; charset=utf-8').attachment('audit-log.csv');
      await sendChunks(res, first.done ? [] : [first.value], chunks);
      return;
    }
    const { limit, offset } = pageWindow(q);
    const { rows, total } = queryAudit(portal.db, caller, filter, limit, offset);
    sendPage(res, rows, total, limit);
  });

  return r;
}
