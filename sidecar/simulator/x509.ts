/**
 * A small X.509 writer (DER by hand, signatures by node:crypto) so the simulator can mint its own CA and a
 * server certificate without native dependencies or an `openssl` binary. Keys are ECDSA P-256: generated in
 * well under a millisecond, accepted by OpenSSL/Node/undici like Proxmox's RSA certificates.
 *
 * The shape mirrors what Proxmox VE generates: a cluster CA ("Proxmox Virtual Environment", O "PVE Cluster
 * Manager CA") and a node certificate signed by it (O "PVE Cluster Node") with the node's names and IPs as SANs.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const ctx = (n: number, content: Buffer, constructed = true): Buffer => tlv((constructed ? 0xa0 : 0x80) | n, content);

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] ?? 0) & 0x80) === 0) b = b.subarray(1);
  if (((b[0] ?? 0) & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const first = parts[0] ?? 0;
  const second = parts[1] ?? 0;
  const out: number[] = [first * 40 + second];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  cn: '2.5.4.3',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function name(attrs: Array<[string, string]>): Buffer {
  return seq(...attrs.map(([o, v]) => set(seq(oid(o), utf8(v)))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 method 1: SHA-1 over the subjectPublicKey BIT STRING contents. */
function keyId(spki: Buffer): Buffer {
  // For P-256 SPKI the key bits are the last 65 bytes (uncompressed point).
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

interface CertSpec {
  subject: Array<[string, string]>;
  issuer: Array<[string, string]>;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKeyId: Buffer;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  altNames?: string[];
}

function buildCert(spec: CertSpec): string {
  const spki = spkiDer(spec.publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f | 0x10;
  const sigAlg = seq(oid(OID.ecdsaSha256));
  const exts: Buffer[] = [];
  if (spec.ca) {
    exts.push(extension(OID.basicConstraints, true, seq(bool(true))));
    // keyCertSign (bit 5) + cRLSign (bit 6): 0b00000110, one unused bit
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)));
  } else {
    exts.push(extension(OID.basicConstraints, true, seq()));
    // digitalSignature (bit 0) + keyAgreement (bit 4): 0b10001000, three unused bits
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x88]), 3)));
    exts.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))));
    const names = (spec.altNames ?? []).map((n) => {
      const family = isIP(n);
      if (family === 4) return ctx(7, Buffer.from(n.split('.').map(Number)), false);
      if (family === 6) return ctx(7, ipv6Bytes(n), false);
      return ctx(2, Buffer.from(n, 'ascii'), false);
    });
    if (names.length > 0) exts.push(extension(OID.subjectAltName, false, seq(...names)));
  }
  exts.push(extension(OID.subjectKeyId, false, octets(keyId(spki))));
  exts.push(extension(OID.authorityKeyId, false, seq(ctx(0, spec.issuerKeyId, false))));
  const tbs = seq(
    ctx(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    sigAlg,
    name(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spki,
    ctx(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, spec.signingKey); // DER-encoded ECDSA signature
  const der = seq(tbs, sigAlg, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
}

export interface TlsMaterial {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

const DAY = 86_400_000;

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

function pemKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A fresh CA (10 years) that can sign server certificates. */
export function createCa(): { caPem: string; caKeyPem: string } {
  const { privateKey, publicKey } = newKey();
  const subject: Array<[string, string]> = [
    [OID.cn, 'Proxmox Virtual Environment'],
    [OID.ou, randomBytes(16).toString('hex').replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5')],
    [OID.o, 'PVE Cluster Manager CA'],
  ];
  const now = Date.now();
  const caPem = buildCert({
    subject,
    issuer: subject,
    publicKey,
    signingKey: privateKey,
    issuerKeyId: keyId(spkiDer(publicKey)),
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    ca: true,
  });
  return { caPem, caKeyPem: pemKey(privateKey) };
}

/** A node certificate (2 years, like pvecm's) for the given names/IPs, signed by the CA. */
export function createServerCert(ca: { caPem: string; caKeyPem: string }, node: string, altNames: string[]): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = newKey();
  const caCert = new X509Certificate(ca.caPem);
  const caKey = createPrivateKey(ca.caKeyPem);
  const issuer = parseSubject(caCert.subject);
  const now = Date.now();
  const certPem = buildCert({
    subject: [
      [OID.ou, 'PVE Cluster Node'],
      [OID.o, 'Proxmox Virtual Environment'],
      [OID.cn, `${node}.local`],
    ],
    issuer,
    publicKey,
    signingKey: caKey,
    issuerKeyId: keyId(spkiDer(caCert.publicKey)),
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 730 * DAY),
    ca: false,
    altNames: [...new Set(altNames)],
  });
  return { certPem, keyPem: pemKey(privateKey) };
}

/** X509Certificate.subject ("CN=..\nOU=..\nO=..") back to attribute pairs in the original order. */
function parseSubject(subject: string): Array<[string, string]> {
  const map: Record<string, string> = { CN: OID.cn, O: OID.o, OU: OID.ou };
  return subject
    .split('\n')
    .map((line) => {
      const i = line.indexOf('=');
      return [map[line.slice(0, i)] ?? OID.cn, line.slice(i + 1)] as [string, string];
    });
}

export function createTls(node: string, altNames: string[]): TlsMaterial {
  const ca = createCa();
  return { ...ca, ...createServerCert(ca, node, altNames) };
}

/** `AB:CD:...` (uppercase, colon separated) SHA-256 of the certificate's DER, as Proxmox shows fingerprints. */
export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/**
 * Reuses ca.pem/ca-key.pem/server.pem/server-key.pem from `dir` when present and valid for the names,
 * otherwise creates what is missing (the CA is kept when only the server certificate has to be renewed).
 */
export function loadOrCreateTls(dir: string, node: string, altNames: string[]): TlsMaterial {
  mkdirSync(dir, { recursive: true });
  const file = (n: string): string => join(dir, n);
  let ca: { caPem: string; caKeyPem: string } | null = null;
  if (existsSync(file('ca.pem')) && existsSync(file('ca-key.pem'))) {
    const caPem = readFileSync(file('ca.pem'), 'utf8');
    const caKeyPem = readFileSync(file('ca-key.pem'), 'utf8');
    if (new Date(new X509Certificate(caPem).validTo).getTime() > Date.now() + DAY) ca = { caPem, caKeyPem };
  }
  let renewServer = ca === null;
  if (!ca) {
    ca = createCa();
    writeFileSync(file('ca.pem'), ca.caPem);
    writeFileSync(file('ca-key.pem'), ca.caKeyPem, { mode: 0o600 });
  }
  let server: { certPem: string; keyPem: string } | null = null;
  if (!renewServer && existsSync(file('server.pem')) && existsSync(file('server-key.pem'))) {
    const certPem = readFileSync(file('server.pem'), 'utf8');
    const keyPem = readFileSync(file('server-key.pem'), 'utf8');
    const cert = new X509Certificate(certPem);
    const fresh = new Date(cert.validTo).getTime() > Date.now() + DAY;
    const signed = cert.verify(new X509Certificate(ca.caPem).publicKey);
    const covers = altNames.every((n) => isIP(n) === 6 || (cert.subjectAltName ?? "").includes(isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
    if (fresh && signed && covers) server = { certPem, keyPem };
  }
  renewServer = server === null;
  if (!server) {
    server = createServerCert(ca, node, altNames);
    writeFileSync(file('server.pem'), server.certPem);
    writeFileSync(file('server-key.pem'), server.keyPem, { mode: 0o600 });
  }
  return { ...ca, ...server };
}
