/**
 * The Proxmox privileges the portal's operations need, per PVE major version (the guest-agent privilege
 * was renamed in PVE 9). Test connection reports whatever of these the token lacks.
 */

export interface NeededPrivilege {
  privilege: string;
  /** Where it must hold: a path of Proxmox's ACL tree, `{node}` replaced by the configured node. */
  path: '/vms' | '/nodes/{node}' | '/storage' | '/sdn';
  /**
   * Admins grant these on one storage or one zone (`/storage/local-lvm`, `/sdn/zones/localnetwork`), and
   * which one a clone needs depends on the template; a grant anywhere below the path counts.
   */
  anyBelow?: boolean;
  why: string;
}

const COMMON: readonly NeededPrivilege[] = [
  { privilege: 'VM.Audit', path: '/vms', why: 'read VM status and list templates' },
  { privilege: 'VM.Clone', path: '/vms', why: 'clone approved templates' },
  { privilege: 'VM.Allocate', path: '/vms', why: 'create and delete VMs' },
  { privilege: 'VM.Config.CPU', path: '/vms', why: "set the template's cores" },
  { privilege: 'VM.Config.Memory', path: '/vms', why: "set the template's memory" },
  { privilege: 'VM.Config.Options', path: '/vms', why: 'tag VMs and clear start-on-boot when they expire' },
  { privilege: 'VM.PowerMgmt', path: '/vms', why: 'start, shut down and stop VMs' },
  { privilege: 'Datastore.AllocateSpace', path: '/storage', anyBelow: true, why: 'allocate the disks of full clones' },
  { privilege: 'Datastore.Audit', path: '/storage', anyBelow: true, why: 'read the storages clones go to' },
  { privilege: 'SDN.Use', path: '/sdn', anyBelow: true, why: "attach clones to the template's network bridges" },
  { privilege: 'Sys.Audit', path: '/nodes/{node}', why: 'read the node and its tasks' },
];

export function neededPrivileges(pveMajor: number): NeededPrivilege[] {
  const agent: NeededPrivilege =
    pveMajor >= 9
      ? { privilege: 'VM.GuestAgent.Audit', path: '/vms', why: "read the guest agent's IP addresses" }
      : { privilege: 'VM.Monitor', path: '/vms', why: "read the guest agent's IP addresses" };
  return [...COMMON, agent];
}

/**
 * Which needed privileges a `/access/permissions` answer lacks. That answer maps paths to privileges, each
 * 1 when it propagates to the path's children and 0 when it holds on that path only; so a privilege counts
 * on the needed path itself, or on an ancestor when it propagates.
 */
export function lackingPrivileges(pveMajor: number, node: string, granted: Record<string, Record<string, unknown>>): NeededPrivilege[] {
  return neededPrivileges(pveMajor).filter((need) => {
    const path = need.path.replace('{node}', node);
    const onPathOrAncestor = ancestorsOf(path).some((p) => {
      const value = granted[p]?.[need.privilege];
      if (value === undefined) return false;
      return p === path || value === 1 || value === '1' || value === true;
    });
    const below = need.anyBelow === true && Object.entries(granted).some(([p, privs]) => p.startsWith(`${path}/`) && privs[need.privilege] !== undefined);
    return !onPathOrAncestor && !below;
  });
}

/** `/nodes/pve` → `/nodes/pve`, `/nodes`, `/`. */
function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(`/${parts.slice(0, i).join('/')}`);
  out.push('/');
  return out;
}
