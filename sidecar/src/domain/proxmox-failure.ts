/**
 * Turns a Proxmox failure into what each reader can act on: whoever manages the Proxmox settings gets
 * the detail (host, port, codes, the fix in the settings); everyone else a sentence that says what to do,
 * since the internals mean nothing to a support person and map the network for anyone curious.
 */
import { ApiError } from '../http/api-error';
import { ProxmoxError, ProxmoxErrorKind } from '../proxmox/client';

const WHAT_TO_CHECK: Record<ProxmoxErrorKind, string> = {
  unauthorized: 'Check the API token id and secret in the Proxmox settings.',
  forbidden: "The API token lacks a privilege; grant it to the token's role (Settings → Test connection lists what is missing).",
  not_found: "Check the node name in the settings and the template's Proxmox VMID.",
  already_exists: 'Another VM took the chosen VMID; try again.',
  locked: 'The VM or its storage is busy with another task; try again in a minute.',
  timeout: 'Proxmox did not answer in time; check that it is reachable and not overloaded.',
  tls: "Proxmox's certificate is not trusted: add its CA or pin its fingerprint in the settings.",
  unreachable: 'Proxmox cannot be reached; check the base URL and the network.',
  task_failed: 'See the task log in Proxmox for details.',
  not_configured: 'Complete the Proxmox settings (Settings → Proxmox).',
  failed: 'Ask a Proxmox administrator to look at the error above.',
};

const ASK_ADMIN = 'Please tell your portal administrator; the details are in the audit log.';

const WHAT_TO_DO: Record<ProxmoxErrorKind, string> = {
  unauthorized: `The portal's access to Proxmox needs an administrator. ${ASK_ADMIN}`,
  forbidden: `The portal is not allowed to do this in Proxmox. ${ASK_ADMIN}`,
  not_found: `Proxmox does not have the VM or template the portal expected. ${ASK_ADMIN}`,
  already_exists: 'Another VM took the number the portal chose; please try again.',
  locked: 'The VM is busy with another task in Proxmox; please try again in a minute.',
  timeout: 'Proxmox did not answer in time; please try again in a few minutes, and tell your portal administrator if it keeps happening.',
  tls: `The portal's connection to Proxmox needs an administrator. ${ASK_ADMIN}`,
  unreachable: 'Proxmox cannot be reached right now; please try again in a few minutes, and tell your portal administrator if it keeps happening.',
  task_failed: 'Proxmox could not finish the task. Please try again; if it fails again, tell your portal administrator (the details are in the audit log).',
  not_configured: 'The portal is not connected to Proxmox yet. Please tell your portal administrator.',
  failed: `Proxmox refused. ${ASK_ADMIN}`,
};

/** The failure for administrators: Proxmox's own message and the setting to check. */
export function describeProxmoxError(err: ProxmoxError): string {
  return `${err.message.replace(/\s+$/, '')}. ${err.hint ?? WHAT_TO_CHECK[err.kind]}`;
}

/** The failure for everyone else: what it means for them and what to do, nothing of the internals. */
export function whatToDo(kind: ProxmoxErrorKind): string {
  return WHAT_TO_DO[kind];
}

/** A deployment's lastError in both readings (the view picks one per caller). */
export function lastErrorOf(err: ProxmoxError): { lastError: string; lastErrorDetail: string } {
  return { lastError: whatToDo(err.kind), lastErrorDetail: describeProxmoxError(err) };
}

/**
 * A ProxmoxError becomes spp_proxmox_error, its message for everyone and its `detail` for those who see
 * Proxmox's details (the error handler picks); anything else is a bug and is rethrown as it is.
 */
export function proxmoxFailure(err: unknown, doing: string): ApiError {
  if (!(err instanceof ProxmoxError)) throw err;
  return failureSaying(`Proxmox could not ${doing}`, err);
}

/** The 502 for `err` after a sentence of what did not happen: what to do for everyone, the detail for admins. */
export function failureSaying(what: string, err: ProxmoxError): ApiError {
  const e = new ApiError('spp_proxmox_error', `${what}. ${whatToDo(err.kind)}`, { proxmox: err.kind });
  e.detail = `${what}: ${describeProxmoxError(err)}`;
  return e;
}
