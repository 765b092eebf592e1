// The project's small tooling library, plain CommonJS so that .mjs scripts and TypeScript (through
// index.d.ts) load it without a build: free ports, pauses, and waiting for something to become true.
'use strict';
const { createServer } = require('node:net');

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it gives something truthy, and resolves with that;
 * throws "timed out after N s waiting for <what>" when `timeoutMs` have passed.
 */
async function waitFor(what, probe, { timeoutMs = 30000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

module.exports = { freePort, sleep, waitFor };
