/**
 * Provisioning in the background: reserve a VMID, full-clone the template, apply the template's sizes,
 * and the deployment is STOPPED. Clones of one template run one at a time (parallel full clones of one
 * template fail on Proxmox's storage lock). Each step is recorded before the next Proxmox call, so a
 * restarted sidecar resumes where it stopped (see recovery.ts).
 */
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import { ProxmoxClient, ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';
import type { Background } from '../background';
import { describeProxmoxError } from '../proxmox-failure';
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import { awaitTask } from './pending-action';

const VMID_ATTEMPTS = 5;
/** Proxmox tag marking a VM as the portal's, so an admin (and a later reconcile) can tell. */
export const PORTAL_TAG = 'spp';

export class Provisioner {
  private readonly templateQueues = new Map<number, Promise<unknown>>();

  constructor(
    private readonly portal: Portal,
    private readonly background: Background,
  ) {}

  provision(id: number): void {
    this.background.run('provisioning', () => this.run(id));
  }

  private async run(id: number): Promise<void> {
    const { portal } = this;
    const d = portal.deployments.get(id);
    if (!d || d.status !== 'PROVISIONING') return;
    let vmid = d.vmid;
    try {
      const px = portal.proxmox();
      const template = portal.templates.get(d.templateId);
      if (!template) throw new Error(`template ${d.templateId} is missing`);
      const existing = vmid === null ? null : await px.vmState(vmid);
      if (vmid === null || existing === null) {
        vmid = await this.inTemplateQueue(template.proxmoxVmid, () => this.clone(px, d, template.proxmoxVmid));
      } else if (existing.lock === 'clone') {
        throw new ProxmoxError('locked', `VM ${vmid} is still being cloned by a task the sidecar lost track of`, 'Wait for the clone task to end in Proxmox, then delete this deployment and create it again.');
      }
      await px.configureVm(vmid, { cores: d.cores, memoryMb: d.memoryMb, tags: [PORTAL_TAG] });
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
      await this.failed(d, vmid, err);
      return;
    }
    writeTx(portal.db, () => {
      if (portal.deployments.get(id)?.status !== 'PROVISIONING') return;
      portal.deployments.update(id, portal.clock(), { status: 'STOPPED', vmStopped: true, lastError: null });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'deployment.provision', target: { type: 'deployment', id }, deploymentId: id, result: 'ok', details: { vmid, owner: d.ownerLogin } });
    });
  }

  /** Reserves a VMID in the database, then clones; on "already exists" (Proxmox's nextid does not reserve) tries the next one. */
  private async clone(px: ProxmoxClient, d: DeploymentRecord, templateVmid: number): Promise<number> {
    const { portal } = this;
    const refused = new Set<number>();
    for (let attempt = 0; attempt < VMID_ATTEMPTS; attempt++) {
      let candidate = await px.nextVmid();
      const vmid = writeTx(portal.db, () => {
        while (refused.has(candidate) || portal.deployments.vmidTaken(candidate)) candidate++;
        portal.deployments.update(d.id, portal.clock(), { vmid: candidate });
        return candidate;
      });
      try {
        await this.cloneRetryingLocks(px, templateVmid, vmid, d.name);
        return vmid;
      } catch (err) {
        if (!(err instanceof ProxmoxError) || err.kind !== 'already_exists') throw err;
        refused.add(vmid);
        writeTx(portal.db, () => portal.deployments.update(d.id, portal.clock(), { vmid: null }));
      }
    }
    throw new ProxmoxError('already_exists', `no free VMID found after ${VMID_ATTEMPTS} attempts`);
  }

  /**
   * A clone that failed on a lock (another task held the template's storage) rolled itself back, so the
   * same VMID is tried again after a pause, as Proxmox's own advice for `got timeout` goes.
   */
  private async cloneRetryingLocks(px: ProxmoxClient, templateVmid: number, vmid: number, name: string): Promise<void> {
    const delays = this.portal.timings.lockRetryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await awaitTask(this.portal, px.cloneTemplate({ templateVmid, newVmid: vmid, name }), this.portal.timings.cloneTimeoutMs);
        return;
      } catch (err) {
        const delay = delays[attempt];
        if (!(err instanceof ProxmoxError) || err.kind !== 'locked' || delay === undefined) throw err;
        // Only when the failed clone left nothing behind; a VM still there is not ours to overwrite.
        if ((await px.vmState(vmid)) !== null) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private inTemplateQueue<T>(templateVmid: number, work: () => Promise<T>): Promise<T> {
    const previous = this.templateQueues.get(templateVmid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.templateQueues.set(templateVmid, next);
    void next.finally(() => {
      if (this.templateQueues.get(templateVmid) === next) this.templateQueues.delete(templateVmid);
    }).catch(() => undefined);
    return next;
  }

  /** FAILED, with the reason; a VM the clone left behind is removed so that none is orphaned. */
  private async failed(d: DeploymentRecord, vmid: number | null, err: ProxmoxError): Promise<void> {
    const { portal } = this;
    let leftover = vmid;
    if (vmid !== null && err.kind !== 'already_exists') {
      try {
        const state = await portal.proxmox().vmState(vmid);
        if (state && state.lock === null) await awaitTask(portal, portal.proxmox().deleteVm(vmid), portal.timings.taskTimeoutMs);
        if (state === null || state.lock === null) leftover = null;
      } catch {
        // The VM stays recorded on the FAILED row; deleting the deployment retries its removal.
      }
    }
    const message = describeProxmoxError(err);
    writeTx(portal.db, () => {
      portal.deployments.update(d.id, portal.clock(), { status: 'FAILED', vmid: leftover, lastError: message });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'deployment.provision', target: { type: 'deployment', id: d.id }, deploymentId: d.id, result: 'failed', status: 502, details: { vmid, error: message, leftoverVmid: leftover } });
    });
  }
}
