// temporary profiling driver (not committed)
const { fork } = require('node:child_process');
const { mkdtempSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');
const { openSidecar } = require('./dist/src/sidecar');
const { parseKeyring } = require('./dist/src/auth/keyring');
const { silentLogger } = require('./dist/src/logger');
const { BENCH_KEY_HEX, BENCH_KEY_ID, viewerActorHeader } = require('./dist/bench/common');
const { seed } = require('./dist/bench/seed');
const { runLoad } = require('./dist/bench/load');
(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prof-'));
  const sc = openSidecar({ dataDir: dir, keyring: parseKeyring(`${BENCH_KEY_ID}:${BENCH_KEY_HEX}`), log: silentLogger, mock: { timings: { cloneMs: 0, startMs: 0, shutdownMs: 0, stopMs: 0, deleteMs: 0, agentDelayMs: 0 } } });
  seed(sc.services.portal.db, { deployments: 10000, auditRows: 100000, due: 0, dueStatus: 'STOPPED', now: Date.now() });
  await sc.close();
  const child = fork(join(__dirname, 'dist/bench/sidecar-child.js'), [dir], { execArgv: process.argv[2] === 'prof' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [] });
  const port = await new Promise((r) => child.on('message', (m) => m.type === 'listening' && r(m.port)));
  const origin = `http://127.0.0.1:${port}`;
  await runLoad({ origin, target: '/v1/deployments?per_page=50', actorHeader: viewerActorHeader(), concurrency: 16, count: 300, maxMs: 20000 });
  for (let i = 0; i < 3; i++) {
    const r = await runLoad({ origin, target: '/v1/deployments?per_page=50', actorHeader: viewerActorHeader(), concurrency: 16, count: 1000, maxMs: 20000 });
    console.log('rps', Math.round(r.rps), 'errors', r.errors, r.firstError || '');
  }
  child.send({ type: 'close' });
  await new Promise((r) => child.on('exit', r));
})();
