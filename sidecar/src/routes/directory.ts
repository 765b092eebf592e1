/** /v1/directory: WordPress's mirror of its users (the system actor only, contract/src/routes.ts). */
import type { RequestHandler } from 'express';
import type { Services } from '../services';
import { actorOf } from '../http/request-context';
import { parse } from '../validation/validate';
import { directorySyncBody, directoryUserBody, emptyBody, idParams } from '../validation/schemas';
import { deleteDirectoryUser, syncDirectory, upsertDirectoryUser } from '../domain/directory';

export function directoryHandlers(s: Services) {
  const { portal } = s;
  return {
    upsert_directory_user: ((req, res) => {
      const { id } = parse(idParams, req.params);
      const entry = { id, ...parse(directoryUserBody, req.body) };
      upsertDirectoryUser(portal, actorOf(res), entry);
      res.json(entry);
    }) as RequestHandler,

    delete_directory_user: ((req, res) => {
      const { id } = parse(idParams, req.params);
      parse(emptyBody.optional(), req.body);
      res.json({ deleted: deleteDirectoryUser(portal, actorOf(res), id) });
    }) as RequestHandler,

    sync_directory: ((req, res) => {
      res.json(syncDirectory(portal, actorOf(res), parse(directorySyncBody, req.body).users));
    }) as RequestHandler,
  };
}
