/**
 * The audit log stays bounded under floods (issue 9, item 4): every field has a length limit, repeated
 * refusals of one kind are a row and a count per window (401s from one peer included), memory for the
 * counts is bounded, the chain still verifies, and the CSV export is sent in chunks.
 */
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Response } from 'express';
import { sendChunks } from '../../src/http/stream';
import { Harness, TestUser, signedHeaders } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { AUDIT_FIELD_LIMITS, REFUSAL_KEYS_MAX, REFUSAL_WINDOW_MS } from '../../src/audit/audit-log';
import { verifyAuditChain } from '../../src/audit/audit-verify';
import { CSV_CHUNK_ROWS } from '../../src/domain/audit-query';

let h: Harness;
let admin: TestUser;
let subscriber: TestUser;
beforeEach(async () => {
  h = await Harness.start({ rateLimits: { share: { burst: 1, perMinute: 0.5 } } }); // a token every two minutes
  admin = h.user(1, 'admin', ALL_RIGHTS);
  subscriber = h.user(9, 'sub', []);
  h.user(10, 'dana', ['portal.view']);
});
afterEach(() => h.stop());

const unsigned = (path = '/v1/me', userAgent = 'curl/8') => h.raw('GET', path, { 'User-Agent': userAgent }, Buffer.alloc(0));

describe('floods: one row and a count per kind and window', () => {
  const FLOODS: Array<{ kind: string; status: number; action: string; send: () => Promise<unknown> }> = [
    { kind: 'unsigned requests from one peer', status: 401, action: 'auth.reject', send: () => unsigned() },
    { kind: "a subscriber's 403s", status: 403, action: 'deployment.list', send: () => h.call(subscriber, 'GET', '/v1/deployments') },
    { kind: '409s on one deployment', status: 409, action: 'deployment.stop', send: () => h.call(admin, 'POST', '/v1/deployments/1/stop') },
    { kind: '429s past the rate limit', status: 429, action: 'share.add', send: () => h.call(admin, 'POST', '/v1/deployments/1/shares', { user: 'dana' }) },
  ];

  test.each(FLOODS)('$kind', async ({ status, action, send }) => {
    const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name: 'flooded', ttlHours: 2 });
    await h.idle();
    expect(c.body.id).toBe(1);
    if (status === 429) expect(await send()).toMatchObject({ status: 201 }); // takes the one token
    const kindRows = () => h.auditRows().filter((r) => r.action === action && r.status === status);

    for (let i = 0; i < 200; i++) await send();
    expect(kindRows()).toHaveLength(1); // the first at once; the rest are counted
    h.advance(REFUSAL_WINDOW_MS);
    await send(); // the window has passed: its count is written, and this one starts the next
    expect(kindRows()).toHaveLength(3);
    expect(JSON.parse(kindRows()[1]!.details)).toMatchObject({ repeated: 199, from: expect.any(String), to: expect.any(String) });
    for (let i = 0; i < 10; i++) await send();
    h.flushRefusals();
    expect(Harness.refusalsIn(kindRows())).toBe(211);
    expect(kindRows()).toHaveLength(4);
    expect(verifyAuditChain(h.portal.db)).toMatchObject({ ok: true });
  });

  test("unsigned requests from one peer are one kind, whatever their reason says (a skew that changes each time)", async () => {
    for (let i = 0; i < 50; i++) {
      const headers = signedHeaders(subscriber, 'GET', '/v1/me', Buffer.alloc(0), Math.floor(h.now / 1000) + 1_000 + i);
      expect((await h.raw('GET', '/v1/me', headers, Buffer.alloc(0))).status).toBe(401);
    }
    h.flushRefusals();
    const rejects = h.auditRows().filter((r) => r.action === 'auth.reject');
    expect(rejects).toHaveLength(2);
    expect(Harness.refusalsIn(rejects)).toBe(50);
  });

  test('distinct kinds are counted apart, and a walk over ids names what was tried', async () => {
    for (let i = 0; i < 30; i++) await h.call(subscriber, 'GET', `/v1/deployments/${100 + i}`);
    await h.call(subscriber, 'GET', '/v1/templates');
    h.flushRefusals();
    const reads = h.auditRows().filter((r) => r.action === 'deployment.read');
    expect(Harness.refusalsIn(reads)).toBe(30);
    expect(reads).toHaveLength(2);
    expect(JSON.parse(reads[1]!.details).targets).toHaveLength(20); // as many as a row holds
    expect(h.auditRows().filter((r) => r.action === 'template.catalog' && r.status === 403)).toHaveLength(1);
  });

  test('the counts held in memory are bounded: past the limit every count is written out', () => {
    const audit = h.portal.audit;
    const before = h.auditRows().length;
    for (let id = 1; id <= REFUSAL_KEYS_MAX; id++) {
      const entry = { actor: null, ip: `10.0.${id >> 8}.${id & 255}`, action: 'auth.reject', result: 'refused' as const, status: 401, details: { reason: 'x' } };
      audit.refusal(entry);
      audit.refusal(entry);
    }
    expect(h.auditRows().length - before).toBe(REFUSAL_KEYS_MAX); // the firsts
    audit.refusal({ actor: null, ip: '192.0.2.1', action: 'auth.reject', result: 'refused', status: 401, details: { reason: 'x' } });
    expect(h.auditRows().length - before).toBe(2 * REFUSAL_KEYS_MAX + 1); // every count, then the new first
    h.flushRefusals();
    expect(h.auditRows().length - before).toBe(2 * REFUSAL_KEYS_MAX + 1); // nothing was left over
  });
});

