/**
 * TTL enforcement. Due deployments are marked EXPIRED in one transaction (start is refused from that
 * moment), then their VMs are stopped outside it. Nothing is ever deleted by expiry. A stop that fails
 * is retried by the next sweep, because the row keeps vm_stopped = 0.
 */
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import { ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';
import type { Background } from '../background';
import { describeProxmoxError, lastErrorOf } from '../proxmox-failure';
import { iso } from '../clock';
import { stopVm } from './vm-power';
import { markExpired, markRevived } from './proxmox-marks';
import { vanishedFields } from './vanished';

export class Expiry {
  /**
   * Stops under way, so the sweep, a request-triggered expiry and a prolong never stop one VM twice;
   * each resolves to the error that kept the VM from stopping, or null.
   */
  private readonly stopping = new Map<number, Promise<ProxmoxError | null>>();

  constructor(
    private readonly portal: Portal,
    private readonly background: Background,
  ) {}

  /** Marks what is due as EXPIRED and starts stopping those VMs; cheap when nothing is due (one indexed read). */
  expireDue(): number[] {
    const { deployments, clock } = this.portal;
    const now = clock();
    if (deployments.dueIds(now).length === 0) return [];
    const expired = writeTx(this.portal.db, () => {
      const ids: number[] = [];
      for (const id of deployments.dueIds(now)) {
        const d = deployments.get(id);
        // A deployment with an action under way expires once the action has settled.
        if (!d || d.pendingAction !== null) continue;
        // vm_stopped = 0 even for a stopped VM: the expiry stop owes the confirmation and the expired marks.
        deployments.update(id, now, { status: 'EXPIRED', vmStopped: false });
        this.portal.audit.append({
          actor: SYSTEM_ACTOR,
          action: 'deployment.expire',
          target: { type: 'deployment', id },
          deploymentId: id,
          result: 'ok',
          details: { expiresAt: iso(d.expiresAt), previousStatus: d.status },
        });
        ids.push(id);
      }
      return ids;
    });
    if (expired.length > 0) this.background.run('expiry stop', () => this.stopExpiredVms());
    return expired;
  }

  /** The periodic sweep: expire what is due, then stop every expired VM not yet known to be stopped. */
  async sweep(): Promise<number[]> {
    const expired = this.expireDue();
    await this.stopExpiredVms();
    return expired;
  }

  /** A prolonged EXPIRED deployment: its VM loses the expired marks in Proxmox, in the background. */
  revived(vmid: number): void {
    void this.background.run('revive marks', () => markRevived(this.portal, vmid));
  }

  /**
   * The expiry stop of one deployment, finished: the one under way is awaited, or one is made now. null once
   * the VM is stopped (or the deployment is no longer EXPIRED); else why Proxmox did not stop it.
   */
  stopNow(id: number): Promise<ProxmoxError | null> {
    let stop = this.stopping.get(id);
    if (!stop) {
      stop = this.stopOne(id).finally(() => this.stopping.delete(id));
      this.stopping.set(id, stop);
    }
    return stop;
  }

  /** Stops every expired VM not known to be stopped; a stop already under way is awaited, not repeated. */
  private async stopExpiredVms(): Promise<void> {
    for (const id of this.portal.deployments.expiredNotStoppedIds()) await this.stopNow(id);
  }

  private async stopOne(id: number): Promise<ProxmoxError | null> {
    const { portal } = this;
    const d = portal.deployments.get(id);
    if (!d || d.status !== 'EXPIRED' || d.vmStopped) return null;
    let error: ProxmoxError | null = null;
    let gone = false;
    try {
      if (d.vmid !== null) {
        gone = (await stopVm(portal, d.vmid)) === 'gone';
        if (!gone) await markExpired(portal, d.vmid);
      }
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
      error = err;
    }
    writeTx(portal.db, () => {
      const fresh = portal.deployments.get(id);
      if (!fresh || fresh.status !== 'EXPIRED') return; // prolonged meanwhile
      if (gone && d.vmid !== null) portal.deployments.update(id, portal.clock(), vanishedFields(d.vmid));
      else portal.deployments.update(id, portal.clock(), error === null ? { vmStopped: true, ipAddresses: [], lastError: null } : lastErrorOf(error));
      portal.audit.append({
        actor: SYSTEM_ACTOR,
        action: 'deployment.expire_stop',
        target: { type: 'deployment', id },
        deploymentId: id,
        result: error === null && !gone ? 'ok' : 'failed',
        status: error === null ? null : 502,
        details: error === null ? { vmid: d.vmid, ...(gone ? { vanished: true } : {}) } : { vmid: d.vmid, error: describeProxmoxError(error) },
      });
    });
    return error;
  }
}
