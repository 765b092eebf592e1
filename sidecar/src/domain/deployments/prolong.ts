/**
 * Prolong: a later expiry, or never-expire where the template allows it. An EXPIRED deployment comes
 * back as STOPPED, so its memory counts again and the contingent is checked in the same transaction.
 * "STOPPED" must be true in Proxmox when the answer leaves: the expiry stop of an EXPIRED deployment is
 * finished first (the one under way awaited, or one made now), so no stop lands later on a VM the owner
 * has revived and started. A VM that cannot be stopped leaves the deployment EXPIRED (a 502).
 */
import { AUDIT_ACTION } from '@spp/contract';
import { ApiError, conflict } from '../../http/api-error';
import { requireState } from './policy';
import { writeTx } from '../../db/open';
import type { Caller } from '../access';
import type { Portal } from '../portal';
import type { Expiry } from './expiry';
import { loadVisible } from './load-deployment';
import { checkTtl, prolongBase, prolongedExpiry, TtlChoice } from './ttl';
import { iso } from '../clock';
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import type { ProxmoxError } from '../../proxmox/client';
import { failureSaying } from '../proxmox-failure';

/** A VM started again behind the portal's back while it waited could send it round once more; twice is plenty. */
const STOP_ROUNDS = 2;

export async function prolongDeployment(portal: Portal, expiry: Expiry, caller: Caller, id: number, choice: TtlChoice): Promise<DeploymentRecord> {
  const seen = loadVisible(portal, caller, id);
  // A TTL the template refuses is a 400 before anything, the expiry stop included, is waited for.
  const template = portal.templates.get(seen.templateId);
  if (template) checkTtl(choice, template);
  for (let round = 1; ; round++) {
    const before = portal.deployments.get(id) as DeploymentRecord;
    if (before.status === 'EXPIRED' && !before.vmStopped) {
      const error = await expiry.stopNow(id);
      if (error !== null) throw refusedUnstopped(portal, caller, before, error);
    }
    const outcome = prolongOnce(portal, caller, id, choice);
    if (outcome === 'stop first') {
      if (round < STOP_ROUNDS) continue;
      throw conflict(`'${before.name}' keeps being started in Proxmox while it is expired; stop it there, then prolong it.`);
    }
    if (outcome.revivedVmid !== null) expiry.revived(outcome.revivedVmid);
    return portal.deployments.get(id, caller.id) as DeploymentRecord;
  }
}

/** The prolong itself, one transaction; 'stop first' when an EXPIRED deployment's VM is not known to be stopped. */
function prolongOnce(portal: Portal, caller: Caller, id: number, choice: TtlChoice): { revivedVmid: number | null } | 'stop first' {
  return writeTx(portal.db, () => {
    const d = portal.deployments.get(id) as DeploymentRecord;
    requireState(d, 'prolong');
    const revived = d.status === 'EXPIRED';
    if (revived && !d.vmStopped) return 'stop first';
    const template = portal.templates.get(d.templateId);
    if (!template) throw new Error(`template ${d.templateId} of deployment ${id} is missing`);
    const now = portal.clock();
    const hours = checkTtl(choice, template);
    const expiresAt = hours === null ? null : prolongedExpiry(now, prolongBase(d, now), hours, template);
    if (revived) portal.contingents.assertFits(d.ownerId, d.memoryMb);
    const status = revived ? 'STOPPED' : d.status;
    portal.deployments.update(id, now, { status, neverExpires: hours === null, expiresAt });
    portal.audit.append({
      actor: caller.actor,
      action: AUDIT_ACTION.prolong_deployment,
      target: { type: 'deployment', id },
      deploymentId: id,
      result: 'ok',
      status: 200,
      details: { ttlHours: hours, neverExpires: hours === null, previousExpiresAt: iso(d.expiresAt), expiresAt: iso(expiresAt), previousStatus: d.status, status },
    });
    return { revivedVmid: revived ? d.vmid : null };
  });
}

/** The expired VM could not be stopped: nothing changed, the refusal is audited, the owner is told why. */
function refusedUnstopped(portal: Portal, caller: Caller, d: DeploymentRecord, error: ProxmoxError): ApiError {
  const e = failureSaying(`'${d.name}' expired and its VM could not be stopped, so it cannot come back yet`, error);
  portal.audit.record({ actor: caller.actor, action: AUDIT_ACTION.prolong_deployment, target: { type: 'deployment', id: d.id }, deploymentId: d.id, result: 'failed', status: e.status, details: { error: e.detail } });
  e.audited = true;
  return e;
}
