/**
 * Provisioning in the background: reserve a VMID, full-clone the template, apply the template's sizes,
 * and the deployment is STOPPED. Clones of one template run one at a time (parallel full clones of one
 * template fail on Proxmox's storage lock). Each step is recorded before the next Proxmox call, so a
 * restarted sidecar resumes where it stopped (see recovery.ts).
 */
import { writeTx } from '../../db/open';
import { SYSTEM_ACTOR } from '../../auth/actor';
import { outcomeUnknown, ProxmoxClient, ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';
import type { Background } from '../background';
import { lastErrorOf } from '../proxmox-failure';
import type { DeploymentRecord, ProvisionStep } from '../../repositories/deployments-repo';
import { waitWhileLocked } from './vm-locks';
import { PORTAL_TAG } from './proxmox-marks';
import { awaitTask } from './pending-action';

const VMID_ATTEMPTS = 5;

export class Provisioner {
  private readonly templateQueues = new Map<number, Promise<unknown>>();

  constructor(
    private readonly portal: Portal,
    private readonly background: Background,
  ) {}

  provision(id: number): Promise<void> {
    return this.background.run('provisioning', () => this.run(id));
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
      vmid = (await this.cloneOfEarlierRun(d)) ?? (await this.inTemplateQueue(template.proxmoxVmid, () => this.clone(px, d, template.proxmoxVmid)));
      this.recordStep(id, 'configure');
      await px.configureVm(vmid, { cores: d.cores, memoryMb: d.memoryMb, tags: [PORTAL_TAG] });
    } catch (err) {
      if (!(err instanceof ProxmoxError)) throw err;
      await this.failed(d, vmid, err);
      return;
    }
    writeTx(portal.db, () => {
      if (portal.deployments.get(id)?.status !== 'PROVISIONING') return;
      portal.deployments.update(id, portal.clock(), { status: 'STOPPED', vmStopped: true, lastError: null, provisionStep: null });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'deployment.provision', target: { type: 'deployment', id }, deploymentId: id, result: 'ok', details: { vmid, owner: d.ownerLogin } });
    });
  }

  /**
   * After a restart: the VM a clone of an earlier run made for this deployment, once Proxmox has finished
   * it; null when no clone was sent or it was rolled back. A VM under the reserved VMID that carries
   * another name is someone else's and is never touched.
   */
  private async cloneOfEarlierRun(d: DeploymentRecord): Promise<number | null> {
    if (d.vmid === null || d.provisionStep === null) return null;
    const state = await waitWhileLocked(this.portal, d.vmid, 'clone', this.portal.timings.cloneTimeoutMs);
    if (state === null || state.name !== d.name || state.template) return null;
    return d.vmid;
  }

  private recordStep(id: number, step: ProvisionStep, vmid?: number): void {
    writeTx(this.portal.db, () => this.portal.deployments.update(id, this.portal.clock(), vmid === undefined ? { provisionStep: step } : { provisionStep: step, vmid }));
  }

  /** Reserves a VMID in the database, then clones; on "already exists" (Proxmox's nextid does not reserve) tries the next one. */
  private async clone(px: ProxmoxClient, d: DeploymentRecord, templateVmid: number): Promise<number> {
    const { portal } = this;
    const refused = new Set<number>();
    for (let attempt = 0; attempt < VMID_ATTEMPTS; attempt++) {
      let candidate = await px.nextVmid();
      // The reservation and the intent to clone are one write, before the clone is sent.
      const vmid = writeTx(portal.db, () => {
        while (refused.has(candidate) || portal.deployments.vmidTaken(candidate, d.id)) candidate++;
        portal.deployments.update(d.id, portal.clock(), { vmid: candidate, provisionStep: 'clone' });
        return candidate;
      });
      try {
        await this.cloneRetryingLocks(px, templateVmid, vmid, d.name);
        return vmid;
      } catch (err) {
        if (!(err instanceof ProxmoxError) || err.kind !== 'already_exists') throw err;
        refused.add(vmid);
        writeTx(portal.db, () => portal.deployments.update(d.id, portal.clock(), { vmid: null, provisionStep: null }));
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

  /**
   * FAILED, with the reason. A VM the clone left behind is removed so that none is orphaned; one that cannot
   * be removed now stays recorded on the row (and keeps counting against the contingent) until a delete
   * of the deployment removes it.
   */
  private async failed(d: DeploymentRecord, vmid: number | null, err: ProxmoxError): Promise<void> {
    const { portal } = this;
    const recorded = portal.deployments.get(d.id)?.vmid ?? vmid;
    let leftover = recorded;
    if (recorded !== null && err.kind !== 'already_exists') {
      try {
        const state = await waitWhileLocked(portal, recorded, 'clone', portal.timings.cloneTimeoutMs);
        if (state !== null && state.name === d.name && !state.template) {
          await awaitTask(portal, portal.proxmox().deleteVm(recorded), portal.timings.taskTimeoutMs);
          leftover = null;
        } else if (state !== null) {
          leftover = null; // another VM under that id: never ours
        } else if (!outcomeUnknown(err)) {
          leftover = null; // Proxmox refused the clone: nothing was made
        }
        // Else a clone whose answer was lost may still appear: the VMID stays reserved on the row and the
        // reconcile pass removes the VM if it comes, or lets the VMID go after a grace period.
      } catch {
        // Proxmox refused again; the row keeps the VMID so a delete of the deployment can retry.
      }
    }
    const failure = lastErrorOf(err);
    writeTx(portal.db, () => {
      portal.deployments.update(d.id, portal.clock(), { status: 'FAILED', vmid: leftover, ...failure, provisionStep: null });
      portal.audit.append({ actor: SYSTEM_ACTOR, action: 'deployment.provision', target: { type: 'deployment', id: d.id }, deploymentId: d.id, result: 'failed', status: 502, details: { vmid: recorded, error: failure.lastErrorDetail, leftoverVmid: leftover } });
    });
  }
}
