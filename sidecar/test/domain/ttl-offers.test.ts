/**
 * The TTL choices the UI offers come from the sidecar (`template.ttl`, `deployment.prolong`) and are the
 * ones it accepts: for a table of deployment states, the offered maximum is accepted and one hour more is
 * refused, never-expire is accepted exactly where it is offered. The UI used to compute these itself and
 * offered never-expire and 8760 hours for a deployment of a retired template, which the sidecar refused.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { MAX_TTL_HOURS_WITHOUT_LIMIT, prolongOffer, ttlOffer } from '../../src/domain/deployments/ttl';

const H = 3_600_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const PBX = 1; // seeded: default 8, at most 72
const WINDOWS = 2; // seeded: default 8, at most 168
const LINUX = 3; // seeded: default 24, no maximum

describe('the offers', () => {
  it('for a create follow the template: maximum, never-expire only without one, default within the maximum', () => {
    expect(ttlOffer({ maxTtlHours: 72, defaultTtlHours: 8 })).toEqual({ maxHours: 72, allowsNever: false, defaultHours: 8 });
    expect(ttlOffer({ maxTtlHours: null, defaultTtlHours: 24 })).toEqual({ maxHours: MAX_TTL_HOURS_WITHOUT_LIMIT, allowsNever: true, defaultHours: 24 });
    expect(ttlOffer({ maxTtlHours: 4, defaultTtlHours: 8 }).defaultHours).toBe(4);
  });

  it('for a prolong count from the later of now and the expiry, within the maximum from now', () => {
    const t72 = { maxTtlHours: 72, defaultTtlHours: 8 };
    expect(prolongOffer(NOW, NOW + 10 * H, t72)).toEqual({ maxHours: 62, allowsNever: false, defaultHours: 8 });
    expect(prolongOffer(NOW, NOW - 10 * H, t72).maxHours).toBe(72);
    expect(prolongOffer(NOW, NOW + 72 * H, t72)).toEqual({ maxHours: 0, allowsNever: false, defaultHours: 0 });
    expect(prolongOffer(NOW, null, { maxTtlHours: null, defaultTtlHours: 24 })).toEqual({ maxHours: MAX_TTL_HOURS_WITHOUT_LIMIT, allowsNever: true, defaultHours: 24 });
  });
});

describe('what is offered is what is accepted', () => {
  let h: Harness;
  let alice: TestUser;
  beforeEach(async () => {
    h = await Harness.start({ startAt: NOW });
    alice = h.user(7, 'alice', ALL_RIGHTS);
    expect((await h.call(alice, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 0 })).status).toBe(200);
  });
  afterEach(() => h.stop());

  it('GET /templates carries each template’s offer', async () => {
    const templates = (await h.call(alice, 'GET', '/v1/templates')).body as Array<{ id: number; maxTtlHours: number | null; defaultTtlHours: number; ttl: unknown }>;
    expect(templates.map((t) => t.ttl)).toEqual(templates.map((t) => ttlOffer(t)));
    expect(templates.find((t) => t.id === PBX)?.ttl).toEqual({ maxHours: 72, allowsNever: false, defaultHours: 8 });
  });

  interface Case {
    name: string;
    templateId: number;
    create: { ttlHours?: number; neverExpires?: boolean };
    /** Hours to let pass after the create (the expiry sweep runs). */
    later?: number;
    retire?: boolean;
    expect: { maxHours: number; allowsNever: boolean };
  }
  const CASES: Case[] = [
    { name: 'a running PBX, 10 of 72 hours used up front', templateId: PBX, create: { ttlHours: 10 }, expect: { maxHours: 62, allowsNever: false } },
    { name: 'the same, its template retired', templateId: PBX, create: { ttlHours: 10 }, retire: true, expect: { maxHours: 62, allowsNever: false } },
    { name: 'a PBX at its limit', templateId: PBX, create: { ttlHours: 72 }, expect: { maxHours: 0, allowsNever: false } },
    { name: 'an expired PBX (counts from now)', templateId: PBX, create: { ttlHours: 2 }, later: 3, expect: { maxHours: 72, allowsNever: false } },
    { name: 'an expired Windows client, its template retired', templateId: WINDOWS, create: { ttlHours: 1 }, later: 2, retire: true, expect: { maxHours: 168, allowsNever: false } },
    { name: 'a Linux VM that never expires', templateId: LINUX, create: { neverExpires: true }, expect: { maxHours: MAX_TTL_HOURS_WITHOUT_LIMIT, allowsNever: true } },
    { name: 'a Linux VM, its template retired', templateId: LINUX, create: { ttlHours: 5 }, retire: true, expect: { maxHours: MAX_TTL_HOURS_WITHOUT_LIMIT - 5, allowsNever: true } },
  ];

  test.each(CASES)('$name', async (c) => {
    const created = await h.call(alice, 'POST', '/v1/deployments', { templateId: c.templateId, name: 'ttl-case', ...c.create });
    expect(created.status).toBe(201);
    await h.idle();
    const id = created.body.id as number;
    if (c.later !== undefined) {
      h.advance(c.later * H);
      await h.sidecar.services.expiry.sweep();
      await h.idle();
    }
    if (c.retire === true) expect((await h.call(alice, 'DELETE', `/v1/admin/templates/${c.templateId}`)).status).toBe(200);
    const d = (await h.call(alice, 'GET', `/v1/deployments/${id}`)).body;
    expect(d.prolong).toMatchObject(c.expect);

    // Refusals change nothing, so each is tried on the same state before the accepted one.
    const prolong = (body: object) => h.call(alice, 'POST', `/v1/deployments/${id}/prolong`, body);
    expect((await prolong({ ttlHours: d.prolong.maxHours + 1 })).status).toBe(400);
    if (!d.prolong.allowsNever) expect((await prolong({ neverExpires: true })).status).toBe(400);
    if (d.prolong.maxHours > 0) expect((await prolong({ ttlHours: d.prolong.maxHours })).status).toBe(200);
    else if (d.prolong.allowsNever) expect((await prolong({ neverExpires: true })).status).toBe(200);
  });
});
