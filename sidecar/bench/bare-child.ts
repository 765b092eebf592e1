/**
 * Child process for the benchmark's baselines, answering every request with the exact bytes (and
 * paging headers) of one real sidecar response:
 *  - `bare`: a node:http server; no routing, no signature check, no database: the ceiling for this
 *    response size on this machine (the target's baseline);
 *  - `express`: express with the sidecar's body parser, serialising the same JSON with res.json: what the
 *    framework alone costs, so the table shows how much of the gap is the sidecar's own work (info only).
 * Usage (by run.ts only): node dist/bench/bare-child.js <bodyFile> <headersJson> [bare|express]
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ChildMessage, ParentMessage } from './common';
import { measureMemory } from './common';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};

const bodyFile = process.argv[2];
const headersJson = process.argv[3] ?? '{}';
if (!bodyFile || !process.send) {
  process.stderr.write('bare-child: run by bench/run.js with a body file and an IPC channel\n');
  process.exit(2);
}

const body = readFileSync(bodyFile);
const extra = JSON.parse(headersJson) as Record<string, string>;
const headers: Record<string, string> = {
  ...extra,
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(body.length),
};

function bareHandler(req: IncomingMessage, res: ServerResponse): void {
  // Drain whatever the client sent (nothing, for GET), then answer the captured bytes.
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
}

function expressApp(): express.Express {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.use(express.raw({ type: () => true, limit: '8mb' }));
  app.use((_req, res) => {
    res.set(extra).json(parsed);
  });
  return app;
}

const server = createServer(process.argv[4] === 'express' ? expressApp() : bareHandler);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));
server.on('error', (err) => {
  send({ type: 'error', message: err.message });
  process.exit(1);
});

const close = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('message', (m: ParentMessage) => {
  if (m.type === 'memory') send(measureMemory());
  else if (m.type === 'close') close();
});
process.on('disconnect', close);
