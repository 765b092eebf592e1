/**
 * The SPP1 test vectors of sidecar-protocol.md, copied here verbatim so that the TypeScript verifier is
 * pinned to the same bytes as the PHP signer. The spec is not read at run time on purpose.
 */
import Database from 'better-sqlite3';
import { canonicalQuery, canonicalString, encodeActor, rfc3986, sha256Hex, signature, SigningInput } from '../../src/auth/canonical';
import { parseKeyring } from '../../src/auth/keyring';
import { ReplayGuard } from '../../src/auth/replay-guard';
import { IncomingSigned, verifyRequest } from '../../src/auth/verify-request';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY = Buffer.from(KEY_HEX, 'hex');
/** 2026-01-01T00:00:00Z, the vectors' timestamp 1767225600 in ms. */
const NOW_MS = 1767225600000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface Vector {
  title: string;
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  keyId: string;
  timestamp: string;
  nonce: string;
  /** The actor JSON exactly as in the spec (compact, keys in the order shown). */
  actorJson: string;
  /** The body as text (UTF-8); '' = no body. */
  body: string;
  expectedActorHeader: string;
  expectedCanonicalQuery: string;
  expectedSignature: string;
}

const VECTORS: Vector[] = [
  {
    title: '1: GET with a query, no body',
    method: 'GET',
    target: '/v1/deployments?status=RUNNING&page=2',
    keyId: 'k1',
    timestamp: '1767225600',
    nonce: '00112233445566778899aabbccddeeff',
    actorJson: '{"id":7,"login":"alice","email":"alice@example.com","name":"Alice Support","caps":[]}',
    body: '',
    expectedActorHeader: 'eyJpZCI6NywibG9naW4iOiJhbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJuYW1lIjoiQWxpY2UgU3VwcG9ydCIsImNhcHMiOltdfQ',
    expectedCanonicalQuery: 'page=2&status=RUNNING',
    expectedSignature: 'v1=050e3a94967262db08b2ddecab24476ec82a4fc6b6750d7430f25f6cfa41d8ac',
  },
  {
    title: '2: POST with a JSON body',
    method: 'POST',
    target: '/v1/deployments',
    keyId: 'k1',
    timestamp: '1767225600',
    nonce: 'ffeeddccbbaa99887766554433221100',
    actorJson: '{"id":1,"login":"admin","email":"admin@example.com","name":"Site Admin","caps":["manage_options"]}',
    body: '{"templateId":3,"name":"repro-4711","ttlHours":8}',
    expectedActorHeader: 'eyJpZCI6MSwibG9naW4iOiJhZG1pbiIsImVtYWlsIjoiYWRtaW5AZXhhbXBsZS5jb20iLCJuYW1lIjoiU2l0ZSBBZG1pbiIsImNhcHMiOlsibWFuYWdlX29wdGlvbnMiXX0',
    expectedCanonicalQuery: '',
    expectedSignature: 'v1=1ca07fb1223f953cb32c209a4aa0c1cadafd4dd398e684d1eb7523be4ec02e5d',
  },
  {
    title: '3: PUT as the system actor, key k2, UTF-8 body',
    method: 'PUT',
    target: '/v1/directory/users/42',
    keyId: 'k2',
    timestamp: '1767225600',
    nonce: '0123456789abcdef0123456789abcdef',
    actorJson: '{"id":0,"system":true}',
    body: '{"login":"b\u00e9a","email":"bea@example.com","name":"B\u00e9a O\'Neil"}',
    expectedActorHeader: 'eyJpZCI6MCwic3lzdGVtIjp0cnVlfQ',
    expectedCanonicalQuery: '',
    expectedSignature: 'v1=27e7f1d66785926dab0f2e3147ce143802af443548d91b0f254a283c1e59a4a2',
  },
];

