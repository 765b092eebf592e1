/**
 * The reconcile pass (at start and periodically): Proxmox and the portal's database are compared, and
 * what disagrees is recorded in the audit log.
 *  - A deployment whose VM vanished outside the portal becomes FAILED (it can never start again), and its
 *    memory is released, since the VM is really gone.
 *  - A FAILED deployment's leftover VM is removed; a VMID it holds without a VM is let go after a grace
 *    period (a clone whose answer was lost may still appear). Its memory is released only then.
 *  - A VM started or stopped outside the portal (an admin in Proxmox, a guest shutting itself down, an
 *    answer lost on the way) brings its deployment's status along; an EXPIRED one running again is left to
 *    the expiry sweep, which stops it.
 *  - A VM carrying the portal's tag that no deployment holds is reported once per sidecar run; it is left
 *    alone, because only an admin can tell whether someone still needs it.
 * Each finding is checked again with a direct read before anything is written, so work that moved on
 * between the listing and the database read is never mistaken for drift.
 */
import { SETTLED_STATUSES } from '@spp/contract';
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import type { VmState } from '../../proxmox/client';
import type { Portal } from '../portal';
import { PORTAL_TAG } from './proxmox-marks';
import { awaitTask } from './pending-action';
import { vanishedFields } from './vanished';

export interface ReconcileReport {
  vanished: number[];
  powerChanged: number[];
  leftoversGone: number[];
  untrackedVmids: number[];
}

const SETTLED = new Set<string>(SETTLED_STATUSES);

export class Reconciler {
  /** Untracked VMIDs already reported by this run of the sidecar. */
  private readonly reported = new Set<number>();

  constructor(private readonly portal: Portal) {}

  async run(): Promise<ReconcileReport> {
    const { portal } = this;
    const px = portal.proxmox();
    const onNode = new Map<number, VmState>((await px.listVms()).map((vm) => [vm.vmid, vm]));
    const report: ReconcileReport = { vanished: [], powerChanged: [], leftoversGone: [], untrackedVmids: [] };

    for (const h of portal.deployments.vmHolders()) {
      if (h.pendingAction !== null) continue; // an action under way settles the row itself
      const vm = onNode.get(h.vmid) ?? null;
      if (SETTLED.has(h.status)) {
        if (vm ? await this.followPower(h.id, h.vmid, vm.status) : await this.vanished(h.id, h.vmid)) (vm ? report.powerChanged : report.vanished).push(h.id);
      } else if (h.status === 'FAILED' && (await this.settleLeftover(h.id, h.vmid, vm))) {
        report.leftoversGone.push(h.id);
      }
      // PROVISIONING and DELETING are their workers' business.
    }

    const held = new Set(portal.deployments.vmHolders().map((h) => h.vmid));
    for (const vm of onNode.values()) {
      if (vm.template || !vm.tags.includes(PORTAL_TAG) || held.has(vm.vmid) || this.reported.has(vm.vmid)) continue;
      const now = await px.vmState(vm.vmid);
      if (now === null || portal.deployments.holdsVmid(vm.vmid)) continue; // taken up meanwhile
      this.reported.add(vm.vmid);
      report.untrackedVmids.push(vm.vmid);
      writeTx(portal.db, () =>
        portal.audit.append({
          actor: SYSTEM_ACTOR,
          action: 'reconcile.untracked_vm',
          target: { type: 'vm', id: vm.vmid },
          result: 'failed',
          details: { vmid: vm.vmid, name: vm.name, status: now.status, hint: 'A VM tagged spp that no deployment holds; remove it in Proxmox if nobody needs it.' },
        }),
      );
    }
    return report;
  }

  private async vanished(id: number, vmid: number): Promise<boolean> {
    const { portal } = this;
    if ((await portal.proxmox().vmState(vmid)) !== null) return false;
    return writeTx(portal.db, () => {
      const d = portal.deployments.get(id);
      if (!d || d.vmid !== vmid || !SETTLED.has(d.status) || d.pendingAction !== null) return false;
      portal.deployments.update(id, portal.clock(), vanishedFields(vmid));
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'reconcile.vm_vanished', target: { type: 'deployment', id }, deploymentId: id, result: 'failed', details: { vmid, previousStatus: d.status } });
      return true;
    });
  }

  /**
   * A FAILED deployment still holding a VMID: its leftover VM is removed once no task holds it; a VMID with
   * no VM is let go after the grace period (a clone whose answer was lost may still appear meanwhile), or at
   * once when another VM has taken it.
   */
  private async settleLeftover(id: number, vmid: number, listed: VmState | null): Promise<boolean> {
    const { portal } = this;
    const d = portal.deployments.get(id);
    if (!d) return false;
    let state = listed === null ? null : await portal.proxmox().vmState(vmid);
    if (state !== null && state.lock !== null) return false;
    const ours = state !== null && !state.template && (state.name === d.name || state.tags.includes(PORTAL_TAG));
    if (state !== null && ours) {
      try {
        await awaitTask(portal, portal.proxmox().deleteVm(vmid), portal.timings.taskTimeoutMs);
      } catch {
        return false; // tried again by the next pass; the row keeps the VMID meanwhile
      }
      state = await portal.proxmox().vmState(vmid);
      if (state !== null) return false;
    } else if (state === null && portal.clock() - d.updatedAt < portal.timings.leftoverGraceMs) {
      return false;
    }
    const reason = ours ? 'removed' : state !== null ? 'VMID now used by another VM' : 'no VM appeared';
    return writeTx(portal.db, () => {
      const fresh = portal.deployments.get(id);
      if (!fresh || fresh.status !== 'FAILED' || fresh.vmid !== vmid) return false;
      portal.deployments.update(id, portal.clock(), { vmid: null });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'reconcile.leftover_gone', target: { type: 'deployment', id }, deploymentId: id, result: 'ok', details: { vmid, reason } });
      return true;
    });
  }

  /** The row follows the VM's real power state; true when it had to. */
  private async followPower(id: number, vmid: number, listed: 'running' | 'stopped'): Promise<boolean> {
    const { portal } = this;
    const d = portal.deployments.get(id);
    if (!d) return false;
    // An EXPIRED row whose stop is not confirmed yet belongs to the expiry stop (which also sets the marks);
    // only a VM running again after that stop is news.
    if (d.status === 'EXPIRED') {
      if (!d.vmStopped || listed === 'stopped') return false;
    } else if ((d.status === 'RUNNING') === (listed === 'running')) return false;
    const now = await portal.proxmox().vmState(vmid);
    if (now === null || now.status !== listed) return false;
    return writeTx(portal.db, () => {
      const fresh = portal.deployments.get(id);
      if (!fresh || fresh.pendingAction !== null || fresh.status !== d.status || fresh.vmStopped !== d.vmStopped) return false;
      const running = listed === 'running';
      // The error of an action whose answer was lost no longer describes the VM; the audit log keeps it.
      if (fresh.status === 'EXPIRED') portal.deployments.update(id, portal.clock(), { vmStopped: false, lastError: null }); // the sweep stops it again
      else portal.deployments.update(id, portal.clock(), running ? { status: 'RUNNING', vmStopped: false, lastError: null } : { status: 'STOPPED', vmStopped: true, ipAddresses: [], lastError: null });
      portal.audit.append({
        actor: SYSTEM_ACTOR,
        action: 'reconcile.power_changed',
        target: { type: 'deployment', id },
        deploymentId: id,
        result: 'ok',
        details: { vmid, status: fresh.status, vm: listed },
      });
      return true;
    });
  }
}
