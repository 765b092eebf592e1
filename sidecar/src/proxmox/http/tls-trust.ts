/**
 * How the sidecar decides to trust a Proxmox server. There is deliberately no "skip verification":
 *  - a pinned SHA-256 fingerprint trusts exactly that certificate (Proxmox's default one is self-signed,
 *    so its chain cannot verify; the pin replaces the chain check, never weakens it to nothing);
 *  - an admin-supplied CA bundle is trusted in addition to the system's;
 *  - otherwise the system trust store (`SSL_CERT_FILE` where set, as OpenSSL reads it, else Debian's or
 *    Red Hat's bundle) and Node's own roots.
 *
 * TLS session resumption: Proxmox's pveproxy issues session tickets (OpenSSL's default), and on a resumed
 * session the server sends no certificate and Node skips its own identity check. With a CA or the system
 * store that is safe by construction: a session only exists after a handshake whose chain and host name
 * verified, and undici keys its cache by host. A pin has no chain to fall back on, and undici caches a
 * session before our check of the socket runs, so pinned connections never resume: each new connection
 * shows the certificate and is checked against the pin (a full handshake costs about a millisecond and
 * keep-alive makes new connections rare).
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

let systemBundle: { files: string; roots: string[] } | null = null;
/** The operating system's CA bundle (what "the system trust store" means to an admin), read once per location. */
function systemRoots(): string[] {
  const files = [process.env['SSL_CERT_FILE'] ?? '', ...SYSTEM_BUNDLES].filter((f) => f !== '');
  const key = files.join('\n');
  if (systemBundle?.files === key) return systemBundle.roots;
  const found: string[] = [];
  for (const file of files) {
    try {
      found.push(readFileSync(file, 'utf8'));
      break;
    } catch {
      // not on this system; try the next usual place
    }
  }
  systemBundle = { files: key, roots: [...rootCertificates, ...found] };
  return systemBundle.roots;
}

/** `ab:cd…` or `abcd…` → `AB:CD:…`; null when it is not 32 bytes of hex. */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)?.join(':') ?? null;
}

export class TlsPinMismatch extends Error {
  constructor(readonly presented: string) {
    super(presented === '' ? "the server showed no certificate to check against the pinned fingerprint" : `the server's certificate (SHA-256 ${presented}) does not match the pinned fingerprint`);
  }
}

/** An undici connector that applies the trust rules above to every TLS connection. */
export function trustingConnector(trust: TlsTrust, timeoutMs: number): buildConnector.connector {
  const pin = trust.fingerprintSha256.trim() === '' ? null : normaliseFingerprint(trust.fingerprintSha256);
  if (trust.fingerprintSha256.trim() !== '' && pin === null) {
    throw new ProxmoxError('not_configured', 'The pinned certificate fingerprint is not a SHA-256 fingerprint', 'Enter 64 hex digits, e.g. AB:CD:…, as Proxmox shows under Certificates.');
  }
  if (pin) {
    // The chain of a self-signed certificate cannot verify; the pin is checked on the socket instead, and
    // no session is ever resumed (see above), so every socket has a certificate to check.
    const connect = buildConnector({ rejectUnauthorized: false, timeout: timeoutMs, maxCachedSessions: 0 });
    return (options, callback) => {
      connect(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        const tls = socket as TLSSocket;
        // Fails closed should a session ever be resumed after all: no certificate is no match.
        const presented = tls.isSessionReused() ? '' : (tls.getPeerCertificate()?.fingerprint256 ?? '');
        if (presented === '' || presented.toUpperCase() !== pin) {
          socket.destroy();
          return callback(new TlsPinMismatch(presented), null);
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
