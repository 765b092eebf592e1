/**
 * The SPP1 gate against a live sidecar: every refused request is a 401 with the error envelope, and
 * leaves nothing behind but exactly one `auth.reject` audit row. Key rotation is checked on
 * verifyRequest directly (the Harness has a one-key keyring).
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Answer, Harness, KEY_HEX, signedHeaders, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { encodeActor, signature } from '../../src/auth/canonical';
import { parseKeyring } from '../../src/auth/keyring';
import { ReplayGuard } from '../../src/auth/replay-guard';
import { IncomingSigned, verifyRequest } from '../../src/auth/verify-request';
import { VERSION } from '../../src/app';

const DATA_TABLES = ['deployments', 'users', 'templates', 'settings', 'shares', 'user_rights'] as const;

interface Snapshot {
  counts: Record<string, number>;
  hashes: Record<string, string>;
  auditCount: number;
  vms: string;
}

function snapshot(h: Harness): Snapshot {
  const db = h.portal.db;
  const counts: Record<string, number> = {};
  const hashes: Record<string, string> = {};
  for (const t of DATA_TABLES) {
    counts[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    hashes[t] = createHash('sha256').update(JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all())).digest('hex');
  }
  const auditCount = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  return { counts, hashes, auditCount, vms: JSON.stringify(h.sidecar.mock.vms()) };
}

function split(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

describe('SPP1 request verification (live sidecar)', () => {
  let h: Harness;
  let alice: TestUser;
  let admin: TestUser;
  let deploymentId: number;
  let ts: number;

  beforeAll(async () => {
    h = await Harness.start();
    admin = h.user(1, 'admin', ALL_RIGHTS);
    alice = h.user(7, 'alice', ['portal.view', 'deployments.create', 'deployments.start', 'deployments.stop', 'deployments.delete']);
    const created = await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'auth-target', ttlHours: 8 });
    expect(created.status).toBe(201);
    deploymentId = created.body.id;
    await h.idle();
    ts = Math.floor(h.now / 1000);
  });
  afterAll(() => h.stop());

  /** Sends, then checks the 401 envelope and that exactly one auth.reject row is all that changed. */
  async function expectRejected(send: () => Promise<Answer>, reason?: RegExp): Promise<Answer> {
    await h.idle();
    h.flushRefusals(); // a repeat of an earlier kind is then written as its counted row: one row either way
    const before = snapshot(h);
    const res = await send();
    await h.idle();
    h.flushRefusals();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { code: 'spp_unauthenticated', message: expect.any(String), data: { status: 401 } },
    });
    expect(res.body.message.length).toBeGreaterThan(0);
    if (reason) expect(res.body.message).toMatch(reason);
    const after = snapshot(h);
    expect(after.counts).toEqual(before.counts);
    expect(after.hashes).toEqual(before.hashes);
    expect(after.vms).toBe(before.vms);
    expect(after.auditCount).toBe(before.auditCount + 1);
    const rows = h.auditRows().slice(before.auditCount);
    expect(rows).toHaveLength(1);
    const row = rows[0] as (typeof rows)[number];
    expect(row).toMatchObject({ action: 'auth.reject', result: 'refused', status: 401, actor_id: null, deployment_id: null });
    expect(JSON.parse(row.details)).toMatchObject({ reason: res.body.message });
    return res;
  }

  const tweakHeader = (name: string, value: string | undefined) => (hd: Record<string, string>) => {
    if (value === undefined) delete hd[name];
    else hd[name] = value;
  };

  describe('missing headers', () => {
    it.each(['X-SPP-Key-Id', 'X-SPP-Timestamp', 'X-SPP-Nonce', 'X-SPP-Actor', 'X-SPP-Signature'])('without %s → 401', async (name) => {
      await expectRejected(() => h.call(alice, 'GET', '/v1/me', undefined, tweakHeader(name, undefined)), /missing/i);
    });

    it('with no SPP headers at all → 401', async () => {
      await expectRejected(() => h.raw('GET', '/v1/me', {}, Buffer.alloc(0)));
    });

    it('an unsigned request to an unknown /v1 route is a 401, not a 404', async () => {
      await expectRejected(() => h.raw('GET', '/v1/no-such-route', {}, Buffer.alloc(0)));
    });

    it('an unsigned write changes nothing', async () => {
      await expectRejected(() => h.raw('POST', '/v1/deployments', { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ templateId: 3, name: 'unsigned', ttlHours: 1 }))));
    });
  });

  describe('malformed headers', () => {
    it.each([
      ['X-SPP-Key-Id', 'k 1'],
      ['X-SPP-Key-Id', 'k1:'],
      ['X-SPP-Key-Id', 'k'.repeat(33)],
      ['X-SPP-Timestamp', 'yesterday'],
      ['X-SPP-Timestamp', '-1767225600'],
      ['X-SPP-Timestamp', '1767225600.5'],
      ['X-SPP-Timestamp', '1'.repeat(13)],
      ['X-SPP-Nonce', 'not-a-nonce'],
      ['X-SPP-Nonce', 'ABCDEF0123456789ABCDEF0123456789'], // upper case
      ['X-SPP-Nonce', '0123456789abcdef0123456789abcde'], // 31 characters
      ['X-SPP-Nonce', '0123456789abcdef0123456789abcdef0'], // 33 characters
      ['X-SPP-Actor', 'eyJpZCI6MCwic3lzdGVtIjp0cnVlfQ=='], // padded
      ['X-SPP-Actor', 'eyJpZCI6MCwic3+lzdGVtIjp0cnVlfQ'], // standard base64, not url-safe
      ['X-SPP-Signature', 'not-a-signature'],
      ['X-SPP-Signature', `v2=${'a'.repeat(64)}`],
      ['X-SPP-Signature', `v1=${'A'.repeat(64)}`], // upper-case hex
      ['X-SPP-Signature', `v1=${'a'.repeat(63)}`],
      ['X-SPP-Signature', `v1=${'a'.repeat(65)}`],
      ['X-SPP-Signature', 'a'.repeat(64)],
    ])('%s: %p → 401', async (name, value) => {
      await expectRejected(() => h.call(alice, 'GET', '/v1/me', undefined, tweakHeader(name, value)), /malformed/i);
    });

    it('an actor header larger than 8 KB → 401', async () => {
      const big = encodeActor({ id: 7, login: 'alice', email: 'alice@example.com', name: 'x'.repeat(7000), caps: [] });
      expect(big.length).toBeGreaterThan(8192);
      await expectRejected(() => h.call(alice, 'GET', '/v1/me', undefined, tweakHeader('X-SPP-Actor', big)), /malformed/i);
    });
  });

  describe('key, time and signature', () => {
    it('an unknown key id → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts, 'k9', KEY_HEX);
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /key/i);
    });

    it('key ids are case-sensitive: K1 is not k1 → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts, 'K1', KEY_HEX);
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /key/i);
    });

    it('the right key id signed with another key → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts, 'k1', randomBytes(32).toString('hex'));
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /signature/i);
    });

    it.each([
      ['121 s old', -121],
      ['an hour old', -3600],
      ['a day old', -86_400],
      ['the epoch', -Number.MAX_SAFE_INTEGER],
      ['121 s in the future', 121],
      ['an hour in the future', 3600],
    ])('a timestamp %s → 401', async (_title, delta) => {
      const stamp = Math.max(0, ts + delta);
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), stamp);
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /timestamp/i);
    });

    it('a timestamp in milliseconds instead of seconds → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), h.now);
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)));
    });

    it.each([
      ['119 s old', -119],
      ['120 s old', -120],
      ['120 s in the future', 120],
    ])('a timestamp %s is still accepted', async (_title, delta) => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts + delta);
      const res = await h.raw('GET', '/v1/me', headers, Buffer.alloc(0));
      expect(res.status).toBe(200);
    });

    it('one flipped hex digit in the signature → 401', async () => {
      await expectRejected(
        () =>
          h.call(alice, 'GET', '/v1/me', undefined, (hd) => {
            const sig = hd['X-SPP-Signature'] as string;
            const last = sig.slice(-1);
            hd['X-SPP-Signature'] = sig.slice(0, -1) + (last === '0' ? '1' : '0');
          }),
        /signature/i,
      );
    });

    it('a signature that does not depend on the request (all zeros) → 401', async () => {
      await expectRejected(() => h.call(alice, 'GET', '/v1/me', undefined, tweakHeader('X-SPP-Signature', `v1=${'0'.repeat(64)}`)), /signature/i);
    });

    it('a signed but invalid actor object → 401, and the actor is never created', async () => {
      for (const actor of [{ id: -1, login: 'x' }, { id: 99, login: '' }, { id: 99, login: 'mallory', role: 'admin' }, { id: 0, system: false }, { id: 0, system: true, login: 'sys' }]) {
        await expectRejected(() => h.call(actor as TestUser, 'GET', '/v1/me'), /actor/i);
      }
      const res = await h.call({ id: 99, login: 'mallory' } as TestUser, 'GET', '/v1/me'); // a valid actor now, for contrast
      expect(res.status).toBe(200);
    });

    it('a signed actor header that is not JSON → 401', async () => {
      const actorHeader = Buffer.from('not json', 'utf8').toString('base64url');
      const target = '/v1/me';
      // signedHeaders encodes an object; sign by hand so the actor bytes are the garbage ones
      const nonce = randomBytes(16).toString('hex');
      const headers = {
        'X-SPP-Key-Id': 'k1',
        'X-SPP-Timestamp': String(ts),
        'X-SPP-Nonce': nonce,
        'X-SPP-Actor': actorHeader,
        'X-SPP-Signature': signature(Buffer.from(KEY_HEX, 'hex'), { keyId: 'k1', timestamp: String(ts), nonce, method: 'GET', path: target, query: '', actorHeader, body: Buffer.alloc(0) }),
      };
      await expectRejected(() => h.raw('GET', target, headers, Buffer.alloc(0)), /actor/i);
    });
  });

  describe('replay', () => {
    it('the same signed write sent twice: the first acts, the second is a 401 and changes nothing', async () => {
      const body = Buffer.from(JSON.stringify({ globalRamLimitMb: 123456 }));
      const headers = { ...signedHeaders(admin, 'PUT', '/v1/settings', body, ts), 'Content-Type': 'application/json' };
      const first = await h.raw('PUT', '/v1/settings', headers, body);
      expect(first.status).toBe(200);
      expect(first.body.globalRamLimitMb).toBe(123456);
      const second = await expectRejected(() => h.raw('PUT', '/v1/settings', headers, body), /nonce|replay/i);
      expect(second.body.message).toMatch(/nonce|replay/i);
      const row = h.auditRows().at(-1) as ReturnType<Harness['auditRows']>[number];
      expect(JSON.parse(row.details)).toMatchObject({ claimedActorId: admin.id });
    });

    it('a replay stays refused later within the 10 minutes, even with the clock moved', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts);
      expect((await h.raw('GET', '/v1/me', headers, Buffer.alloc(0))).status).toBe(200);
      h.advance(100_000); // still inside the 120 s window
      try {
        await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /nonce|replay/i);
      } finally {
        h.advance(-100_000);
      }
    });

    it('the same nonce reused with a fresh signature over another request → 401', async () => {
      const first = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts);
      expect((await h.raw('GET', '/v1/me', first, Buffer.alloc(0))).status).toBe(200);
      const nonce = first['X-SPP-Nonce'] as string;
      // re-sign another request under the same nonce by hand
      const actorHeader = encodeActor(alice);
      const headers = {
        ...first,
        'X-SPP-Signature': signature(Buffer.from(KEY_HEX, 'hex'), { keyId: 'k1', timestamp: String(ts), nonce, method: 'GET', path: '/v1/templates', query: '', actorHeader, body: Buffer.alloc(0) }),
      };
      await expectRejected(() => h.raw('GET', '/v1/templates', headers, Buffer.alloc(0)), /nonce|replay/i);
    });

    it('a request refused for its signature does not burn its nonce', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts);
      await expectRejected(() => h.raw('GET', '/v1/me', { ...headers, 'X-SPP-Signature': `v1=${'0'.repeat(64)}` }, Buffer.alloc(0)), /signature/i);
      expect((await h.raw('GET', '/v1/me', headers, Buffer.alloc(0))).status).toBe(200);
    });
  });

  describe('tampering after signing', () => {
    it('a changed body → 401, no deployment is created', async () => {
      const signedBody = Buffer.from(JSON.stringify({ templateId: 3, name: 'signed-name', ttlHours: 1 }));
      const sentBody = Buffer.from(JSON.stringify({ templateId: 3, name: 'tampered-name', ttlHours: 1 }));
      const headers = { ...signedHeaders(alice, 'POST', '/v1/deployments', signedBody, ts), 'Content-Type': 'application/json' };
      await expectRejected(() => h.raw('POST', '/v1/deployments', headers, sentBody), /signature/i);
    });

    it('one extra byte of whitespace in the body → 401', async () => {
      const signedBody = Buffer.from('{"globalRamLimitMb":1}');
      const headers = { ...signedHeaders(admin, 'PUT', '/v1/settings', signedBody, ts), 'Content-Type': 'application/json' };
      await expectRejected(() => h.raw('PUT', '/v1/settings', headers, Buffer.from('{"globalRamLimitMb":1} ')), /signature/i);
    });

    it('a body added to a request signed without one → 401', async () => {
      const headers = { ...signedHeaders(alice, 'POST', `/v1/deployments/${deploymentId}/stop`, Buffer.alloc(0), ts), 'Content-Type': 'application/json' };
      await expectRejected(() => h.raw('POST', `/v1/deployments/${deploymentId}/stop`, headers, Buffer.from('{}')), /signature/i);
    });

    it('a body removed from a signed request → 401', async () => {
      const body = Buffer.from(JSON.stringify({ globalRamLimitMb: 2 }));
      const headers = signedHeaders(admin, 'PUT', '/v1/settings', body, ts);
      await expectRejected(() => h.raw('PUT', '/v1/settings', headers, Buffer.alloc(0)), /signature/i);
    });

    it('the actor header re-encoded for another actor → 401 (no privilege escalation)', async () => {
      const body = Buffer.from(JSON.stringify({ globalRamLimitMb: 3 }));
      const headers: Record<string, string> = { ...signedHeaders(alice, 'PUT', '/v1/settings', body, ts), 'Content-Type': 'application/json' };
      headers['X-SPP-Actor'] = encodeActor(admin);
      await expectRejected(() => h.raw('PUT', '/v1/settings', headers, body), /signature/i);
    });

    it('the actor header swapped for the system actor → 401', async () => {
      const body = Buffer.from(JSON.stringify({ login: 'eve', email: 'eve@example.com', name: 'Eve' }));
      const headers: Record<string, string> = { ...signedHeaders(alice, 'PUT', '/v1/directory/users/66', body, ts), 'Content-Type': 'application/json' };
      headers['X-SPP-Actor'] = encodeActor(SYSTEM);
      await expectRejected(() => h.raw('PUT', '/v1/directory/users/66', headers, body), /signature/i);
    });

    it('the same actor JSON re-serialised with other bytes (a space) → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts);
      headers['X-SPP-Actor'] = Buffer.from(JSON.stringify(alice, null, 1), 'utf8').toString('base64url');
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /signature/i);
    });

    it.each([
      ['another route', '/v1/me', '/v1/quota'],
      ['another deployment id', '/v1/deployments/999999', () => `/v1/deployments/${deploymentId}`],
      ['a trailing slash', '/v1/me', '/v1/me/'],
      ['other letter case', '/v1/me', '/V1/me'],
      // the first digit of the id written as %3X: the same resource, other bytes
      ['a percent-encoded path', () => `/v1/deployments/${deploymentId}`, () => `/v1/deployments/%3${String(deploymentId)[0]}${String(deploymentId).slice(1)}`],
      ['a query added', '/v1/deployments', '/v1/deployments?status=RUNNING'],
      ['the query removed', '/v1/deployments?status=RUNNING', '/v1/deployments'],
      ['a query value changed', '/v1/deployments?status=RUNNING', '/v1/deployments?status=STOPPED'],
      ['a query pair added', '/v1/deployments?status=RUNNING', '/v1/deployments?status=RUNNING&search=x'],
      ['a repeated query key added', '/v1/deployments?status=RUNNING', '/v1/deployments?status=RUNNING&status=STOPPED'],
      ['a query key renamed', '/v1/deployments?page=1', '/v1/deployments?per_page=1'],
      ['an ignored WordPress parameter added', '/v1/deployments', '/v1/deployments?_locale=user'],
    ] as Array<[string, string | (() => string), string | (() => string)]>)('the target changed: %s → 401', async (_title, signedTarget, sentTarget) => {
      const signedAt = typeof signedTarget === 'function' ? signedTarget() : signedTarget;
      const sentTo = typeof sentTarget === 'function' ? sentTarget() : sentTarget;
      expect(sentTo).not.toBe(signedAt);
      const headers = signedHeaders(alice, 'GET', signedAt, Buffer.alloc(0), ts);
      await expectRejected(() => h.raw('GET', sentTo, headers, Buffer.alloc(0)), /signature/i);
    });

    it('the method changed (signed GET sent as DELETE) → 401, the deployment survives', async () => {
      const target = `/v1/deployments/${deploymentId}`;
      const headers = signedHeaders(alice, 'GET', target, Buffer.alloc(0), ts);
      await expectRejected(() => h.raw('DELETE', target, headers, Buffer.alloc(0)), /signature/i);
      const still = await h.call(alice, 'GET', target);
      expect(still.status).toBe(200);
      expect(still.body.status).not.toMatch(/DELET/);
    });

    it('the timestamp changed after signing (to stay fresh) → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts - 30);
      headers['X-SPP-Timestamp'] = String(ts);
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /signature/i);
    });

    it('the nonce changed after signing (to dodge the replay check) → 401', async () => {
      const headers = signedHeaders(alice, 'GET', '/v1/me', Buffer.alloc(0), ts);
      headers['X-SPP-Nonce'] = randomBytes(16).toString('hex');
      await expectRejected(() => h.raw('GET', '/v1/me', headers, Buffer.alloc(0)), /signature/i);
    });
  });

  describe('GET /healthz', () => {
    it('needs no signature and says only ok and the version', async () => {
      const before = snapshot(h);
      const res = await h.raw('GET', '/healthz', {}, Buffer.alloc(0));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, version: VERSION });
      expect(typeof res.body.version).toBe('string');
      expect(snapshot(h)).toEqual(before);
    });

    it('ignores whatever SPP headers come along, even broken ones', async () => {
      const res = await h.raw('GET', '/healthz', { 'X-SPP-Signature': 'garbage', 'X-SPP-Key-Id': 'nope' }, Buffer.alloc(0));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, version: VERSION });
    });

    it('/v1/healthz is not an unsigned route', async () => {
      await expectRejected(() => h.raw('GET', '/v1/healthz', {}, Buffer.alloc(0)));
    });
  });
});

