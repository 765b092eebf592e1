/** A deployment as the API shows it to one caller, with `can` computed for that caller. */
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import { Caller, seesProxmoxDetail } from '../access';
import { canFor } from './policy';
import type { Deployment } from '@spp/contract';
import { iso } from '../clock';
import { prolongBase, prolongOffer } from './ttl';

/** The API's deployment object (contract/src/wire.ts). */
export type DeploymentJson = Deployment;

/** `now`: the request's time, which the prolong offer is computed at. */
export function deploymentJson(d: DeploymentRecord, caller: Caller, now: number): DeploymentJson {
  return {
    id: d.id,
    name: d.name,
    status: d.status,
    template: { id: d.templateId, name: d.templateName, osType: d.templateOsType },
    owner: { id: d.ownerId, login: d.ownerLogin, name: d.ownerName, removed: d.ownerRemoved },
    vmid: d.vmid,
    node: d.node,
    cores: d.cores,
    memoryMb: d.memoryMb,
    diskGb: d.diskGb,
    ipAddresses: d.ipAddresses,
    neverExpires: d.neverExpires,
    expiresAt: iso(d.expiresAt),
    createdAt: iso(d.createdAt) as string,
    updatedAt: iso(d.updatedAt) as string,
    sharedWithMe: d.sharedWithViewer,
    pendingAction: d.pendingAction,
    lastError: seesProxmoxDetail(caller) ? (d.lastErrorDetail ?? d.lastError) : d.lastError,
    can: canFor(caller, d),
    prolong: prolongOffer(now, prolongBase(d, now), { maxTtlHours: d.templateMaxTtlHours, defaultTtlHours: d.templateDefaultTtlHours }),
  };
}
