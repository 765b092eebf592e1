/**
 * The reconcile pass (at start and periodically): Proxmox and the portal's database are compared, and
 * what disagrees is recorded in the audit log.
 *  - A deployment whose VM vanished outside the portal becomes FAILED (it can never start again), and its
 *    memory is released, since the VM is really gone.
 *  - A FAILED deployment whose leftover VM is gone lets go of its VMID (and memory).
 *  - A VM carrying the portal's tag that no deployment holds is reported once per sidecar run; it is left
 *    alone, because only an admin can tell whether someone still needs it.
 * Each finding is checked again with a direct read before anything is written, so work that moved on
 * between the listing and the database read is never mistaken for drift.
 */
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import type { VmState } from '../../proxmox/client';
import type { Portal } from '../portal';
import { PORTAL_TAG } from './proxmox-marks';

export interface ReconcileReport {
  vanished: number[];
  leftoversGone: number[];
  untrackedVmids: number[];
}

const SETTLED = new Set(['STOPPED', 'RUNNING', 'EXPIRED']);

export class Reconciler {
  /** Untracked VMIDs already reported by this run of the sidecar. */
  private readonly reported = new Set<number>();

  constructor(private readonly portal: Portal) {}

  async run(): Promise<ReconcileReport> {
    const { portal } = this;
    const px = portal.proxmox();
    const onNode = new Map<number, VmState>((await px.listVms()).map((vm) => [vm.vmid, vm]));
    const report: ReconcileReport = { vanished: [], leftoversGone: [], untrackedVmids: [] };

    const holders = portal.deployments.vmHolders();
    for (const h of holders) {
      if (onNode.has(h.vmid) || h.pendingAction !== null) continue;
      const vanished = SETTLED.has(h.status);
      const leftover = h.status === 'FAILED';
      if (!vanished && !leftover) continue; // PROVISIONING and DELETING are their workers' business
      if ((await px.vmState(h.vmid)) !== null) continue;
      const changed = writeTx(portal.db, () => {
        const d = portal.deployments.get(h.id);
        if (!d || d.vmid !== h.vmid || d.status !== h.status || d.pendingAction !== null) return false;
        if (vanished) {
          const message = `VM ${h.vmid} was removed outside the portal; this deployment cannot be started again. Delete it to clear it from the list.`;
          portal.deployments.update(h.id, portal.clock(), { status: 'FAILED', vmid: null, vmStopped: true, ipAddresses: [], lastError: message });
          portal.audit.append({ actor: SYSTEM_ACTOR, action: 'reconcile.vm_vanished', target: { type: 'deployment', id: h.id }, deploymentId: h.id, result: 'failed', details: { vmid: h.vmid, previousStatus: h.status } });
        } else {
          portal.deployments.update(h.id, portal.clock(), { vmid: null });
          portal.audit.append({ actor: SYSTEM_ACTOR, action: 'reconcile.leftover_gone', target: { type: 'deployment', id: h.id }, deploymentId: h.id, result: 'ok', details: { vmid: h.vmid } });
        }
        return true;
      });
      if (changed) (vanished ? report.vanished : report.leftoversGone).push(h.id);
    }

    const held = new Set(portal.deployments.vmHolders().map((h) => h.vmid));
    for (const vm of onNode.values()) {
      if (vm.template || !vm.tags.includes(PORTAL_TAG) || held.has(vm.vmid) || this.reported.has(vm.vmid)) continue;
      const now = await px.vmState(vm.vmid);
      if (now === null || portal.deployments.vmHolders().some((h) => h.vmid === vm.vmid)) continue;
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
}
