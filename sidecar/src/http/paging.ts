/** WordPress-style paging: `page`/`per_page` in, `X-WP-Total`/`X-WP-TotalPages` out. */
import type { Response } from 'express';

export const DEFAULT_PER_PAGE = 10;

export function pageWindow(q: { page?: number; per_page?: number }): { limit: number; offset: number } {
  const limit = q.per_page ?? DEFAULT_PER_PAGE;
  return { limit, offset: ((q.page ?? 1) - 1) * limit };
}

export function sendPage<T>(res: Response, items: T[], total: number, limit: number): void {
  res.set('X-WP-Total', String(total)).set('X-WP-TotalPages', String(Math.max(1, Math.ceil(total / limit)))).json(items);
}
