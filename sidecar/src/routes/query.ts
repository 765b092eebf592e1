/** Query parameters without WordPress's own (`_locale`, `_fields`, `_wpnonce`, …), which apiFetch adds and the sidecar does not use. */
import type { Request } from 'express';

export function portalQuery(req: Request): Record<string, unknown> {
  return Object.fromEntries(Object.entries(req.query).filter(([k]) => !k.startsWith('_')));
}
