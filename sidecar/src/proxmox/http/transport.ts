/**
 * One Proxmox API call over HTTPS: token header, encoding by method (GET/DELETE in the query, POST/PUT
 * form-encoded), a timeout on every call, and retries only where Proxmox says a retry can succeed.
 */
import { Agent, fetch } from 'undici';
import { ProxmoxError } from '../client';
import { dataOf, encodeParams, Params, RawAnswer } from './wire';
import { isTlsTrustError, TlsTrust, trustingConnector } from './tls-trust';
import { redactCredentials, TOKEN_ID } from '../credentials';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportOptions {
  /** `https://pve.example.com:8006` (with or without a trailing `/api2/json`). */
  baseUrl: string;
  tokenId: string;
  tokenSecret: string;
  trust: TlsTrust;
  /** Per call; Proxmox's own proxy gives up after 30 s. */
  timeoutMs: number;
  /** Waits between attempts of a retryable failure; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  /**
   * How long an idle connection is kept for the next call. pveproxy closes a connection idle for 5 s and
   * sends no `Keep-Alive: timeout` hint, so the client must give up first, with a margin for timer lag:
   * a write sent on a socket the server is closing at that moment is lost, and a write is never repeated.
   */
  keepAliveMs: number;
}

export const DEFAULT_TRANSPORT: Pick<TransportOptions, 'timeoutMs' | 'retryDelaysMs' | 'keepAliveMs'> = {
  timeoutMs: 30_000,
  retryDelaysMs: [1_000, 2_000, 4_000],
  keepAliveMs: 3_000,
};

export class PveTransport {
  private readonly api: URL;
  private readonly agent: Agent;
  private readonly authorization: string;

  constructor(private readonly o: TransportOptions) {
    let url: URL;
    try {
      url = new URL(o.baseUrl);
    } catch {
      throw new ProxmoxError('not_configured', `The Proxmox base URL '${o.baseUrl}' is not a URL`, 'Enter it as https://HOST:8006.');
    }
    if (url.protocol !== 'https:') throw new ProxmoxError('not_configured', 'The Proxmox base URL must use https', 'Enter it as https://HOST:8006.');
    const path = url.pathname.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
    this.api = new URL(`${url.origin}${path}/api2/json/`);
    if (!TOKEN_ID.test(o.tokenId)) {
      throw new ProxmoxError('not_configured', `The API token id '${o.tokenId}' is not of the form user@realm!tokenname`, 'Copy the token id exactly as Proxmox shows it.');
    }
    if (o.tokenSecret.trim() === '') throw new ProxmoxError('not_configured', 'No API token secret is set', 'Enter the token secret in the Proxmox settings.');
    // Control characters or spaces cannot travel in a header; Node's refusal would quote the header, secret and all.
    if (/[\p{Cc}\s]/u.test(o.tokenSecret)) throw new ProxmoxError('not_configured', 'The API token secret contains characters a Proxmox secret never has', 'Copy the secret again exactly as Proxmox showed it.');
    this.authorization = `PVEAPIToken=${o.tokenId}=${o.tokenSecret}`;
    this.agent = new Agent({ connect: trustingConnector(o.trust, o.timeoutMs), keepAliveTimeout: o.keepAliveMs, keepAliveMaxTimeout: o.keepAliveMs });
  }

  /** Calls Proxmox and returns `data`; retries locks, `got timeout` and proxy errors, never a 4xx. */
  async call(method: Method, path: string, params: Params | undefined, what: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return dataOf(await this.once(method, path, params, what), what);
      } catch (err) {
        const delay = this.o.retryDelaysMs[attempt];
        if (delay === undefined || !(err instanceof ProxmoxError) || !retryable(err, method)) throw err instanceof ProxmoxError ? this.scrubbed(err) : err;
        await sleep(delay);
      }
    }
  }

  /** A text from Proxmox (a task's exit status or log) without this client's secret, however it got there. */
  scrub(text: string): string {
    return redactCredentials(text.split(this.o.tokenSecret).join('[redacted]'));
  }

  private scrubbed(err: ProxmoxError): ProxmoxError {
    const message = this.scrub(err.message);
    return message === err.message ? err : new ProxmoxError(err.kind, message, err.hint, err.httpStatus);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async once(method: Method, path: string, params: Params | undefined, what: string): Promise<RawAnswer> {
    const encoded = encodeParams(params);
    const inBody = method === 'POST' || method === 'PUT';
    const url = new URL(path.replace(/^\/+/, ''), this.api);
    if (!inBody && encoded !== '') url.search = encoded;
    try {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: inBody ? encoded : undefined,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      return { status: res.status, reason: res.statusText, body: await res.text() };
    } catch (err) {
      throw connectionError(err, what, this.api.host);
    }
  }
}

/** Proxmox says these may succeed later: its proxy's own errors, a lock that clears, `got timeout`. */
function retryable(err: ProxmoxError, method: Method): boolean {
  if (err.kind === 'locked') return true;
  if (err.kind === 'unreachable' || err.kind === 'timeout') {
    // A GET may always be repeated. A write only on 595, where pveproxy says it never reached pvedaemon:
    // a repeated clone that had in fact started would leave a VM the portal does not know.
    return method === 'GET' || err.httpStatus === 595;
  }
  return false;
}

function connectionError(err: unknown, what: string, host: string): ProxmoxError {
  const cause = (err as { cause?: unknown }).cause ?? err;
  if ((err as { name?: string }).name === 'TimeoutError' || (cause as { name?: string }).name === 'TimeoutError') {
    return new ProxmoxError('timeout', `Proxmox at ${host} did not answer in time while trying to ${what}`);
  }
  if (isTlsTrustError(cause)) {
    return new ProxmoxError('tls', `The certificate of ${host} is not trusted (${(cause as Error).message}) while trying to ${what}`);
  }
  // Only the error's code, never its text: an error from building the request (a header Node refused, say)
  // may quote the request, and with it the token.
  const code = (cause as { code?: unknown }).code;
  const detail = typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code) ? code : 'connection failed';
  return new ProxmoxError('unreachable', `Proxmox at ${host} cannot be reached (${detail}) while trying to ${what}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
