/**
 * The HTTPS front of the simulator: Proxmox's request pipeline (pve-http-server AnyEvent.pm + PVE/HTTPServer.pm)
 * in its order — auth (401, delayed, empty body) → body on GET/DELETE (501) → route (501 not implemented) →
 * duplicate path parameters (400) → permission check (403) → proxy to the node (500 on an unknown node) →
 * parameter validation (400 with `errors`) → handler (500 with the message as reason phrase).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Engine, DEFAULT_TEMPLATES } from '../src/proxmox/model/engine';
import { PveError } from '../src/proxmox/model/pve-error';
import { type CallContext, HANDLERS } from './handlers';
import { type Grant, PermissionDenied, checkApiPermissions, parseGrants, portalPrivileges, withPoolMembers } from './privileges';
import { matchRoute, schemaFor } from './schema';
import type { SimTimings, SimVersion } from '../src/proxmox/model/types';
import type { Fault, SimConnectionStats, SimRequestRecord, SimToken, Simulator, SimulatorOptions } from './types';
import { perlScalar, validateParams } from './validate';
import { createTls, fingerprint256 } from './x509';

const MAX_BODY = 512 * 1024;
/** pveproxy (PVE/Service/pveproxy.pm, pve-http-server AnyEvent.pm): idle timeout 5 s, 100 requests a connection. */
const PVEPROXY_IDLE_TIMEOUT_MS = 5000;
const PVEPROXY_KEEP_ALIVE_REQUESTS = 100;
const TOKEN_ID_RE = /^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

export const DEFAULT_TIMINGS: Required<SimTimings> = {
  cloneMs: 120,
  startMs: 40,
  shutdownMs: 40,
  stopMs: 20,
  deleteMs: 40,
  configMs: 20,
  agentDelayMs: 100,
  timeoutScale: 1,
  resourcesLagMs: 0,
  failFastMs: 10,
};

/** Task times close to a small real node, for benchmarks and `npm start` demos. */
export const REALISTIC_TIMINGS: Required<SimTimings> = {
  cloneMs: 3000,
  startMs: 1000,
  shutdownMs: 2000,
  stopMs: 500,
  deleteMs: 1000,
  configMs: 200,
  agentDelayMs: 2000,
  timeoutScale: 1,
  resourcesLagMs: 0,
  failFastMs: 200,
};

interface TokenState {
  secret: string;
  grants: Grant[];
  privsep: boolean;
}

type ActiveFault = Fault & { left: number };

/** The reason phrase: first line of the message, only characters Node allows in a status line. */
function reasonPhrase(message: string, status: number): string {
  const first = (message.split(/\r?\n/)[0] ?? '').replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
  if (first) return first;
  return status === 200 ? 'OK' : 'Error';
}

function parseAuth(header: string | undefined): { tokenId: string; secret: string } | 'none' | 'invalid' {
  if (!header) return 'none';
  const m = /(?:^|\s)PVEAPIToken(?:=| )([^;]*)/.exec(header);
  if (!m) return 'none';
  let value = m[1] ?? '';
  try {
    value = decodeURIComponent(value);
  } catch {
    /* keep as is, like uri_unescape */
  }
  const i = value.lastIndexOf('=');
  if (i < 0) return 'invalid';
  return { tokenId: value.slice(0, i).trim(), secret: value.slice(i + 1).trim() };
}

function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = out[k] === undefined ? v : `${out[k]}\0${v}`;
  return out;
}

