/** A deployment as the API shows it to one caller, with `can` computed for that caller. */
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import { Caller, Can, canFor } from '../access';
import { iso } from '../clock';

export interface DeploymentJson {
  id: number;
  name: string;
  status: string;
  template: { id: number; name: string; osType: string };
  owner: { id: number; login: string; name: string };
  vmid: number | null;
  node: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  ipAddresses: string[];
  neverExpires: boolean;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The caller sees it because it was shared with them. */
  sharedWithMe: boolean;
  /** A Proxmox action under way (start, stop, delete), for progress in the UI. */
  pendingAction: string | null;
  /** Why the last Proxmox action failed, as a person can read it. */
  lastError: string | null;
  can: Can;
}

export function deploymentJson(d: DeploymentRecord, caller: Caller): DeploymentJson {
  return {
    id: d.id,
    name: d.name,
    status: d.status,
    template: { id: d.templateId, name: d.templateName, osType: d.templateOsType },
    owner: { id: d.ownerId, login: d.ownerLogin, name: d.ownerName },
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
    lastError: d.lastError,
    can: canFor(caller, d),
  };
}
