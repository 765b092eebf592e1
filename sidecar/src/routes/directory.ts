/** /v1/directory: WordPress's mirror of its users (system actor only). */
import { Router } from 'express';
import type { Services } from '../services';
import { actorOf, auditAs } from '../http/request-context';
import { parse } from '../validation/validate';
import { directorySyncBody, directoryUserBody, emptyBody, idParams } from '../validation/schemas';
import { deleteDirectoryUser, syncDirectory, upsertDirectoryUser } from '../domain/directory';

export function directoryRouter(s: Services): Router {
  const { portal } = s;
  const r = Router();

  r.put('/directory/users/:id', auditAs('directory.upsert'), (req, res) => {
    const actor = actorOf(res);
    const { id } = parse(idParams, req.params);
    const entry = { id, ...parse(directoryUserBody, req.body) };
    upsertDirectoryUser(portal, actor, entry);
    res.json(entry);
  });

  r.delete('/directory/users/:id', auditAs('directory.delete'), (req, res) => {
    const actor = actorOf(res);
    const { id } = parse(idParams, req.params);
    parse(emptyBody.optional(), req.body);
    res.json({ deleted: deleteDirectoryUser(portal, actor, id) });
  });

  r.post('/directory/sync', auditAs('directory.sync'), (req, res) => {
    const actor = actorOf(res);
    res.json(syncDirectory(portal, actor, parse(directorySyncBody, req.body).users));
  });

  return r;
}