export async function startSimulator(o: SimulatorOptions = {}): Promise<Simulator> {
  const version: SimVersion = o.version ?? '9.1';
  if (version !== '8.4' && version !== '9.1') throw new Error(`unsupported version ${String(version)} (8.4 or 9.1)`);
  const node = o.node ?? 'pve';
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(node)) throw new Error(`invalid node name ${node}`);
  const host = o.host ?? '127.0.0.1';
  const schema = schemaFor(version);
  const messageInBody = o.errorMessageInBody ?? version !== '8.4';
  const unauthorizedDelayMs = o.unauthorizedDelayMs ?? 3000;

  const tokenSpecs: SimToken[] = o.tokens ?? [{ id: 'spp@pve!portal', secret: randomUUID(), privileges: portalPrivileges(version), privsep: true }];
  if (tokenSpecs.length === 0) throw new Error('at least one token is needed');
  const tokens = new Map<string, TokenState>();
  for (const t of tokenSpecs) {
    if (!TOKEN_ID_RE.test(t.id)) throw new Error(`token id '${t.id}' is not user@realm!name`);
    tokens.set(t.id, { secret: t.secret, grants: parseGrants(t.privileges, version), privsep: t.privsep ?? true });
  }
  const firstToken = tokenSpecs[0] as SimToken;

  const engine = new Engine(
    {
      version,
      node,
      timings: { ...DEFAULT_TIMINGS, ...o.timings },
      serializeCloneLocks: o.serializeCloneLocks ?? false,
      stateFile: o.stateFile ?? null,
      pools: o.pools ?? [],
      nextIdLower: o.nextIdLower ?? 100,
    },
    o.templates ?? DEFAULT_TEMPLATES,
    o.vms ?? [],
  );

  const tls = o.tls ?? createTls(node, [...new Set([host, '127.0.0.1', '::1', 'localhost', node])].filter((h) => h !== '0.0.0.0' && h !== '::'));
  const fingerprint = fingerprint256(tls.certPem);

  const faults: ActiveFault[] = [];
  const records: SimRequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  /** Requests each connection may still make before pveproxy closes it. */
  const keepAliveLeft = new WeakMap<Socket, number>();
  const stats: SimConnectionStats = { accepted: 0, resumed: 0, closedByServer: 0, closedByClient: 0, refusedHandshakes: 0, open: 0 };
  const closingByServer = new WeakSet<Socket>();
  const keepAliveRequests = o.keepAliveRequests ?? PVEPROXY_KEEP_ALIVE_REQUESTS;
  const idleTimeoutMs = o.idleTimeoutMs ?? PVEPROXY_IDLE_TIMEOUT_MS;
  const idleTimers = new Map<Socket, NodeJS.Timeout>();
  let closed = false;

  /**
   * pveproxy's idle timeout: AnyEvent::Handle's `timeout`, armed on accept and again after each response,
   * then the connection is shut down. Our own timer, because Node's keep-alive timer adds a second.
   */
  function armIdle(socket: Socket): void {
    disarmIdle(socket);
    idleTimers.set(
      socket,
      setTimeout(() => {
        idleTimers.delete(socket);
        closingByServer.add(socket);
        socket.destroy();
      }, idleTimeoutMs),
    );
  }
  function disarmIdle(socket: Socket): void {
    const t = idleTimers.get(socket);
    if (t) clearTimeout(t);
    idleTimers.delete(socket);
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function send(res: ServerResponse, record: SimRequestRecord, status: number, message: string, body: string | null): void {
    record.status = status;
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | number> = {
      Server: 'pve-api-daemon/3.0',
      'Cache-Control': 'max-age=0',
      Pragma: 'no-cache',
      Expires: new Date().toUTCString(),
      'Content-Length': body === null ? 0 : Buffer.byteLength(body),
    };
    if (body !== null) headers['Content-Type'] = 'application/json;charset=UTF-8';
    // AnyEvent.pm response(): an error ends the connection, so does the last of its keep-alive requests;
    // otherwise `Connection: Keep-Alive` and no `Keep-Alive: timeout=` hint, so a client cannot learn the
    // idle timeout from the server (setting the header also keeps Node from adding such a hint).
    const socket = res.req.socket;
    const left = keepAliveLeft.get(socket) ?? 0;
    const keepAlive = status < 400 && left > 0 && !closed;
    headers['Connection'] = keepAlive ? 'Keep-Alive' : 'close';
    if (!keepAlive) closingByServer.add(socket);
    else res.once('finish', () => armIdle(socket));
    res.writeHead(status, reasonPhrase(message, status), headers);
    res.end(body ?? undefined);
  }

  function sendError(res: ServerResponse, record: SimRequestRecord, status: number, message: string, errors?: Record<string, string>): void {
    if (status === 401) {
      send(res, record, status, message, null);
      return;
    }
    const body: Record<string, unknown> = { data: null };
    if (errors) body['errors'] = errors;
    if (messageInBody) body['message'] = `${message}\n`;
    send(res, record, status, message, JSON.stringify(body));
  }

  function takeFault(method: string, path: string): ActiveFault | null {
    for (const f of faults) {
      if (f.method && f.method.toUpperCase() !== method) continue;
      const p = typeof f.path === 'string' ? f.path.replace(/^\/api2\/json(?=\/)/, '') : f.path;
      if (typeof p === 'string' ? p !== path : !p.test(path)) continue;
      f.left -= 1;
      if (f.left <= 0) faults.splice(faults.indexOf(f), 1);
      return f;
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    disarmIdle(req.socket);
    // pveproxy counts a request against the connection when its request line arrives.
    keepAliveLeft.set(req.socket, (keepAliveLeft.get(req.socket) ?? keepAliveRequests) - 1);
    if (/close/i.test(req.headers['connection'] ?? '')) keepAliveLeft.set(req.socket, 0);
    const method = (req.method ?? 'GET').toUpperCase();
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const query = parseForm(rawQuery);
    const record: SimRequestRecord = { method, path: rawPath, query, body: null, status: 0, tokenId: null };
    records.push(record);
    if (records.length > 10_000) records.splice(0, records.length - 10_000);

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    }
    const bodyText = Buffer.concat(chunks).toString('utf8');

    const apiMatch = /^\/api2\/json(\/.*)?$/.exec(rawPath);
    const segments = (apiMatch?.[1] ?? '')
      .split('/')
      .filter((s) => s !== '')
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    const path = `/${segments.join('/')}`;
    if (apiMatch) record.path = path;

    // authentication (pve-http-server: before anything else, failures delayed)
    const auth = parseAuth(req.headers['authorization']);
    const token = typeof auth === 'object' ? tokens.get(auth.tokenId) : undefined;
    if (typeof auth !== 'object' || !token || token.secret !== auth.secret || !TOKEN_ID_RE.test(auth.tokenId)) {
      if (unauthorizedDelayMs > 0) await sleep(unauthorizedDelayMs);
      if (closed) return;
      sendError(res, record, 401, auth === 'none' ? 'No ticket' : 'Authentication failed!');
      return;
    }
    record.tokenId = auth.tokenId;

    if (!apiMatch) {
      send(res, record, 501, 'no such uri', null);
      return;
    }

    const ctx: CallContext = {
      engine,
      schema,
      version,
      node,
      tokenId: auth.tokenId,
      grants: withPoolMembers(token.grants, engine.vms.values()),
      tokenGrants: new Map([...tokens].map(([id, t]) => [id, t.grants])),
      fingerprint,
      taskOverride: {},
    };

    const fault = takeFault(method, path);
    if (fault) {
      if ('destroySocket' in fault) {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      if ('delayMs' in fault) {
        await sleep(fault.delayMs);
        if (closed) return;
      } else if ('status' in fault) {
        sendError(res, record, fault.status, fault.message);
        return;
      } else if ('taskExit' in fault) {
        ctx.taskOverride = { exit: fault.taskExit, ...(fault.taskMs !== undefined ? { durationMs: fault.taskMs } : {}) };
      } else if ('slowTaskMs' in fault) {
        ctx.taskOverride = { durationMs: fault.slowTaskMs };
      }
    }

    // parameters (AnyEvent.pm extract_params)
    let bodyParams: Record<string, unknown> = {};
    if (size > 0) {
      if (method !== 'POST' && method !== 'PUT') {
        record.body = bodyText;
        send(res, record, 501, `Unexpected content for method '${method}'`, null);
        return;
      }
      if (size > MAX_BODY) {
        send(res, record, 501, 'for data too large', null);
        return;
      }
      const ct = (req.headers['content-type'] ?? 'application/x-www-form-urlencoded').split(';')[0]?.trim().toLowerCase();
      if (ct === 'application/json') {
        try {
          const parsed: unknown = JSON.parse(bodyText);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
          bodyParams = parsed as Record<string, unknown>;
          record.body = bodyParams;
        } catch (err) {
          record.body = bodyText;
          sendError(res, record, 400, `unable to parse JSON body - ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
      } else if (ct === 'application/x-www-form-urlencoded') {
        bodyParams = parseForm(bodyText);
        record.body = bodyParams;
      } else {
        record.body = bodyText;
        send(res, record, 501, `unsupported content type '${ct ?? ''}'`, null);
        return;
      }
    }
    const params: Record<string, unknown> = { ...bodyParams, ...query };

    const route = matchRoute(schema, method, segments);
    if (!route) {
      sendError(res, record, 501, `Method '${method} ${path}' not implemented`);
      return;
    }

    try {
      for (const [k, v] of Object.entries(params)) {
        const inUri = route.params[k];
        if (inUri !== undefined && v !== undefined && v !== null && perlScalar(v) !== inUri) {
          throw new PveError(400, 'Parameter verification failed.', { [k]: 'duplicate parameter (already defined in URI) with conflicting values!' });
        }
      }
      const all: Record<string, unknown> = { ...params, ...route.params };
      checkApiPermissions(route.endpoint.permissions, ctx.grants, all);
      if (route.endpoint.proxyto === 'node' && all['node'] !== node && all['node'] !== 'localhost') {
        const other = String(all['node']);
        throw new PveError(500, `hostname lookup '${other}' failed - failed to get address info for: ${other}: Name or service not known`);
      }
      const errors = validateParams(all, route.endpoint.parameters);
      if (errors) throw new PveError(400, 'Parameter verification failed.', errors);
      const handler = HANDLERS[route.key];
      if (!handler) throw new PveError(501, `Method '${method} ${path}' not implemented`);
      const result = await handler(ctx, all);
      if (closed) return;
      send(res, record, 200, 'OK', JSON.stringify({ data: result.data, ...result.extra }));
    } catch (err) {
      if (err instanceof PermissionDenied) sendError(res, record, 403, err.message);
      else if (err instanceof PveError) sendError(res, record, err.status, err.message, err.errors);
      else {
        console.error('pve simulator: internal error', err);
        sendError(res, record, 500, `simulator internal error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, 'simulator internal error');
        res.end();
      }
      if (!closed) console.error('pve simulator: request failed', err);
    });
  });
  // Node's TLS server issues session tickets by default, as pveproxy's OpenSSL context does (pveproxy sets
  // no SSL_OP_NO_TICKET): a client that reconnects resumes, and the server then sends no certificate.
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    stats.accepted += 1;
    if (socket.isSessionReused()) stats.resumed += 1;
    armIdle(socket);
    socket.on('close', () => {
      disarmIdle(socket);
      sockets.delete(socket);
      if (closingByServer.has(socket)) stats.closedByServer += 1;
      else stats.closedByClient += 1;
    });
  });
  server.on('tlsClientError', () => {
    stats.refusedHandshakes += 1;
  });
  server.keepAliveTimeout = 0; // armIdle() is the idle timeout

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `https://${urlHost}:${port}`,
    caPem: tls.caPem,
    certPem: tls.certPem,
    certFingerprint256: fingerprint,
    node,
    version,
    token: { id: firstToken.id, secret: firstToken.secret },
    inject(fault: Fault): void {
      const times = fault.times ?? 1;
      faults.push({ ...fault, left: times } as ActiveFault);
    },
    clearFaults(): void {
      faults.length = 0;
    },
    setPrivileges(tokenId: string, privileges: string[] | 'all'): void {
      const t = tokens.get(tokenId);
      if (!t) throw new Error(`no token ${tokenId}`);
      t.grants = parseGrants(privileges, version);
    },
    lockVm(vmid: number, lock: string | null): void {
      engine.lockVm(vmid, lock);
    },
    setAcpi(vmid: number, honoured: boolean): void {
      engine.setAcpi(vmid, honoured);
    },
    vms() {
      return [...engine.vms.values()].sort((a, b) => a.vmid - b.vmid).map((vm) => engine.info(vm));
    },
    tasks() {
      return [...engine.tasks.values()].map((t) => engine.taskInfo(t));
    },
    requests() {
      return records.map((r) => ({ ...r, query: { ...r.query } }));
    },
    connections() {
      return { ...stats, open: sockets.size };
    },
    dropConnections(): void {
      for (const s of sockets) {
        closingByServer.add(s);
        s.destroy();
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const t of idleTimers.values()) clearTimeout(t);
      idleTimers.clear();
      engine.close();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
