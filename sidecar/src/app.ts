/**
 * The HTTP surface: `/healthz` unsigned, everything else under `/v1` behind the SPP1 signature.
 * A request's way: signature → route (the contract's routes.ts: audit name, rate limit, rights) → validation → domain
 * (the deployment policy for relation and status) → repository / Proxmox client.
 */
import { BODY_LIMITS, ROUTES, RouteName } from '@spp/contract';
import express, { Express, RequestHandler } from 'express';
import type { Services } from './services';
import type { Keyring } from './auth/keyring';
import type { ReplayGuard } from './auth/replay-guard';
import { authenticate } from './http/authenticate';
import { errorHandler } from './http/error-handler';
import { ApiError } from './http/api-error';
import { deploymentsHandlers } from './routes/deployments';
import { sharesHandlers } from './routes/shares';
import { portalInfoHandlers } from './routes/portal-info';
import { adminHandlers } from './routes/admin';
import { directoryHandlers } from './routes/directory';
import { auditAs } from './http/request-context';
import { routeAccess } from './http/route-access';

export const VERSION = '0.1.0';

// Bodies are read before the signature is checked (it covers them), so each route reads only what it can
// need (the contract's BODY_LIMITS): only the system actor may send a directory sync that large.
const DIRECTORY_SYNC = '/directory/sync';

export function createApp(s: Services, keyring: Keyring, replay: ReplayGuard): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Ready once signatures are accepted: right after a crash, from the next whole second (auth/replay-guard.ts).
  app.get('/healthz', (_req, res) => {
    if (s.portal.clock() < replay.acceptsFrom) res.status(503).json({ ok: false, starting: true, version: VERSION });
    else res.json({ ok: true, version: VERSION });
  });

  const v1 = express.Router();
  // Raw bytes for every content type: the signature covers the body exactly as sent.
  const largeBody = express.raw({ type: () => true, limit: BODY_LIMITS.directorySync });
  const smallBody = express.raw({ type: () => true, limit: BODY_LIMITS.other });
  v1.use((req, res, next) => (req.path === DIRECTORY_SYNC ? largeBody : smallBody)(req, res, next));
  v1.use(authenticate(s.portal, keyring, replay));
  // Every route from the one table: its audit name, its rate limit, its access, then its handler.
  const handlers = {
    ...portalInfoHandlers(s),
    ...deploymentsHandlers(s),
    ...sharesHandlers(s),
    ...adminHandlers(s),
    ...directoryHandlers(s),
  } satisfies Record<RouteName, RequestHandler>;
  const verb = { GET: 'get', POST: 'post', PUT: 'put', DELETE: 'delete' } as const;
  for (const spec of ROUTES) {
    const rate: RequestHandler[] = 'rateGroup' in spec ? [s.rateLimiter.middleware(spec.rateGroup)] : [];
    v1[verb[spec.method]](spec.path, auditAs(spec.audit), ...rate, routeAccess(s.portal, spec.access), handlers[spec.name]);
  }
  app.use('/v1', v1);

  app.use(() => {
    throw new ApiError('spp_not_found', 'No such route.');
  });
  app.use(errorHandler(s.portal));
  return app;
}
