import { Harness } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';

describe('rate limits', () => {
  let h: Harness;
  afterEach(() => h.stop());

  it('answers 429 with Retry-After per user and action group, audits it, and refills over time', async () => {
    h = await Harness.start({ rateLimits: { create: { burst: 2, perMinute: 6 }, share: { burst: 1, perMinute: 1 } } });
    const alice = h.user(7, 'alice', ALL_RIGHTS);
    const bob = h.user(8, 'bob', ALL_RIGHTS);
    expect((await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'r1' })).status).toBe(201);
    expect((await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'r2' })).status).toBe(201);
    const limited = await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'r3' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('spp_rate_limited');
    expect(limited.headers.get('retry-after')).toBe('10');
    // Another user, and another action group of the same user, are not affected.
    expect((await h.call(bob, 'POST', '/v1/deployments', { templateId: 3, name: 'b1' })).status).toBe(201);
    await h.idle();
    expect((await h.call(alice, 'POST', '/v1/deployments/1/start')).status).toBe(200);
    h.advance(10_000);
    expect((await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'r3' })).status).toBe(201);
    expect(h.auditRows().filter((r) => r.status === 429 && r.action === 'deployment.create' && r.result === 'refused')).toHaveLength(1);
    expect(h.portal.deployments.nameTaken('r3')).toBe(true);
    await h.idle();
  });
});
