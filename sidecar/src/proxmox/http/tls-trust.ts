/**
 * How the sidecar decides to trust a Proxmox server. There is deliberately no "skip verification":
 *  - a pinned SHA-256 fingerprint trusts exactly that certificate (Proxmox's default one is self-signed,
 *    so its chain cannot verify; the pin replaces the chain check, never weakens it to nothing);
 *  - an admin-supplied CA bundle is trusted in addition to the system's;
 *  - otherwise the system trust store (Debian's bundle where present) and Node's own roots.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { ProxmoxError } from '../client';

export interface TlsTrust {
  /** PEM of one or more CA certificates; '' for none. */
  caPem: string;
  /** `AB:CD:…` (64 hex digits, separators optional); '' for none. */
  fingerprintSha256: string;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

let systemBundle: string[] | null = null;
/** The operating system's CA bundle (what "the system trust store" means to an admin), read once. */
function systemRoots(): string[] {
  if (systemBundle) return systemBundle;
  const found: string[] = [];
  for (const file of SYSTEM_BUNDLES) {
    try {
      found.push(readFileSync(file, 'utf8'));
      break;
    } catch {
      // not on this system; try the next usual place
    }
  }
  systemBundle = [...rootCertificates, ...found];
  return systemBundle;
}

/** `ab:cd…` or `abcd…` → `AB:CD:…`; null when it is not 32 bytes of hex. */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)?.join(':') ?? null;
}

export class TlsPinMismatch extends Error {
  constructor(readonly presented: string) {
    super(`the server's certificate (SHA-256 ${presented}) does not match the pinned fingerprint`);
  }
}

/** An undici connector that applies the trust rules above to every TLS connection. */
export function trustingConnector(trust: TlsTrust, timeoutMs: number): buildConnector.connector {
  const pin = trust.fingerprintSha256.trim() === '' ? null : normaliseFingerprint(trust.fingerprintSha256);
  if (trust.fingerprintSha256.trim() !== '' && pin === null) {
    throw new ProxmoxError('not_configured', 'The pinned certificate fingerprint is not a SHA-256 fingerprint', 'Enter 64 hex digits, e.g. AB:CD:…, as Proxmox shows under Certificates.');
  }
  if (pin) {
    // The chain of a self-signed certificate cannot verify; the pin is checked on the socket instead.
    const connect = buildConnector({ rejectUnauthorized: false, timeout: timeoutMs });
    return (options, callback) => {
      connect(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        const presented = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '';
        if (presented.toUpperCase() !== pin) {
          socket.destroy();
          return callback(new TlsPinMismatch(presented || 'none'), null);
        }
        callback(null, socket);
      });
    };
  }
  const ca = trust.caPem.trim() === '' ? systemRoots() : [...systemRoots(), trust.caPem];
  // Parsing a few hundred CA certificates costs tens of milliseconds: once per client, not per connection.
  const secureContext = createSecureContext({ ca });
  return buildConnector({ secureContext, rejectUnauthorized: true, timeout: timeoutMs });
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Whether a connection error is a trust failure (the admin fixes settings, not the network). */
export function isTlsTrustError(err: unknown): err is Error & { code?: string } {
  if (err instanceof TlsPinMismatch) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TLS_CODES.has(code);
}
