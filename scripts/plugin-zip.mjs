#!/usr/bin/env node
// `npm run plugin-zip`: the plugin as WordPress installs it (Plugins → Add New → Upload), built UI included,
// tests and development files left out: artifacts/support-provisioning-portal.zip with one top folder.
// A small zip writer (deflate + CRC-32 from node:zlib) keeps this free of a zip binary or package.
import { deflateRawSync, crc32 } from 'node:zlib';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PLUGIN = join(ROOT, 'plugin');
const TOP = 'support-provisioning-portal';
const LEAVE_OUT = new Set(['tests', 'phpunit.xml', 'phpunit.xml.dist', '.phpunit.result.cache']);

if (!existsSync(join(PLUGIN, 'build', 'portal', 'block.json'))) {
  console.error('plugin/build is missing: run npm run build first (npm run plugin-zip does)');
  process.exit(1);
}

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (dir === PLUGIN && LEAVE_OUT.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else yield full;
  }
}

const locals = [];
const centrals = [];
let offset = 0;
// DOS date/time of the build, as zip stores it.
const now = new Date();
const dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
const dosDate = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();

for (const file of files(PLUGIN)) {
  const name = Buffer.from(`${TOP}/${relative(PLUGIN, file).split(sep).join('/')}`, 'utf8');
  const data = readFileSync(file);
  const packed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  locals.push(local, name, packed);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4); // made by: Unix, spec 3.0
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
  central.writeUInt32LE(offset, 42);
  centrals.push(central, name);
  offset += local.length + name.length + packed.length;
}
const centralSize = centrals.reduce((n, b) => n + b.length, 0);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(centrals.length / 2, 8);
end.writeUInt16LE(centrals.length / 2, 10);
end.writeUInt32LE(centralSize, 12);
end.writeUInt32LE(offset, 16);

mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
const out = join(ROOT, 'artifacts', `${TOP}.zip`);
writeFileSync(out, Buffer.concat([...locals, ...centrals, end]));
console.log(`${out}: ${centrals.length / 2} files, ${(statSync(out).size / 1024).toFixed(1)} KB`);
