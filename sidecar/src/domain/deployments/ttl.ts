/** TTL policy: hours from 1 to the template's maximum (8760 where none is set), or never-expire where no maximum is set. */
import { invalidParams } from '../../http/api-error';
import type { Template, TtlOffer } from '@spp/contract';
import { HOUR_MS } from '../clock';

export const MAX_TTL_HOURS_WITHOUT_LIMIT = 8760;

export interface TtlChoice {
  ttlHours?: number;
  neverExpires?: boolean;
}

type TtlPolicy = Pick<Template, 'maxTtlHours' | 'defaultTtlHours'>;

export function maxTtlHours(template: Pick<Template, 'maxTtlHours'>): number {
  return template.maxTtlHours ?? MAX_TTL_HOURS_WITHOUT_LIMIT;
}

/** The choices when at most `maxHours` can be chosen: never-expire where the template has no maximum. */
const offer = (template: TtlPolicy, maxHours: number): TtlOffer => ({ maxHours, allowsNever: template.maxTtlHours === null, defaultHours: Math.min(template.defaultTtlHours, maxHours) });

/** What a create from this template accepts. */
export function ttlOffer(template: TtlPolicy): TtlOffer {
  return offer(template, maxTtlHours(template));
}

/** Whole hours that may still be added to an expiry at `current` (null: none), keeping it within the maximum from now. */
function roomHours(now: number, current: number | null, template: Pick<Template, 'maxTtlHours'>): number {
  return Math.max(0, Math.floor((now + maxTtlHours(template) * HOUR_MS - Math.max(now, current ?? now)) / HOUR_MS));
}

/** The expiry a prolong builds on: an EXPIRED deployment comes back from now, a never-expiring one too. */
export function prolongBase(d: { status: string; expiresAt: number | null; neverExpires: boolean }, now: number): number | null {
  return d.status === 'EXPIRED' || d.neverExpires ? now : d.expiresAt;
}

/** What a prolong of a deployment of this template accepts now (the room is never more than the maximum). */
export function prolongOffer(now: number, current: number | null, template: TtlPolicy): TtlOffer {
  return offer(template, roomHours(now, current, template));
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
    const room = roomHours(now, current, template);
    throw invalidParams({
      ttlHours: `The expiry may lie at most ${max} hours from now; ${room > 0 ? `at most ${room} more hours are possible` : 'it is already at that limit'}.`,
    });
  }
  return next;
}
