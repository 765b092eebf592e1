#!/usr/bin/env node
// Stops what wp-env/up.mjs started (web server, php-fpm, nginx, MariaDB), by the pids in <state>/env.json.
// Idempotent. Without --wp/--state: every state folder under .wp-env-state/.
import { relative } from 'node:path';
import { parseArgs, stopState, targetStates } from './lib.mjs';

const USAGE = `usage: node wp-env/down.mjs [--wp 6.8|6.1 | --state DIR]
  stops the local WordPress of that version / state folder (default: all of them); data is kept`;
const opts = parseArgs(process.argv.slice(2), { wp: 'string', state: 'string' }, USAGE);
const states = targetStates(opts);
if (states.length === 0) console.log('wp-env: nothing to stop (no state folder)');
for (const dir of states) {
  const t0 = performance.now();
  console.log(`wp-env: stopping ${relative(process.cwd(), dir) || dir}`);
  const stopped = await stopState(dir);
  console.log(stopped.length ? `  done in ${((performance.now() - t0) / 1000).toFixed(2)} s` : '  nothing was running');
}
