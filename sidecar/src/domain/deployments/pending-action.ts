/**
 * A Proxmox action on a deployment in three steps, none of which awaits inside a transaction:
 * claim (check status, mark the action pending), the Proxmox calls, then settle or fail (one
 * transaction each, with the audit row). The pending mark refuses a second action meanwhile.
 */
import type { ApiError } from '../../http/api-error';
import { writeTx } from '../../db/open';
import type { Actor } from '../../auth/actor';
import type { DeploymentRecord, DeploymentsRepo } from '../../repositories/deployments-repo';
import type { AuditEntry } from '../../audit/audit-log';
import { kindOfMessage, ProxmoxError, TaskResult } from '../../proxmox/client';
import type { Portal } from '../portal';
import { lastErrorOf, proxmoxFailure } from '../proxmox-failure';
import { requireState } from './policy';

type Fields = Parameters<DeploymentsRepo['update']>[2];

export function claim(portal: Portal, id: number, action: 'start' | 'stop' | 'delete', extra: Fields = {}): DeploymentRecord {
  return writeTx(portal.db, () => {
    const d = portal.deployments.get(id);
    if (!d) throw new Error(`deployment ${id} vanished`);
    requireState(d, action); // on the row as it is in this transaction
    portal.deployments.update(id, portal.clock(), { ...extra, pendingAction: action });
    return d;
  });
}

/** Clears the pending mark, writes the result and its audit row in one transaction. */
export function settle(portal: Portal, id: number, fields: Fields, audit: Omit<AuditEntry, 'deploymentId' | 'target'>): void {
  writeTx(portal.db, () => {
    portal.deployments.update(id, portal.clock(), { ...fields, pendingAction: null });
    portal.audit.append({ ...audit, deploymentId: id, target: { type: 'deployment', id } });
  });
}

/** Records a failed Proxmox action (pending cleared, lastError set, audit row) and returns the 502 to answer with. */
export function fail(portal: Portal, id: number, actor: Actor, action: string, doing: string, err: unknown, fields: Fields = {}): ApiError {
  const apiError = proxmoxFailure(err, doing); // rethrows anything but a ProxmoxError
  const failure = lastErrorOf(err as ProxmoxError);
  settle(portal, id, { ...failure, ...fields }, { actor, action, result: 'failed', status: apiError.status, details: { error: failure.lastErrorDetail } });
  apiError.audited = true;
  return apiError;
}

/** Waits for a task and turns a failed task into a ProxmoxError. */
export async function awaitTask(portal: Portal, task: Promise<{ upid: string; node: string }>, timeoutMs: number): Promise<void> {
  const px = portal.proxmox();
  const result = await px.waitTask(await task, timeoutMs);
  if (!result.ok) throw taskError(result);
}

/** A failed task as the failure table sees it: a lock is retryable, a missing VM is not_found. */
function taskError(result: TaskResult): ProxmoxError {
  const kind = kindOfMessage(result.exitStatus);
  const tail = (result.log ?? []).filter((l) => !l.startsWith('TASK ERROR')).slice(-3).join(' | ');
  return new ProxmoxError(kind === 'failed' ? 'task_failed' : kind, tail ? `${result.exitStatus} (task log: ${tail})` : result.exitStatus);
}
