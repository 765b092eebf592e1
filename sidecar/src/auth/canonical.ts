/** The SPP1 canonical string (sidecar-protocol.md), shared by the verifier, the CLI signer and the tests. */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const SCHEME = 'SPP1-HMAC-SHA256';

export interface SigningInput {
  keyId: string;
  timestamp: string;
  nonce: string;
  method: string;
  /** The path as sent, without the query. */
  path: string;
  /** The raw query string, without `?` (may be empty). */
  query: string;
  /** The X-SPP-Actor header value as sent. */
  actorHeader: string;
  body: Buffer;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986: unreserved characters stay, everything else is %XX upper case (encodeURIComponent leaves !'()* too). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes one query component the way the sidecar itself reads the query ('+' is a space). */
function decodeComponent(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // a malformed escape is signed as it stands; the route's validation refuses it later
  }
}

export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [rfc3986(decodeComponent(key)), rfc3986(decodeComponent(value))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function canonicalString(input: SigningInput): string {
  return [
    SCHEME,
    input.keyId,
    input.timestamp,
    input.nonce,
    input.method.toUpperCase(),
    input.path,
    canonicalQuery(input.query),
    sha256Hex(input.actorHeader),
    sha256Hex(input.body),
  ].join('\n');
}

export function signature(key: Buffer, input: SigningInput): string {
  return `v1=${createHmac('sha256', key).update(canonicalString(input)).digest('hex')}`;
}

/**
 * The five SPP1 headers for one request, as WordPress sends them: `target` is the path with its query as
 * sent, a fresh nonce, `timestamp` in unix seconds. Used by the signed-call CLI, the bench and the tests.
 */
export function signedRequestHeaders(
  key: { id: string; secret: Buffer },
  r: { method: string; target: string; actorHeader: string; body: Buffer; timestamp: number },
): Record<string, string> {
  const q = r.target.indexOf('?');
  const nonce = randomBytes(16).toString('hex');
  const timestamp = String(r.timestamp);
  const input: SigningInput = {
    keyId: key.id,
    timestamp,
    nonce,
    method: r.method,
    path: q === -1 ? r.target : r.target.slice(0, q),
    query: q === -1 ? '' : r.target.slice(q + 1),
    actorHeader: r.actorHeader,
    body: r.body,
  };
  return { 'X-SPP-Key-Id': key.id, 'X-SPP-Timestamp': timestamp, 'X-SPP-Nonce': nonce, 'X-SPP-Actor': r.actorHeader, 'X-SPP-Signature': signature(key.secret, input) };
}

export function encodeActor(actor: object): string {
  return Buffer.from(JSON.stringify(actor), 'utf8').toString('base64url');
}
