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
import { describeProxmoxError } from '../proxmox-failure';
import { iso } from '../clock';
import { stopVm } from './vm-power';
import { markExpired, markRevived } from './proxmox-marks';

export class Expiry {
  /** Stops under way, so the sweep and a request-triggered expiry never stop one VM twice. */
  private readonly stopping = new Map<number, Promise<void>>();

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
        deployments.update(id, now, { status: 'EXPIRED', vmStopped: d.status === 'STOPPED' });
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
    this.background.run('revive marks', () => markRevived(this.portal, vmid));
  }

  /** Stops every expired VM not known to be stopped; a stop already under way is awaited, not repeated. */
  private async stopExpiredVms(): Promise<void> {
    for (const id of this.portal.deployments.expiredNotStoppedIds()) {
      let stop = this.stopping.get(id);
      if (!stop) {
        stop = this.stopOne(id).finally(() => this.stopping.delete(id));
        this.stopping.set(id, stop);
      }
      await stop;
    }
  }

  private async stopOne(id: number): Promise<void> {
    const { portal } = this;
    const d = portal.deployments.get(id);
    if (!d || d.status !== 'EXPIRED') return;
    let error: string | null = null;
    try {
      if (d.vmid !== null) {
        await stopVm(portal, d.vmid);
        await markExpired(portal, d.vmid);
      }
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
      error = describeProxmoxError(err);
    }
    writeTx(portal.db, () => {
      const fresh = portal.deployments.get(id);
      if (!fresh || fresh.status !== 'EXPIRED') return; // prolonged meanwhile
      portal.deployments.update(id, portal.clock(), error === null ? { vmStopped: true, ipAddresses: [], lastError: null } : { lastError: error });
      portal.audit.append({
        actor: SYSTEM_ACTOR,
        action: 'deployment.expire_stop',
        target: { type: 'deployment', id },
        deploymentId: id,
        result: error === null ? 'ok' : 'failed',
        status: error === null ? null : 502,
        details: error === null ? { vmid: d.vmid } : { vmid: d.vmid, error },
      });
    });
  }
}
