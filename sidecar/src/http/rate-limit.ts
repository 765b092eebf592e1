/** Per user and action group, a token bucket: bursts are fine, floods get 429 with Retry-After. */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { actorOf } from './request-context';
import type { Clock } from '../domain/clock';

import type { RateGroup } from '@spp/contract';

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Sustained requests per minute. */
  perMinute: number;
}

export const DEFAULT_RATE_LIMITS: Record<RateGroup, RateLimit> = {
  create: { burst: 10, perMinute: 10 },
  lifecycle: { burst: 30, perMinute: 60 },
  share: { burst: 20, perMinute: 30 },
};

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: Record<RateGroup, RateLimit>,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait, or 0 when the request may go ahead (and is counted). */
  take(userId: number, group: RateGroup): number {
    const { burst, perMinute } = this.limits[group];
    const key = `${userId}:${group}`;
    const now = this.clock();
    const perMs = perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }

  middleware(group: RateGroup) {
    return (_req: Request, res: Response, next: NextFunction): void => {
      const wait = this.take(actorOf(res).id, group);
      if (wait > 0) {
        throw new ApiError('spp_rate_limited', `Too many requests; try again in ${wait} seconds.`, { retryAfter: wait }, { 'Retry-After': String(wait) });
      }
      next();
    };
  }
}
