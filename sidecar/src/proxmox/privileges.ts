/**
 * The Proxmox privileges the portal's operations need, per PVE major version (the guest-agent privilege
 * was renamed in PVE 9), and where: with a resource pool configured, the VM privileges on that pool only
 * (Proxmox applies a pool's ACL to the VMs in it) and clone rights on the approved templates only; without
 * one, on all of /vms. Test connection reports what the token lacks, and what it holds beyond that.
 *
 * Where Proxmox checks them (qemu-server 9.2 src/PVE/API2/Qemu.pm and Qemu/Agent.pm, pve-access-control 9.1
 * src/PVE/RPCEnvironment.pm):
 * - clone_vm: `VM.Clone` on /vms/{template}, and `VM.Allocate` on /vms/{newid} *or* on /pool/{pool} when the
 *   call names a pool (the new VMID is no member yet, hence the pool branch; no Pool.* privilege is asked);
 *   then `Datastore.AllocateSpace` on each disk's storage and `SDN.Use` on /sdn/zones/{zone}/{vnet} of each
 *   bridge; the VM joins the pool when the clone ends;
 * - start/shutdown/stop `VM.PowerMgmt`, config `VM.Config.*`, destroy `VM.Allocate`, status `VM.Audit`: on
 *   /vms/{vmid}; compile_acl_path gives each pool member the pool's roles on /vms/{vmid}, so a grant on the
 *   pool covers exactly its VMs;
 * - guest agent: network-get-interfaces needs `VM.GuestAgent.Audit` on PVE 9 (exec and set-user-password
 *   `VM.GuestAgent.Unrestricted`, file-read/-write their own privileges); before qemu-server 9.0.3 all of
 *   them, exec and file access included, needed `VM.Monitor`: granted on /vms that reaches into every VM with
 *   an agent, which is why it belongs on the pool.
 */

export interface NeededPrivilege {
  privilege: string;
  /** Where it must hold: a path of Proxmox's ACL tree; `{node}`, `{pool}`, `{template}` are filled in. */
  path: '/vms' | '/pool/{pool}' | '/vms/{template}' | '/nodes/{node}' | '/storage' | '/sdn';
  /**
   * Admins grant these on one storage or one zone (`/storage/local-lvm`, `/sdn/zones/localnetwork`), and
   * which one a clone needs depends on the template; a grant anywhere below the path counts.
   */
  anyBelow?: boolean;
  why: string;
}

/** What the portal does to its own VMs: on the pool, or on /vms without one. */
const ON_VMS: ReadonlyArray<Omit<NeededPrivilege, 'path'>> = [
  { privilege: 'VM.Audit', why: 'read VM status' },
  { privilege: 'VM.Allocate', why: 'create and delete VMs' },
  { privilege: 'VM.Config.CPU', why: "set the template's cores" },
  { privilege: 'VM.Config.Memory', why: "set the template's memory" },
  { privilege: 'VM.Config.Options', why: 'tag VMs and clear start-on-boot when they expire' },
  { privilege: 'VM.PowerMgmt', why: 'start, shut down and stop VMs' },
];

const ELSEWHERE: readonly NeededPrivilege[] = [
  { privilege: 'Datastore.AllocateSpace', path: '/storage', anyBelow: true, why: 'allocate the disks of full clones' },
  { privilege: 'Datastore.Audit', path: '/storage', anyBelow: true, why: 'read the storages clones go to' },
  { privilege: 'SDN.Use', path: '/sdn', anyBelow: true, why: "attach clones to the template's network bridges" },
  { privilege: 'Sys.Audit', path: '/nodes/{node}', why: 'read the node and its tasks' },
];

const agentPrivilege = (pveMajor: number): string => (pveMajor >= 9 ? 'VM.GuestAgent.Audit' : 'VM.Monitor');

