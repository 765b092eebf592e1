/**
 * Privileges, token ACLs and Proxmox's permission-check evaluator (`PVE::RPCEnvironment::check_api2_permissions`
 * / `exec_api2_perm_check` / `check_full`), including its exact 403 texts:
 *   - a single privilege:        `Permission check failed (/vms/123, VM.PowerMgmt)`
 *   - an `any` list:             `Permission check failed (/vms/123, VM.Config.Disk|VM.Config.CDROM|...)`
 *   - an `or` with no match:     `Permission check failed`
 */
import type { SimVersion } from '../src/proxmox/model/types';

const COMMON = [
  'Datastore.Allocate',
  'Datastore.AllocateSpace',
  'Datastore.AllocateTemplate',
  'Datastore.Audit',
  'Group.Allocate',
  'Mapping.Audit',
  'Mapping.Modify',
  'Mapping.Use',
  'Permissions.Modify',
  'Pool.Allocate',
  'Pool.Audit',
  'Realm.Allocate',
  'Realm.AllocateUser',
  'SDN.Allocate',
  'SDN.Audit',
  'SDN.Use',
  'Sys.AccessNetwork',
  'Sys.Audit',
  'Sys.Console',
  'Sys.Incoming',
  'Sys.Modify',
  'Sys.PowerMgmt',
  'Sys.Syslog',
  'User.Modify',
  'VM.Allocate',
  'VM.Audit',
  'VM.Backup',
  'VM.Clone',
  'VM.Config.CDROM',
  'VM.Config.CPU',
  'VM.Config.Cloudinit',
  'VM.Config.Disk',
  'VM.Config.HWType',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.Options',
  'VM.Console',
  'VM.Migrate',
  'VM.PowerMgmt',
  'VM.Snapshot',
  'VM.Snapshot.Rollback',
];

/** Every privilege a role can hold in that release (the Administrator role has all of them). */
export function allPrivileges(version: SimVersion): string[] {
  const extra =
    version === '8.4'
      ? ['VM.Monitor']
      : ['VM.GuestAgent.Audit', 'VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt', 'VM.GuestAgent.FileWrite', 'VM.GuestAgent.Unrestricted', 'VM.Replicate'];
  return [...COMMON, ...extra].sort();
}

/** What the portal's token needs (NOTES.md "The privileges the portal needs"), per release. */
export function portalPrivileges(version: SimVersion): string[] {
  return [
    'VM.Audit',
    'VM.Clone',
    'VM.Allocate',
    'VM.Config.CPU',
    'VM.Config.Memory',
    'VM.Config.Options',
    'VM.PowerMgmt',
    version === '8.4' ? 'VM.Monitor' : 'VM.GuestAgent.Audit',
    'Datastore.AllocateSpace',
    'Datastore.Audit',
    'SDN.Use',
    'Sys.Audit',
  ];
}

/** One ACL entry of a token: privilege `priv` on `path`, propagated to everything below. */
export interface Grant {
  path: string;
  priv: string;
}

/**
 * Parses the privilege list of a token. `'VM.Audit'` grants on `/` (propagating to every path);
 * `'/vms/9001:VM.Audit'` grants only on that path and below. `'all'` is the Administrator role on `/`.
 */
export function parseGrants(spec: string[] | 'all', version: SimVersion): Grant[] {
  const known = new Set(allPrivileges(version));
  if (spec === 'all') return [...known].map((priv) => ({ path: '/', priv }));
  return spec.map((entry) => {
    const i = entry.lastIndexOf(':');
    const path = i >= 0 ? normalizePath(entry.slice(0, i)) : '/';
    const priv = i >= 0 ? entry.slice(i + 1) : entry;
    if (!known.has(priv)) throw new Error(`unknown privilege '${priv}' for PVE ${version} (known: ${[...known].join(', ')})`);
    return { path, priv };
  });
}

/** `PVE::AccessControl::normalize_path`: collapse slashes, no trailing slash, leading slash. */
export function normalizePath(path: string): string {
  let p = `/${path}`.replace(/\/+/g, '/');
  if (p.length > 1) p = p.replace(/\/$/, '');
  return p;
}

function covers(grantPath: string, path: string): boolean {
  return grantPath === '/' || path === grantPath || path.startsWith(`${grantPath}/`);
}

