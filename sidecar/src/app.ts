/**
 * The HTTP surface: `/healthz` unsigned, everything else under `/v1` behind the SPP1 signature.
 * A request's way: signature → route (rights, validation) → domain → repository / Proxmox client.
 */
import express, { Express } from 'express';
import type { Services } from './services';
import type { Keyring } from './auth/keyring';
import type { ReplayGuard } from './auth/replay-guard';
import { authenticate } from './http/authenticate';
import { errorHandler } from './http/error-handler';
import { ApiError } from './http/api-error';
import { deploymentsRouter } from './routes/deployments';
import { sharesRouter } from './routes/shares';
import { portalInfoRouter } from './routes/portal-info';
import { adminRouter } from './routes/admin';
import { directoryRouter } from './routes/directory';

export const VERSION = '0.1.0';

/** The biggest body any route takes is a directory sync of many users; 8 MB is ample and bounded. */
const MAX_BODY = '8mb';

export function createApp(s: Services, keyring: Keyring, replay: ReplayGuard): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, version: VERSION });
  });

  const v1 = express.Router();
  // Raw bytes for every content type: the signature covers the body exactly as sent.
  v1.use(express.raw({ type: () => true, limit: MAX_BODY }));
  v1.use(authenticate(s.portal, keyring, replay));
  v1.use(portalInfoRouter(s));
  v1.use(deploymentsRouter(s));
  v1.use(sharesRouter(s));
  v1.use(adminRouter(s));
  v1.use(directoryRouter(s));
  app.use('/v1', v1);

  app.use(() => {
    throw new ApiError('spp_not_found', 'No such route.');
  });
  app.use(errorHandler(s.portal));
  return app;
}
