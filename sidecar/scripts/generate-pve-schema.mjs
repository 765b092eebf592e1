#!/usr/bin/env node
// Generates the committed Proxmox VE API subset the simulator validates requests against
// (sidecar/simulator/schema/pve-<major.minor>.json) from Proxmox's own machine-readable schema
// (pve-docs `api-viewer/apidata.js`, turned into plain JSON: a tree of {path, info, children}).
//
//   node scripts/generate-pve-schema.mjs <apidata-9.1.3.json> [<apidata-8.4.0.json> ...] [--out DIR]
//
// The version comes from the file name (apidata-<x.y.z>.json) or `--version x.y.z` placed before the file.
// Only the endpoints in ENDPOINTS are kept; descriptions are shortened, `verbose_description` dropped,
// Perl regex patterns get a JavaScript translation (`jsPattern`), and indexed keys (`net[n]`) get their
// instance count (`x-instances`). The output is deterministic (no timestamps), so regenerating from the same
// source gives the same file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const sidecarDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The endpoints the portal's HTTP client uses (and the simulator implements), as `METHOD path`. */
export const ENDPOINTS = [
  'GET /version',
  'GET /nodes',
  'GET /nodes/{node}/status',
  'GET /nodes/{node}/qemu',
  'GET /nodes/{node}/qemu/{vmid}/config',
  'PUT /nodes/{node}/qemu/{vmid}/config',
  'POST /nodes/{node}/qemu/{vmid}/config',
  'POST /nodes/{node}/qemu/{vmid}/clone',
  'POST /nodes/{node}/qemu/{vmid}/status/start',
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
  'POST /nodes/{node}/qemu/{vmid}/status/stop',
  'GET /nodes/{node}/qemu/{vmid}/status/current',
  'DELETE /nodes/{node}/qemu/{vmid}',
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
  'GET /cluster/nextid',
  'GET /cluster/resources',
  'GET /nodes/{node}/tasks/{upid}/status',
  'GET /nodes/{node}/tasks/{upid}/log',
  'GET /access/permissions',
];

/**
 * How many instances an indexed config key has (qemu-server's MAX_* constants); the API viewer collapses
 * `net0`..`net31` into one `net[n]` entry and keeps the count only in some descriptions.
 */
const INSTANCES = {
  net: 32, ipconfig: 32, scsi: 31, virtio: 16, sata: 6, ide: 4, unused: 256, usb: 14, serial: 4,
  parallel: 3, hostpci: 16, numa: 8, virtiofs: 10,
};

const KEEP = new Set([
  'type', 'optional', 'format', 'pattern', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength',
  'default', 'default_key', 'alias', 'keyAlias', 'requires', 'description', 'typetext', 'format_description',
  'type-property', 'instance-types', 'oneOf', 'items', 'properties', 'additionalProperties', 'renderer',
]);