function split(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function signingInput(v: Vector): SigningInput {
  return { keyId: v.keyId, timestamp: v.timestamp, nonce: v.nonce, method: v.method, ...split(v.target), actorHeader: v.expectedActorHeader, body: Buffer.from(v.body, 'utf8') };
}

/** A request as the verifier sees it; header names are looked up case-insensitively, like Express's req.get. */
function incoming(method: string, target: string, headers: Record<string, string>, body: Buffer): IncomingSigned {
  const lower = new Map(Object.entries(headers).map(([k, val]) => [k.toLowerCase(), val]));
  return { method, ...split(target), body, header: (name) => lower.get(name.toLowerCase()) };
}

function vectorHeaders(v: Vector): Record<string, string> {
  return {
    'X-SPP-Key-Id': v.keyId,
    'X-SPP-Timestamp': v.timestamp,
    'X-SPP-Nonce': v.nonce,
    'X-SPP-Actor': v.expectedActorHeader,
    'X-SPP-Signature': v.expectedSignature,
  };
}

const freshGuard = () => new ReplayGuard(new Database(':memory:'));

describe('SPP1 test vectors', () => {
  const ring = parseKeyring(`k2:${KEY_HEX},k1:${KEY_HEX}`);

  describe.each(VECTORS)('vector $title', (v) => {
    it('encodes the actor header exactly', () => {
      expect(encodeActor(JSON.parse(v.actorJson) as object)).toBe(v.expectedActorHeader);
      // base64url without padding, and it decodes back to the very bytes of the spec's JSON
      expect(v.expectedActorHeader).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(v.expectedActorHeader, 'base64url').toString('utf8')).toBe(v.actorJson);
    });

    it('builds the canonical query line', () => {
      expect(canonicalQuery(split(v.target).query)).toBe(v.expectedCanonicalQuery);
    });

    it('builds the nine-line canonical string', () => {
      const lines = canonicalString(signingInput(v)).split('\n');
      expect(lines).toEqual([
        'SPP1-HMAC-SHA256',
        v.keyId,
        v.timestamp,
        v.nonce,
        v.method,
        split(v.target).path,
        v.expectedCanonicalQuery,
        sha256Hex(v.expectedActorHeader),
        v.body === '' ? EMPTY_SHA256 : sha256Hex(Buffer.from(v.body, 'utf8')),
      ]);
      expect(canonicalString(signingInput(v)).endsWith('\n')).toBe(false);
    });

    it('reproduces the signature', () => {
      expect(signature(KEY, signingInput(v))).toBe(v.expectedSignature);
    });

    it('is accepted by verifyRequest at the vector time, once', () => {
      const guard = freshGuard();
      try {
        const body = Buffer.from(v.body, 'utf8');
        const result = verifyRequest(incoming(v.method, v.target, vectorHeaders(v), body), ring, guard, NOW_MS);
        expect(result).toEqual({ ok: true, actor: expect.objectContaining(JSON.parse(v.actorJson)), keyId: v.keyId });
        // the same nonce again is a replay
        const again = verifyRequest(incoming(v.method, v.target, vectorHeaders(v), body), ring, guard, NOW_MS);
        expect(again.ok).toBe(false);
      } finally {
        guard.close();
      }
    });
  });

  it('vector 3 hashes the body as UTF-8 bytes, not as Latin-1 or UTF-16 code units', () => {
    const v = VECTORS[2] as Vector;
    const utf8 = Buffer.from(v.body, 'utf8');
    expect(utf8.length).toBe(v.body.length + 2); // two é, two bytes each
    const latin1 = { ...signingInput(v), body: Buffer.from(v.body, 'latin1') };
    expect(signature(KEY, latin1)).not.toBe(v.expectedSignature);
    const guard = freshGuard();
    try {
      const wrong = verifyRequest(incoming(v.method, v.target, vectorHeaders(v), Buffer.from(v.body, 'latin1')), ring, guard, NOW_MS);
      expect(wrong).toEqual({ ok: false, reason: expect.stringMatching(/signature/i) });
      // a failed signature does not burn the nonce: the genuine request still passes afterwards
      const right = verifyRequest(incoming(v.method, v.target, vectorHeaders(v), utf8), ring, guard, NOW_MS);
      expect(right.ok).toBe(true);
    } finally {
      guard.close();
    }
  });

  it('vector 1 signs the query as canonicalised: the same pairs in another order verify, another value does not', () => {
    const v = VECTORS[0] as Vector;
    const guard = freshGuard();
    try {
      const reordered = verifyRequest(incoming('GET', '/v1/deployments?page=2&status=RUNNING', vectorHeaders(v), Buffer.alloc(0)), ring, guard, NOW_MS);
      expect(reordered.ok).toBe(true);
      const changed = verifyRequest(incoming('GET', '/v1/deployments?page=3&status=RUNNING', { ...vectorHeaders(v), 'X-SPP-Nonce': 'aa'.repeat(16) }, Buffer.alloc(0)), ring, guard, NOW_MS);
      expect(changed.ok).toBe(false);
    } finally {
      guard.close();
    }
  });

  it('accepts a clock skew of exactly 120 s either way and refuses 121 s', () => {
    const v = VECTORS[1] as Vector;
    const body = Buffer.from(v.body, 'utf8');
    for (const [delta, ok] of [
      [120_000, true],
      [-120_000, true],
      [121_000, false],
      [-121_000, false],
    ] as const) {
      const guard = freshGuard();
      try {
        const r = verifyRequest(incoming(v.method, v.target, vectorHeaders(v), body), ring, guard, NOW_MS + delta);
        expect({ delta, ok: r.ok }).toEqual({ delta, ok });
      } finally {
        guard.close();
      }
    }
  });
});

