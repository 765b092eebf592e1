/**
 * Proxmox's wire format, both ways: parameters as Proxmox parses them (form encoding, booleans as 1/0),
 * and its answers turned into data or a ProxmoxError of the failure table. Proxmox puts the error text in
 * the HTTP reason phrase; the JSON `message` exists only on newer versions and `errors` only on 400s.
 */
import { kindOfMessage, ProxmoxError } from '../client';

export type ParamValue = string | number | boolean | undefined;
export type Params = Record<string, ParamValue>;

/** `a=1&b=0`: booleans as 1/0 (Proxmox refuses `true`), undefined left out. */
export function encodeParams(params: Params | undefined): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    form.append(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  // URLSearchParams writes spaces as '+', which Proxmox's form parser reads as a space too.
  return form.toString();
}

export interface RawAnswer {
  status: number;
  reason: string;
  body: string;
}

interface Envelope {
  data?: unknown;
  message?: unknown;
  errors?: unknown;
}

function envelope(body: string): Envelope | null {
  if (body.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Envelope) : null;
  } catch {
    return null;
  }
}

/** The `data` of a 2xx answer; anything else becomes a ProxmoxError. */
export function dataOf(answer: RawAnswer, what: string): unknown {
  if (answer.status >= 200 && answer.status < 300) {
    const env = envelope(answer.body);
    if (!env || !('data' in env)) throw new ProxmoxError('failed', `Proxmox answered ${what} with something that is not its JSON envelope`);
    return env.data;
  }
  throw errorOf(answer, what);
}

/** Maps a non-2xx answer to the failure table. `what` says what was being done, for the message. */
export function errorOf(answer: RawAnswer, what: string): ProxmoxError {
  const env = envelope(answer.body);
  const bodyMessage = typeof env?.message === 'string' ? env.message.trim() : '';
  const reason = answer.reason.trim();
  const text = reason !== '' && !/^(Internal Server Error|Bad Request|Forbidden|Unauthorized|Not Implemented)$/i.test(reason) ? reason : bodyMessage || reason;
  const errors = paramErrors(env?.errors);
  const { status } = answer;

  if (status !== 401 && status !== 595 && status !== 596 && status !== 599 && (env === null || !('data' in env))) {
    // Not Proxmox's envelope: another server (a proxy's error page, a wrong port, a host someone probes).
    // Its texts are not repeated, so the settings cannot be used to read what other hosts answer.
    return new ProxmoxError('failed', `The server did not answer as Proxmox VE does (HTTP ${status}) while trying to ${what}`, 'Check that the base URL points at https://HOST:8006 of a Proxmox VE node.', status);
  }
  if (status === 401) {
    return new ProxmoxError('unauthorized', `Proxmox refused the API token while trying to ${what} (401 ${reason || 'Authentication failed!'})`);
  }
  if (status === 403) {
    const m = /Permission check failed \(([^,]+),\s*([^)]+)\)/.exec(text);
    const detail = m ? `the token lacks the privilege ${m[2]?.trim()} on ${m[1]?.trim()}` : text || 'permission denied';
    return new ProxmoxError('forbidden', `Proxmox refused to ${what}: ${detail}`, m ? `Grant ${m[2]?.trim()} on ${m[1]?.trim()} to the API token's role.` : undefined);
  }
  if (status === 400) {
    const vmidTaken = errors.vmid !== undefined && /already exists/i.test(errors.vmid);
    const list = Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ');
    return new ProxmoxError(vmidTaken ? 'already_exists' : 'failed', `Proxmox refused to ${what}: ${list || text || 'parameter verification failed'}`);
  }
  if (status === 595 || status === 596 || status === 599) {
    // pveproxy's own codes for a request it could not pass on to pvedaemon or another node.
    return new ProxmoxError(status === 595 ? 'unreachable' : 'timeout', `Proxmox could not ${what}: ${status} ${text || 'proxy error'}`, undefined, status);
  }
  if (status === 501) {
    return new ProxmoxError('failed', `Proxmox does not know this call (${what}): ${text}`, 'Check that the base URL points at https://HOST:8006 and that Proxmox VE is 8.4 or newer.');
  }
  return new ProxmoxError(kindOfMessage(text), `Proxmox could not ${what}: ${text || `HTTP ${status}`}`, undefined, status);
}

function paramErrors(errors: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (errors === null || typeof errors !== 'object') return out;
  for (const [k, v] of Object.entries(errors as Record<string, unknown>)) out[k] = String(v).trim();
  return out;
}

// ---- Proxmox's loose JSON typing: ids as strings or numbers, booleans as 1/0, false ones left out ----

export function looseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function looseBool(value: unknown): boolean {
  return value === 1 || value === '1' || value === true || value === 'true';
}

export function looseString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
