/** TTL policy: hours from 1 to the template's maximum (8760 where none is set), or never-expire where no maximum is set. */
import { invalidParams } from '../../http/api-error';
import type { Template } from '../../repositories/templates-repo';
import { HOUR_MS } from '../clock';

export const MAX_TTL_HOURS_WITHOUT_LIMIT = 8760;

export interface TtlChoice {
  ttlHours?: number;
  neverExpires?: boolean;
}

export function maxTtlHours(template: Template): number {
  return template.maxTtlHours ?? MAX_TTL_HOURS_WITHOUT_LIMIT;
}

/** Validates the choice against the template; returns hours, or null for never-expire. */
export function checkTtl(choice: TtlChoice, template: Template): number | null {
  if (choice.neverExpires === true) {
    if (template.maxTtlHours !== null) {
      throw invalidParams({ neverExpires: `The template '${template.name}' allows at most ${template.maxTtlHours} hours; never-expire is not allowed.` });
    }
    return null;
  }
  const hours = choice.ttlHours ?? template.defaultTtlHours;
  const max = maxTtlHours(template);
  if (hours < 1 || hours > max) throw invalidParams({ ttlHours: `Must be a whole number of hours from 1 to ${max}.` });
  return hours;
}

/** The later of now and the current expiry, plus the hours; at most the template's maximum from now. */
export function prolongedExpiry(now: number, current: number | null, hours: number, template: Template): number {
  const next = Math.max(now, current ?? now) + hours * HOUR_MS;
  const max = maxTtlHours(template);
  if (next > now + max * HOUR_MS) {
    const room = Math.floor((now + max * HOUR_MS - Math.max(now, current ?? now)) / HOUR_MS);
    throw invalidParams({
      ttlHours: `The expiry may lie at most ${max} hours from now; ${room > 0 ? `at most ${room} more hours are possible` : 'it is already at that limit'}.`,
    });
  }
  return next;
}
