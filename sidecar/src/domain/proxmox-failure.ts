/** Turns a Proxmox failure into the 502 a support person (and the admin they call) can act on. */
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

export function describeProxmoxError(err: ProxmoxError): string {
  return `${err.message.replace(/\s+$/, '')}. ${err.hint ?? WHAT_TO_CHECK[err.kind]}`;
}

/** A ProxmoxError becomes spp_proxmox_error; anything else is a bug and is rethrown as it is. */
export function proxmoxFailure(err: unknown, doing: string): ApiError {
  if (!(err instanceof ProxmoxError)) throw err;
  return new ApiError('spp_proxmox_error', `Proxmox could not ${doing}: ${describeProxmoxError(err)}`, { proxmox: err.kind });
}
