#!/usr/bin/env node
// Installs what is missing, so `npm start` and `npm test` work on a fresh clone: npm ci when
// node_modules is absent or older than the lock file, and a rebuild of better-sqlite3's native
// addon when it does not load (no prebuilt binaries can be downloaded here; node-gyp builds it).
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}

const require = createRequire(join(root, 'sidecar', 'package.json'));
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch (err) {
  console.log(`better-sqlite3 does not load (${err.message.split('\n')[0]}); building it from source…`);
  run('npm rebuild better-sqlite3');
}