describe('key rotation (verifyRequest with a two-key ring)', () => {
  const OLD_HEX = KEY_HEX;
  const NEW_HEX = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff';
  const NOW_MS = Date.parse('2026-11-23T08:00:00Z');
  const TS = Math.floor(NOW_MS / 1000);
  const actor = { id: 7, login: 'alice', email: 'alice@example.com', name: 'Alice Support', caps: [] as string[] };
  let guard: ReplayGuard;

  beforeEach(() => {
    guard = new ReplayGuard(new Database(':memory:'));
  });
  afterEach(() => guard.close());

  function request(method: string, target: string, headers: Record<string, string>, body = Buffer.alloc(0)): IncomingSigned {
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method, ...split(target), body, header: (n) => lower.get(n.toLowerCase()) };
  }

  it('accepts both k2 (new) and k1 (old) while both are listed', () => {
    const ring = parseKeyring(`k2:${NEW_HEX},k1:${OLD_HEX}`);
    const body = Buffer.from('{"ttlHours":4}');
    for (const [keyId, hex] of [
      ['k2', NEW_HEX],
      ['k1', OLD_HEX],
    ] as const) {
      const r = verifyRequest(request('POST', '/v1/deployments/5/prolong', signedHeaders(actor, 'POST', '/v1/deployments/5/prolong', body, TS, keyId, hex), body), ring, guard, NOW_MS);
      expect(r).toEqual({ ok: true, actor: expect.objectContaining({ id: 7, login: 'alice' }), keyId });
    }
  });

  it('checks each key id against its own key only', () => {
    const ring = parseKeyring(`k2:${NEW_HEX},k1:${OLD_HEX}`);
    const swapped = verifyRequest(request('GET', '/v1/me', signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k2', OLD_HEX)), ring, guard, NOW_MS);
    expect(swapped).toEqual({ ok: false, reason: expect.stringMatching(/signature/i) });
    const swappedBack = verifyRequest(request('GET', '/v1/me', signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k1', NEW_HEX)), ring, guard, NOW_MS);
    expect(swappedBack).toEqual({ ok: false, reason: expect.stringMatching(/signature/i) });
  });

  it('refuses k1 once the rotation is finished and only k2 is listed', () => {
    const ring = parseKeyring(`k2:${NEW_HEX}`);
    const old = verifyRequest(request('GET', '/v1/me', signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k1', OLD_HEX)), ring, guard, NOW_MS);
    expect(old).toEqual({ ok: false, reason: expect.stringMatching(/key id/i) });
    const fresh = verifyRequest(request('GET', '/v1/me', signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k2', NEW_HEX)), ring, guard, NOW_MS);
    expect(fresh.ok).toBe(true);
  });

  it('refuses a key id not in the ring', () => {
    const ring = parseKeyring(`k2:${NEW_HEX},k1:${OLD_HEX}`);
    const r = verifyRequest(request('GET', '/v1/me', signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k3', NEW_HEX)), ring, guard, NOW_MS);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/key id/i) });
  });

  it('a nonce used under k1 cannot be replayed under k2', () => {
    const ring = parseKeyring(`k2:${NEW_HEX},k1:${OLD_HEX}`);
    const first = signedHeaders(actor, 'GET', '/v1/me', Buffer.alloc(0), TS, 'k1', OLD_HEX);
    expect(verifyRequest(request('GET', '/v1/me', first), ring, guard, NOW_MS).ok).toBe(true);
    // the same nonce, honestly signed with k2
    const nonce = first['X-SPP-Nonce'] as string;
    const actorHeader = first['X-SPP-Actor'] as string;
    const second = {
      ...first,
      'X-SPP-Key-Id': 'k2',
      'X-SPP-Signature': signature(Buffer.from(NEW_HEX, 'hex'), { keyId: 'k2', timestamp: String(TS), nonce, method: 'GET', path: '/v1/me', query: '', actorHeader, body: Buffer.alloc(0) }),
    };
    expect(verifyRequest(request('GET', '/v1/me', second), ring, guard, NOW_MS)).toEqual({ ok: false, reason: expect.stringMatching(/nonce|replay/i), claimedActor: expect.objectContaining({ id: 7 }) });
  });

  it.each([
    ['a duplicate key id', `k1:${OLD_HEX},k1:${NEW_HEX}`],
    ['a short key', 'k1:abcd'],
    ['a key that is not hex', `k1:${'z'.repeat(64)}`],
    ['no key id', OLD_HEX],
    ['a bad key id', `k 1:${OLD_HEX}`],
    ['nothing', ' , '],
  ])('parseKeyring refuses %s', (_title, spec) => {
    expect(() => parseKeyring(spec)).toThrow();
  });

  it('parseKeyring error messages never contain the key material', () => {
    for (const spec of [`k1:${OLD_HEX},k1:${NEW_HEX}`, `k 1:${OLD_HEX}`, `${OLD_HEX}`, `k1:${OLD_HEX.slice(0, 60)}`]) {
      let message = '';
      try {
        parseKeyring(spec);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(OLD_HEX.slice(0, 16));
      expect(message).not.toContain(NEW_HEX.slice(0, 16));
    }
  });
});
