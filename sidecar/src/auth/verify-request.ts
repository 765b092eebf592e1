/**
 * SPP1 verification, in the protocol's order: headers well formed → key known → fresh timestamp →
 * body hash and signature → nonce unseen. The nonce is stored only after the signature passed.
 */
import { timingSafeEqual } from 'node:crypto';
import { signature } from './canonical';
import { Keyring, KEY_ID_PATTERN } from './keyring';
import { Actor, parseActor } from './actor';
import { ReplayGuard } from './replay-guard';

export const MAX_CLOCK_SKEW_SECONDS = 120;

export interface IncomingSigned {
  method: string;
  path: string;
  query: string;
  body: Buffer;
  header(name: string): string | undefined;
}

export type Verification = { ok: true; actor: Actor; keyId: string } | { ok: false; reason: string; claimedActor?: Actor | null };

const WELL_FORMED: Record<string, RegExp> = {
  'x-spp-key-id': KEY_ID_PATTERN,
  'x-spp-timestamp': /^[0-9]{1,12}$/,
  'x-spp-nonce': /^[0-9a-f]{32}$/,
  'x-spp-actor': /^[A-Za-z0-9_-]{1,8192}$/,
  'x-spp-signature': /^v1=[0-9a-f]{64}$/,
};

export function verifyRequest(req: IncomingSigned, keyring: Keyring, replay: ReplayGuard, nowMs: number): Verification {
  for (const [name, pattern] of Object.entries(WELL_FORMED)) {
    const value = req.header(name);
    if (value === undefined) return { ok: false, reason: `The ${name} header is missing.` };
    if (!pattern.test(value)) return { ok: false, reason: `The ${name} header is malformed.` };
  }
  const keyId = req.header('x-spp-key-id') as string;
  const timestamp = req.header('x-spp-timestamp') as string;
  const nonce = req.header('x-spp-nonce') as string;
  const actorHeader = req.header('x-spp-actor') as string;
  const given = req.header('x-spp-signature') as string;

  const key = keyring.get(keyId);
  if (!key) return { ok: false, reason: `Unknown key id '${keyId}'.` };

  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (!(skew <= MAX_CLOCK_SKEW_SECONDS)) {
    return { ok: false, reason: `The timestamp is ${Math.round(skew)} s away from the sidecar's clock (at most ${MAX_CLOCK_SKEW_SECONDS} s allowed).` };
  }

  const expected = signature(key, { keyId, timestamp, nonce, method: req.method, path: req.path, query: req.query, actorHeader, body: req.body });
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
    return { ok: false, reason: 'The signature does not match the request.' };
  }

  const actor = parseActor(actorHeader);
  if (!actor) return { ok: false, reason: 'The signed actor is not a valid actor object.' };

  const fresh = replay.remember(nonce, nowMs, Number(timestamp));
  if (fresh !== true) return { ok: false, reason: fresh, claimedActor: actor };

  return { ok: true, actor, keyId };
}
