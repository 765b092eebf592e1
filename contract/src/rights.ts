/**
 * What follows from the list of rights (rights-list.ts): the type, every slug, the checks and labels. The
 * sidecar checks against these and the UI receives the list through `GET /v1/me` (catalog).
 */
import { RIGHTS } from './rights-list';

export { RIGHTS };

export type Right = (typeof RIGHTS)[number]['slug'];

export const ALL_RIGHTS: readonly Right[] = RIGHTS.map((r) => r.slug);

const RIGHT_SET: ReadonlySet<string> = new Set(ALL_RIGHTS);

export function isRight(value: unknown): value is Right {
  return typeof value === 'string' && RIGHT_SET.has(value);
}

export function rightLabel(right: Right): string {
  return RIGHTS.find((r) => r.slug === right)?.label ?? right;
}