describe('bounded fields', () => {
  test('a 6 KB user agent and a 6 KB path are cut, and the details stay JSON', async () => {
    const long = 'A'.repeat(6_000);
    await unsigned(`/v1/${'p'.repeat(6_000)}`, long);
    const row = h.auditRows().at(-1)!;
    expect(row.action).toBe('auth.reject');
    const stored = h.portal.db.prepare('SELECT user_agent, details FROM audit_log WHERE id = ?').get(row.id) as { user_agent: string; details: string };
    expect(stored.user_agent.length).toBe(AUDIT_FIELD_LIMITS.userAgent);
    expect(stored.user_agent.endsWith('…')).toBe(true);
    expect(stored.details.length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.details);
    expect(JSON.parse(stored.details)).toMatchObject({ truncated: true, length: expect.any(Number) });
  });

  test("a signed actor's user agent is cut to the same length", async () => {
    await h.call({ ...subscriber, userAgent: 'U'.repeat(512) } as TestUser, 'GET', '/v1/templates');
    const stored = h.portal.db.prepare('SELECT user_agent FROM audit_log ORDER BY id DESC LIMIT 1').get() as { user_agent: string };
    expect(stored.user_agent.length).toBe(AUDIT_FIELD_LIMITS.userAgent);
  });
});

describe('the CSV export', () => {
  function seed(n: number): void {
    for (let i = 0; i < n; i++) h.portal.audit.record({ actor: null, action: 'seed.row', result: 'ok', status: 200, details: { i, text: 'x'.repeat(200) } });
  }

  test(`every row, in order, across chunks of ${CSV_CHUNK_ROWS}`, async () => {
    seed(3 * CSV_CHUNK_ROWS + 7);
    const res = await h.call(admin, 'GET', '/v1/audit?format=csv&action=seed.row');
    expect(res.status).toBe(200);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3 * CSV_CHUNK_ROWS + 7 + 1);
    const ids = lines.slice(1).map((l) => Number(l.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a client that stops reading, then goes, costs one chunk; the next export is whole', async () => {
    seed(4_000); // about 1 MB of CSV, more than the socket buffers hold
    const target = '/v1/audit?format=csv&action=seed.row';
    const headers = signedHeaders(admin, 'GET', target, Buffer.alloc(0), Math.floor(h.now / 1000));
    const url = new URL(h.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: target, headers }, (res) => {
        expect(res.statusCode).toBe(200);
        res.pause(); // a stalled client: the server waits for 'drain' instead of buffering the rest
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
      req.on('error', (e) => (e.message.includes('socket hang up') || e.message.includes('aborted') ? resolve() : reject(e)));
      req.end();
    });
    const again = await h.call(admin, 'GET', target);
    expect(again.status).toBe(200);
    expect(again.text.trimEnd().split('\r\n')).toHaveLength(4_001);
  });
});

describe('sendChunks: the pace of the client', () => {
  function chunks(n: number): { it: Iterator<string>; pulled: () => number } {
    let pulled = 0;
    const it: Iterator<string> = { next: () => (pulled < n ? { done: false, value: `chunk ${++pulled}\n`.padEnd(100, '.') } : { done: true, value: undefined }) };
    return { it, pulled: () => pulled };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  test('a client that does not read is sent no more than the buffer holds; reading on sends the rest', async () => {
    const out = new PassThrough({ highWaterMark: 150 });
    const { it, pulled } = chunks(100);
    const done = sendChunks(out as unknown as Response, ['head\n'], it);
    for (let i = 0; i < 5; i++) await tick();
    expect(pulled()).toBeLessThan(5); // what the stream's two buffers of 150 bytes hold, of 100
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    await done;
    expect(pulled()).toBe(100);
    expect(text.match(/chunk \d+/g)).toHaveLength(100);
  });

  test('a client that goes while the buffer is full ends the sending', async () => {
    const out = new PassThrough({ highWaterMark: 150 });
    const { it, pulled } = chunks(100);
    const done = sendChunks(out as unknown as Response, [], it);
    await tick();
    out.destroy();
    await done;
    expect(pulled()).toBeLessThan(5); // what the stream's two buffers of 150 bytes hold, of 100
  });
});