export interface TokenScope {
  /** The resource pool the portal clones into; '' for none. */
  pool: string;
  /** The Proxmox VMIDs of the approved templates. */
  templateVmids: readonly number[];
}

export function neededPrivileges(pveMajor: number, scope: TokenScope = { pool: '', templateVmids: [] }): NeededPrivilege[] {
  const vms = scope.pool === '' ? '/vms' : '/pool/{pool}';
  const own: NeededPrivilege[] = [...ON_VMS, { privilege: agentPrivilege(pveMajor), why: "read the guest agent's IP addresses" }].map((p) => ({ ...p, path: vms }));
  const clone: NeededPrivilege[] =
    scope.pool === ''
      ? [{ privilege: 'VM.Clone', path: '/vms', why: 'clone approved templates' }]
      : [
          { privilege: 'VM.Clone', path: '/vms/{template}', why: 'clone this approved template' },
          { privilege: 'VM.Audit', path: '/vms/{template}', why: 'list this approved template' },
        ];
  return [...own, ...clone, ...ELSEWHERE];
}

type Granted = Record<string, Record<string, unknown>>;

/** The privilege holds on `path`: given there, or on an ancestor where it propagates (value 1). */
function holds(granted: Granted, path: string, privilege: string): boolean {
  return ancestorsOf(path).some((p) => {
    const value = granted[p]?.[privilege];
    if (value === undefined) return false;
    return p === path || value === 1 || value === '1' || value === true;
  });
}

/**
 * Which needed privileges a `/access/permissions` answer lacks, each with the path it is needed on. That
 * answer maps paths to privileges, each 1 when it propagates to the path's children and 0 when it holds on
 * that path only.
 */
export function lackingPrivileges(pveMajor: number, node: string, granted: Granted, scope?: TokenScope): Array<NeededPrivilege & { on: string }> {
  const s = scope ?? { pool: '', templateVmids: [] };
  const out: Array<NeededPrivilege & { on: string }> = [];
  for (const need of neededPrivileges(pveMajor, s)) {
    const paths = need.path === '/vms/{template}' ? s.templateVmids.map((v) => `/vms/${v}`) : [need.path.replace('{node}', node).replace('{pool}', s.pool)];
    for (const on of paths) {
      const below = need.anyBelow === true && Object.entries(granted).some(([p, privs]) => p.startsWith(`${on}/`) && privs[need.privilege] !== undefined);
      if (!holds(granted, on, need.privilege) && !below) out.push({ ...need, on });
    }
  }
  return out;
}

/** Privileges that act on a VM (power, configuration, disks, the guest agent, removal). */
const VM_ACTING = /^VM\.(Allocate|PowerMgmt|Config\.|Monitor|GuestAgent\.|Console|Migrate|Backup|Snapshot)/;

/**
 * What the token holds beyond its needs, worth a warning: VM-acting privileges that reach every VM of the
 * cluster (granted on `/` or `/vms`, propagating), when a pool confines the portal; or, without a pool,
 * the advice to configure one.
 */
export function excessPrivileges(granted: Granted, scope: TokenScope): string[] {
  if (scope.pool === '') {
    return ['No resource pool is set: the token needs its VM privileges on all of /vms, so it can power, change and delete every VM in the cluster. Create a pool for the portal, set it here, and grant the role on that pool only (see the README).'];
  }
  const wide: string[] = [];
  for (const path of ['/', '/vms']) {
    for (const [privilege, value] of Object.entries(granted[path] ?? {})) {
      if (!VM_ACTING.test(privilege)) continue;
      if (path === '/' && !(value === 1 || value === '1' || value === true)) continue;
      wide.push(`${privilege} on ${path} reaches every VM in the cluster; grant it on /pool/${scope.pool} only.`);
    }
  }
  return wide;
}

/** `/nodes/pve` → `/nodes/pve`, `/nodes`, `/`. */
function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(`/${parts.slice(0, i).join('/')}`);
  out.push('/');
  return out;
}
