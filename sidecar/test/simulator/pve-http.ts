/**
 * A deliberately raw HTTPS client for the simulator tests (node:https, trusting the simulator's CA): it shows
 * the status line, headers and body exactly as they came, and can send what a fetch-based client cannot
 * (a body on GET).
 */
import { Agent, request } from 'node:https';
import type { Simulator } from '../../simulator';

export interface RawResponse {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, undefined when the body is empty. */
  json: any;
}

export interface CallOptions {
  query?: Record<string, string | number>;
  form?: Record<string, string | number>;
  json?: unknown;
  /** Raw body with its content type. */
  raw?: { body: string; contentType?: string };
  /** Authorization header value; null sends none. Default: the simulator's first token. */
  auth?: string | null;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<RawResponse>;

export function tokenHeader(id: string, secret: string): string {
  return `PVEAPIToken=${id}=${secret}`;
}

export function pveClient(sim: Simulator): Call & { agent: Agent } {
  const agent = new Agent({ ca: sim.caPem, keepAlive: false });
  const base = new URL(sim.url);
  const call = (method: string, path: string, options: CallOptions = {}): Promise<RawResponse> => {
    const qs = options.query ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
    let body: string | undefined;
    let contentType: string | undefined;
    if (options.form) {
      body = new URLSearchParams(Object.entries(options.form).map(([k, v]): [string, string] => [k, String(v)])).toString();
      contentType = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      contentType = 'application/json';
    } else if (options.raw) {
      body = options.raw.body;
      contentType = options.raw.contentType;
    }
    const headers: Record<string, string | number> = {};
    const auth = options.auth === undefined ? tokenHeader(sim.token.id, sim.token.secret) : options.auth;
    if (auth !== null) headers['Authorization'] = auth;
    if (contentType) headers['Content-Type'] = contentType;
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: base.hostname, port: base.port, method, path: `/api2/json${path}${qs}`, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, text, json: text ? JSON.parse(text) : undefined });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  return Object.assign(call, { agent });
}

export const enc = encodeURIComponent;

/** Polls a task until it stops; returns its final status object. */
export async function waitTask(call: Call, node: string, upid: string, timeoutMs = 5000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call('GET', `/nodes/${node}/tasks/${enc(upid)}/status`);
    if (r.status !== 200) throw new Error(`task status ${r.status} ${r.reason}`);
    if (r.json.data.status === 'stopped') return r.json.data;
    if (Date.now() > deadline) throw new Error(`task ${upid} still running`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

export const UPID_PATTERN =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;
