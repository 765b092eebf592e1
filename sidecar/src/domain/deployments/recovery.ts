/**
 * At start: finish what a stopped sidecar left half done. Provisioning resumes from its recorded step,
 * a delete is carried through, and a start or stop takes the VM's real state from Proxmox.
 */
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import { ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';
import type { Background } from '../background';
import type { Provisioner } from './provisioner';
import { removeVm } from './delete-deployment';
import type { IpWatcher } from './ip-watcher';

export async function recover(portal: Portal, background: Background, provisioner: Provisioner, ips: IpWatcher): Promise<void> {
  for (const id of portal.deployments.idsWith(['PROVISIONING'])) provisioner.provision(id);
  for (const id of portal.deployments.idsWithPendingAction()) {
    const d = portal.deployments.get(id);
    if (!d) continue;
    if (d.pendingAction === 'delete') {
      background.run('resume delete', () => removeVm(portal, SYSTEM_ACTOR, id, d.vmid, 'DELETING', d.name).catch(() => undefined));
      continue;
    }
    let running: boolean | null = null;
    try {
      running = d.vmid === null ? false : (await portal.proxmox().vmState(d.vmid))?.status === 'running';
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
    }
    writeTx(portal.db, () => {
      const status = running === null ? d.status : running ? 'RUNNING' : 'STOPPED';
      portal.deployments.update(id, portal.clock(), { pendingAction: null, status, vmStopped: running === false });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'deployment.recover', target: { type: 'deployment', id }, deploymentId: id, result: running === null ? 'failed' : 'ok', details: { interruptedAction: d.pendingAction, status } });
    });
    if (running) ips.watch(id);
  }
}
