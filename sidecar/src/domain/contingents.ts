/**
 * RAM contingents: per user (the default or the user's override) and global; 0 means unlimited.
 * Only ACTIVE_STATUSES count. `assertFits` must run inside the write transaction that then reserves
 * the memory, so parallel requests can never oversubscribe.
 */
import { ApiError } from '../http/api-error';
import type { DeploymentsRepo } from '../repositories/deployments-repo';
import type { UsersRepo } from '../repositories/users-repo';
import type { SettingsService } from './settings';

import type { Contingent, Quota } from '@spp/contract';


const contingent = (limit: number, used: number): Contingent =>
  limit === 0 ? { limitMb: null, usedMb: used, availableMb: null } : { limitMb: limit, usedMb: used, availableMb: Math.max(0, limit - used) };

export class Contingents {
  constructor(
    private readonly deployments: DeploymentsRepo,
    private readonly users: UsersRepo,
    private readonly settings: SettingsService,
  ) {}

  quota(userId: number): Quota {
    const s = this.settings.view();
    const userLimit = this.users.get(userId)?.ramLimitMb ?? s.defaultUserRamLimitMb;
    return {
      user: contingent(userLimit, this.deployments.usedMemoryMb(userId)),
      global: contingent(s.globalRamLimitMb, this.deployments.usedMemoryMbGlobal()),
    };
  }

  /** Throws spp_quota_exceeded naming the limit, the use and what was asked. */
  assertFits(ownerId: number, memoryMb: number): void {
    const q = this.quota(ownerId);
    const check = (c: Contingent, which: 'user' | 'global') => {
      if (c.availableMb === null || c.availableMb >= memoryMb) return;
      const whose = which === 'user' ? 'the RAM contingent of this user' : 'the global RAM contingent';
      throw new ApiError(
        'spp_quota_exceeded',
        `This needs ${memoryMb} MB of RAM, but ${whose} is ${c.limitMb} MB with ${c.usedMb} MB in use (${c.availableMb} MB free). Stop using or delete a deployment, or ask an administrator to raise the limit.`,
        { limit: which, limitMb: c.limitMb, usedMb: c.usedMb, requestedMb: memoryMb },
      );
    };
    check(q.user, 'user');
    check(q.global, 'global');
  }
}