describe('canonicalQuery', () => {
  it.each([
    ['empty query', '', ''],
    ['a lone separator', '&', ''],
    ['one pair', 'a=1', 'a=1'],
    ['sorted by key', 'b=2&a=1&c=3', 'a=1&b=2&c=3'],
    ['repeated keys sorted by value', 'tag=b&tag=a&tag=c', 'tag=a&tag=b&tag=c'],
    ['repeated keys, values compared after encoding', 'k=%7E&k=%21&k=Z', 'k=%21&k=Z&k=~'],
    ['key without "="', 'flag&a=1', 'a=1&flag='],
    ['empty value', 'a=&b=1', 'a=&b=1'],
    ['space written as %20', 'search=a%20b', 'search=a%20b'],
    ['space written as +', 'search=a+b', 'search=a%20b'],
    ['a literal plus is %2B and stays one', 'search=a%2Bb', 'search=a%2Bb'],
    ['lower-case escapes become upper case', 'q=%c3%a9', 'q=%C3%A9'],
    ['unreserved characters stay', 'q=AZaz09-_.~', 'q=AZaz09-_.~'],
    ['escaped unreserved characters are decoded', 'q=%41%7e', 'q=A~'],
    ["reserved !'()* encoded upper case", "q=!'()*", 'q=%21%27%28%29%2A'],
    ['other reserved characters', 'q=a/b:c@d,e;f$g', 'q=a%2Fb%3Ac%40d%2Ce%3Bf%24g'],
    ['non-ASCII as UTF-8 bytes', 'name=b\u00e9a', 'name=b%C3%A9a'],
    ['an "=" inside the value', 'a=b=c', 'a=b%3Dc'],
    ['keys are encoded too', 'a%20b=1', 'a%20b=1'],
    ['status and paging as WordPress sends them', 'status=RUNNING%2CSTOPPED&per_page=20&page=1', 'page=1&per_page=20&status=RUNNING%2CSTOPPED'],
  ])('%s: %p → %p', (_title, query, expected) => {
    expect(canonicalQuery(query)).toBe(expected);
  });

  it('rfc3986 leaves only the unreserved set unescaped, upper-case hex', () => {
    let all = '';
    for (let c = 0x20; c < 0x7f; c++) all += String.fromCharCode(c);
    const encoded = rfc3986(all);
    expect(encoded.replace(/%[0-9A-F]{2}/g, '')).toMatch(/^[A-Za-z0-9\-_.~]+$/);
    expect(encoded).not.toMatch(/%[0-9A-F]?[a-f]/);
    expect(encoded).toContain('%20');
  });
});