function shortDescription(text) {
  if (typeof text !== 'string') return undefined;
  const first = text.split('\n')[0].trim();
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

/** Perl regex (as Proxmox writes it into the schema) to a JavaScript source, or null when not translatable. */
export function perlToJs(pattern) {
  let p = String(pattern);
  let flags = '';
  if (/\(\?\^[a-z]*i[a-z]*:/.test(p)) flags = 'i';
  p = p.replace(/\(\?\^[a-z]*:/g, '(?:');
  p = p.replace(/\(\?>/g, '(?:'); // atomic group: same set of accepted strings
  p = p.replace(/\{,(\d+)\}/g, '{0,$1}');
  const posix = { alnum: 'a-zA-Z0-9', alpha: 'a-zA-Z', digit: '0-9', space: '\\s', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f', word: '\\w' };
  p = p.replace(/\[:([a-z]+):\]/g, (m, name) => posix[name] ?? m);
  p = p.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    new RegExp(`^(?:${p})$`, flags);
  } catch {
    return null;
  }
  return { source: p, flags };
}

function prune(schema, { keepDescription }) {
  if (Array.isArray(schema)) return schema.map((s) => prune(s, { keepDescription }));
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    if (!KEEP.has(key)) continue;
    const value = schema[key];
    if (key === 'description') {
      if (keepDescription) out.description = shortDescription(value);
    } else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = pruneProperties(value, { keepDescription });
    } else if (key === 'format' && value && typeof value === 'object') {
      out.format = pruneProperties(value, { keepDescription });
    } else if (key === 'items' || key === 'oneOf' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = prune(value, { keepDescription });
    } else if (key === 'pattern') {
      out.pattern = value;
      const js = perlToJs(value);
      if (js) out.jsPattern = js.flags ? { source: js.source, flags: js.flags } : js.source;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function pruneProperties(properties, opts) {
  const out = {};
  for (const name of Object.keys(properties).sort()) {
    const pruned = prune(properties[name], opts);
    const indexed = /^([a-z_-]+)\[n\]$/i.exec(name);
    if (indexed) {
      const prefix = indexed[1];
      const fromText = /\(n is 0 to (\d+)/.exec(properties[name].description ?? '');
      pruned['x-instances'] = INSTANCES[prefix] ?? (fromText ? Number(fromText[1]) + 1 : 1);
    }
    out[name] = pruned;
  }
  return out;
}

function findNode(nodes, path) {
  for (const node of nodes) {
    if (node.path === path) return node;
    if (node.children) {
      const hit = findNode(node.children, path);
      if (hit) return hit;
    }
  }
  return null;
}

function generate(apidata, sourceName, sourceSha256, fullVersion) {
  const endpoints = {};
  for (const entry of ENDPOINTS) {
    const [method, path] = entry.split(' ');
    const node = findNode(apidata, path);
    const info = node?.info?.[method];
    if (!info) throw new Error(`${sourceName}: ${entry} not found in the schema`);
    const parameters = info.parameters ?? { additionalProperties: 0 };
    endpoints[entry] = {
      method,
      path,
      name: info.name,
      ...(info.protected ? { protected: 1 } : {}),
      ...(info.proxyto ? { proxyto: info.proxyto } : {}),
      ...(info.allowtoken !== undefined ? { allowtoken: info.allowtoken } : {}),
      permissions: info.permissions ?? null,
      parameters: {
        additionalProperties: parameters.additionalProperties ?? 0,
        properties: pruneProperties(parameters.properties ?? {}, { keepDescription: true }),
      },
      returns: prune(info.returns ?? { type: 'null' }, { keepDescription: false }),
    };
  }
  const [major, minor] = fullVersion.split('.');
  return {
    $comment:
      'Generated by sidecar/scripts/generate-pve-schema.mjs from Proxmox VE\'s API schema (pve-docs api-viewer/apidata.js). Do not edit; regenerate.',
    generator: 'sidecar/scripts/generate-pve-schema.mjs',
    source: { file: sourceName, sha256: sourceSha256, pveVersion: fullVersion },
    release: `${major}.${minor}`,
    endpoints,
  };
}

function main(argv) {
  let outDir = join(sidecarDir, 'simulator', 'schema');
  let version = null;
  const jobs = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') outDir = argv[++i];
    else if (arg === '--version') version = argv[++i];
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: generate-pve-schema.mjs [--out DIR] [--version X.Y.Z] <apidata.json> ...');
      return 0;
    } else {
      const v = version ?? /apidata-(\d+\.\d+(?:\.\d+)?)\.json$/.exec(basename(arg))?.[1];
      if (!v) throw new Error(`${arg}: cannot tell the Proxmox version from the file name; pass --version X.Y.Z before it`);
      jobs.push({ file: arg, version: v });
      version = null;
    }
  }
  if (jobs.length === 0) {
    console.error('usage: generate-pve-schema.mjs [--out DIR] [--version X.Y.Z] <apidata.json> ...');
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  for (const job of jobs) {
    const raw = readFileSync(job.file);
    const sha = createHash('sha256').update(raw).digest('hex');
    const subset = generate(JSON.parse(raw.toString('utf8')), basename(job.file), sha, job.version);
    const target = join(outDir, `pve-${subset.release}.json`);
    writeFileSync(target, `${JSON.stringify(subset, null, 1)}\n`);
    console.log(`${relative(process.cwd(), target)}: ${Object.keys(subset.endpoints).length} endpoints from ${basename(job.file)} (PVE ${job.version})`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(String(err instanceof Error ? err.message : err));
    process.exitCode = 1;
  }
}