/** Effective privileges on `path`: name → 1 (all simulated grants propagate). */
export function permissionsOn(grants: Grant[], path: string): Record<string, 1> {
  const out: Record<string, 1> = {};
  const p = normalizePath(path);
  for (const g of grants) if (covers(g.path, p)) out[g.priv] = 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))) as Record<string, 1>;
}

export function hasPriv(grants: Grant[], path: string, priv: string): boolean {
  const p = normalizePath(path);
  return grants.some((g) => g.priv === priv && covers(g.path, p));
}

/**
 * The grants as Proxmox evaluates them for the VMs of resource pools: `PVE::RPCEnvironment::permissions`
 * adds the ACL of `/pool/{pool}` to `/vms/{vmid}` of each member, so a role granted on a pool covers its
 * VMs (and nothing else).
 */
export function withPoolMembers(grants: Grant[], members: Iterable<{ vmid: number; pool: string | null }>): Grant[] {
  const out = [...grants];
  for (const { vmid, pool } of members) {
    if (pool === null) continue;
    for (const g of grants) if (g.path !== '/' && covers(g.path, `/pool/${pool}`)) out.push({ path: `/vms/${vmid}`, priv: g.priv });
  }
  return out;
}

/** A 403 with Proxmox's message (without the trailing newline). */
export class PermissionDenied extends Error {
  constructor(what?: string) {
    super(what ? `Permission check failed (${what})` : 'Permission check failed');
  }
}

/** `check($user, $path, [$priv])`: dies with `($path, $priv)` for the first missing one. */
export function checkPrivs(grants: Grant[], path: string, privs: string[]): void {
  const p = normalizePath(path);
  for (const priv of privs) if (!hasPriv(grants, p, priv)) throw new PermissionDenied(`${p}, ${priv}`);
}

/** `check_full(..., any=1)`: one of them is enough; the message lists all, joined by `|`. */
export function checkAny(grants: Grant[], path: string, privs: string[]): void {
  const p = normalizePath(path);
  if (!privs.some((priv) => hasPriv(grants, p, priv))) throw new PermissionDenied(`${p}, ${privs.join('|')}`);
}

function templateReplace(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, key: string) => {
    const v = params[key];
    return v === undefined || v === null ? '' : String(v);
  });
}

export type PermCheck = unknown[];

/** `exec_api2_perm_check`: returns false (noerr) or throws PermissionDenied. */
export function execPermCheck(check: PermCheck, grants: Grant[], params: Record<string, unknown>, noerr = false): boolean {
  const [test, ...rest] = check;
  if (test === 'or') {
    for (const sub of rest) if (execPermCheck(sub as PermCheck, grants, params, true)) return true;
    if (noerr) return false;
    throw new PermissionDenied();
  }
  if (test === 'and') {
    for (const sub of rest) if (!execPermCheck(sub as PermCheck, grants, params, noerr)) return false;
    return true;
  }
  if (test === 'perm') {
    const [tmplPath, privs, ...opts] = rest as [string, string[], ...unknown[]];
    const options: Record<string, unknown> = {};
    for (let i = 0; i + 1 < opts.length; i += 2) options[String(opts[i])] = opts[i + 1];
    const requireParam = options['require_param'];
    if (typeof requireParam === 'string' && (params[requireParam] === undefined || params[requireParam] === null)) {
      if (noerr) return false;
      throw new PermissionDenied();
    }
    const path = normalizePath(templateReplace(tmplPath, params));
    try {
      if (options['any']) checkAny(grants, path, privs);
      else checkPrivs(grants, path, privs);
      return true;
    } catch (err) {
      if (noerr && err instanceof PermissionDenied) return false;
      throw err;
    }
  }
  // userid-group, userid-param, ...: not used by the simulated endpoints; refuse like an unknown check.
  if (noerr) return false;
  throw new PermissionDenied();
}

/** `check_api2_permissions` for a token (never root@pam). */
export function checkApiPermissions(
  permissions: { user?: string; check?: PermCheck } | null,
  grants: Grant[],
  params: Record<string, unknown>,
): void {
  if (!permissions) throw new PermissionDenied('user != root@pam');
  if (permissions.user === 'all' || permissions.user === 'world') return;
  if (permissions.check) {
    execPermCheck(permissions.check, grants, params);
    return;
  }
  throw new PermissionDenied();
}
