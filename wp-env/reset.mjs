#!/usr/bin/env node
// Stops and deletes a state folder (database, WordPress copy, logs): the next up starts from nothing.
// `--all` also deletes the download cache (.wp-env-state/.cache: the extracted Debian trixie tree).
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { STATE_ROOT, parseArgs, readEnv, stopState, targetStates } from './lib.mjs';

const USAGE = `usage: node wp-env/reset.mjs [--wp 6.8|6.1 | --state DIR | --all]
  stops and deletes the state folder of that version (default: every state folder; --all: the cache too).
  Same as the first half of: node wp-env/up.mjs --fresh`;
const opts = parseArgs(process.argv.slice(2), { wp: 'string', state: 'string', all: 'boolean' }, USAGE);
for (const dir of targetStates(opts)) {
  console.log(`wp-env: stopping and deleting ${relative(process.cwd(), dir) || dir}`);
  const socketDir = dirname(readEnv(dir)?.db?.socket ?? join(dir, 'run', 'x'));
  await stopState(dir, { quiet: true });
  rmSync(dir, { recursive: true, force: true });
  // Deep state folders keep their sockets in /tmp/wp-env-<hash>/ (unix socket paths are short).
  if (dirname(socketDir) === tmpdir() && /^wp-env-[0-9a-f]{10}$/.test(socketDir.split('/').pop())) rmSync(socketDir, { recursive: true, force: true });
}
if (opts.all && existsSync(STATE_ROOT)) {
  // Catch state folders whose env.json is missing (an interrupted first run) before deleting everything.
  console.log(`wp-env: deleting ${relative(process.cwd(), STATE_ROOT)} (state folders and download cache)`);
  rmSync(STATE_ROOT, { recursive: true, force: true });
}
