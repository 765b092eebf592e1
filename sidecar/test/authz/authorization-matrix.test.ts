/**
 * The authorization matrix, generated: every route of the REST contract (api.md, copied below as data)
 * × callers holding each single right of RIGHTS (with portal.view, and alone) × the caller's relation to
 * the target deployment (owner / shared with / other / no such deployment). An oracle written from
 * api.md's rules predicts each answer, and the live sidecar must give it. Refusals must change nothing;
 * each 403 leaves exactly one `refused` audit row for the refused action. Successes are checked for their
 * effect, on a fresh target wherever the route changes it. A second world checks the bootstrap rule.
 *
 * The rules the oracle encodes (api.md, "Rights", "Routes", "Errors"):
 * - a route's right is checked first: lacking it is a 403 whose message names the right, whatever the
 *   target (so the answer never depends on whether the deployment exists);
 * - portal.view opens the portal: every route of the Portal table needs it (the table names it for the
 *   lists; for the rest it is what "view own and shared deployments" and "visible" rest on), the
 *   Administration routes need only their own right, `/me` only a signature;
 * - visible = own, shared with the caller, or any with deployments.manage_all; a deployment the caller
 *   may not see is a 404, exactly like one that does not exist;
 * - shares: owner or manage_all, so a user it is shared with gets a 403; delete: owner with
 *   deployments.delete, or manage_all, so a user it is shared with never deletes without manage_all (403);
 * - bootstrap: while no user holds rights.manage, an actor with the `manage_options` capability holds
 *   every right; once someone holds rights.manage only plugin rights count;
 * - the directory routes are for the system actor only; the system actor holds no portal right.
 */
import { createHash } from 'node:crypto';
import { Answer, Harness, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS, RIGHTS, Right } from '@spp/contract';
import type { DeploymentRecord } from '../../src/repositories/deployments-repo';

// ---------------------------------------------------------------------------------------------------
// The oracle (api.md's rules, nothing from src but the rights catalogue).

const PV: Right = 'portal.view';
const MANAGE_ALL: Right = 'deployments.manage_all';
const DELETE_OWN: Right = 'deployments.delete';
const LABEL = new Map<Right, string>(RIGHTS.map((r) => [r.slug, r.label]));

type Relation = 'owner' | 'shared' | 'other';
type Rel = Relation | 'ghost' | 'none';
type State = 'STOPPED' | 'RUNNING';

interface CallerModel {
  system: boolean;
  /** Effective rights (bootstrap applied). */
  rights: ReadonlySet<Right>;
  bootstrap: boolean;
}

interface Rule {
  /** Every one of these is needed. */
  all: readonly Right[];
  /** At least one of these is needed. */
  any?: readonly Right[];
  /** Directory routes: the system actor only. */
  systemOnly?: boolean;
  /** Once the rights are there, what the caller must be to the target deployment. */
  target?: 'visible' | 'ownerOrManageAll' | 'ownerWithDeleteOrManageAll';
}

type Outcome = { status: 200 | 201 } | { status: 404 } | { status: 403; names: readonly Right[] };

function visibleTo(c: CallerModel, rel: Rel): boolean {
  return rel === 'owner' || rel === 'shared' || (rel === 'other' && c.rights.has(MANAGE_ALL));
}

function oracle(rule: Rule, ok: 200 | 201, c: CallerModel, rel: Rel): Outcome {
  if (rule.systemOnly) return c.system ? { status: ok } : { status: 403, names: [] };
  if (c.system) return { status: 403, names: [] };
  const missing = rule.all.filter((r) => !c.rights.has(r));
  if (rule.any && !rule.any.some((r) => c.rights.has(r))) missing.push(...rule.any);
  if (missing.length > 0) return { status: 403, names: missing };
  if (rule.target === undefined) return { status: ok };
  if (!visibleTo(c, rel)) return { status: 404 };
  const all = c.rights.has(MANAGE_ALL);
  if (rule.target === 'ownerOrManageAll' && rel !== 'owner' && !all) return { status: 403, names: [MANAGE_ALL] };
  if (rule.target === 'ownerWithDeleteOrManageAll' && !(rel === 'owner' && c.rights.has(DELETE_OWN)) && !all) return { status: 403, names: [MANAGE_ALL] };
  return { status: ok };
}

function modelOf(def: UserDef | 'system', someoneHoldsRightsManage: boolean): CallerModel {
  if (def === 'system') return { system: true, rights: new Set(), bootstrap: false };
  const bootstrap = (def.caps ?? []).includes('manage_options') && !someoneHoldsRightsManage;
  return { system: false, rights: new Set(bootstrap ? ALL_RIGHTS : def.rights), bootstrap };
}

// ---------------------------------------------------------------------------------------------------
// The routes of api.md, with how each is called and what a success must have done.

const GHOST_ID = 999_999;
/** The seeded 'Turnkey PBX Test Appliance': 2048 MB, at most 72 hours. */
const TEMPLATE_ID = 1;
const CAROL_ID = 60;
const DAVE_ID = 61;
const PAT_ID = 900;
const VICTIM_ID = 901;

interface Ctx {
  w: World;
  caller: Caller;
  rel: Rel;
  n: number;
  deployment: number;
  deploymentName: string;
  before: DeploymentRecord | null;
  templateId: number;
  userId: number;
}

interface RouteDef {
  /** `METHOD path` as api.md writes it (under /v1). */
  key: string;
  rule: Rule;
  ok: 200 | 201;
  /** The audit action a refusal is recorded under. */
  action: string;
  /** Routes on one deployment: the state the target is in, and whether a success changes it. */
  deployment?: { state: State; mutates: boolean; listing?: boolean };
  /** api.md says what `/me` is for a signed user; for the system actor it says nothing. */
  notForSystem?: boolean;
  url(c: Ctx): string;
  body?(c: Ctx): unknown;
  prepare?(c: Ctx, succeeds: boolean): Promise<void>;
  verify(c: Ctx, res: Answer): void | Promise<void>;
}

const row = (c: Ctx) => c.w.h.portal.deployments.get(c.deployment);
const vmOf = (c: Ctx, vmid: number | null | undefined) => c.w.h.sidecar.mock.vms().find((v) => v.vmid === vmid);
const HOUR_MS = 3_600_000;

const ROUTES: RouteDef[] = [
  // Portal
  {
    key: 'GET /templates',
    rule: { all: [PV] },
    ok: 200,
    action: 'template.catalog',
    url: () => '/v1/templates',
    verify: (_c, res) => {
      expect(res.body.map((t: { proxmoxVmid: number }) => t.proxmoxVmid)).toEqual(expect.arrayContaining([9001, 9002, 9003]));
      expect(res.body.filter((t: { active: boolean }) => t.active !== true)).toEqual([]);
    },
  },
  {
    key: 'GET /quota',
    rule: { all: [PV] },
    ok: 200,
    action: 'quota.read',
    url: () => '/v1/quota',
    verify: (c, res) => expect(res.body).toEqual(c.w.h.portal.contingents.quota(c.caller.id)),
  },
  {
    key: 'GET /deployments',
    rule: { all: [PV] },
    ok: 200,
    action: 'deployment.list',
    deployment: { state: 'STOPPED', mutates: false, listing: true },
    url: (c) => `/v1/deployments?per_page=100&search=${c.deploymentName}`,
    verify: (c, res) => {
      const ids = res.body.map((d: { id: number }) => d.id);
      expect({ listed: ids.includes(c.deployment) }).toEqual({ listed: visibleTo(c.caller.model, c.rel) });
    },
  },
  {
    key: 'GET /deployments/:id',
    rule: { all: [PV], target: 'visible' },
    ok: 200,
    action: 'deployment.read',
    deployment: { state: 'STOPPED', mutates: false },
    url: (c) => `/v1/deployments/${c.deployment}`,
    verify: (c, res) => {
      expect(res.body).toMatchObject({ id: c.deployment, name: c.deploymentName, status: 'STOPPED' });
      expect(res.body.can).toEqual(expectedCan(c.caller.model, c.rel, 'STOPPED'));
    },
  },
  {
    key: 'POST /deployments',
    rule: { all: [PV, 'deployments.create'] },
    ok: 201,
    action: 'deployment.create',
    url: () => '/v1/deployments',
    body: (c) => ({ templateId: TEMPLATE_ID, name: `new${c.n}-z`, ttlHours: 8 }),
    verify: (c, res) => {
      expect(res.headers.get('location')).toBe(`/v1/deployments/${res.body.id}`);
      expect(res.body).toMatchObject({ name: `new${c.n}-z`, owner: { id: c.caller.id }, memoryMb: 2048 });
      const d = c.w.h.portal.deployments.get(res.body.id);
      expect(d).toMatchObject({ status: 'STOPPED', ownerId: c.caller.id });
      expect(vmOf(c, d?.vmid)?.name).toBe(`new${c.n}-z`);
    },
  },
  {
    key: 'POST /deployments/:id/start',
    rule: { all: [PV, 'deployments.start'], target: 'visible' },
    ok: 200,
    action: 'deployment.start',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/start`,
    verify: (c, res) => {
      expect(res.body.status).toBe('RUNNING');
      expect(row(c)?.status).toBe('RUNNING');
      expect(vmOf(c, c.before?.vmid)?.status).toBe('running');
    },
  },
  {
    key: 'POST /deployments/:id/stop',
    rule: { all: [PV, 'deployments.stop'], target: 'visible' },
    ok: 200,
    action: 'deployment.stop',
    deployment: { state: 'RUNNING', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/stop`,
    verify: (c, res) => {
      expect(res.body.status).toBe('STOPPED');
      expect(row(c)?.status).toBe('STOPPED');
      expect(vmOf(c, c.before?.vmid)?.status).toBe('stopped');
    },
  },
  {
    key: 'POST /deployments/:id/prolong',
    rule: { all: [PV, 'deployments.prolong'], target: 'visible' },
    ok: 200,
    action: 'deployment.prolong',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/prolong`,
    body: () => ({ ttlHours: 1 }),
    verify: (c, res) => {
      const expiresAt = new Date((c.before?.expiresAt ?? Number.NaN) + HOUR_MS).toISOString();
      expect(res.body.expiresAt).toBe(expiresAt);
      expect(row(c)?.expiresAt).toBe((c.before?.expiresAt ?? Number.NaN) + HOUR_MS);
    },
  },
  {
    key: 'POST /deployments/:id/refresh-ips',
    rule: { all: [PV, 'deployments.refresh_ips'], target: 'visible' },
    ok: 200,
    action: 'deployment.refresh_ips',
    deployment: { state: 'RUNNING', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/refresh-ips`,
    verify: (c, res) => {
      expect(res.body.ipAddresses.length).toBeGreaterThan(0);
      expect(row(c)?.ipAddresses).toEqual(res.body.ipAddresses);
      const last = c.w.newAuditRows(0).filter((r) => r.deployment_id === c.deployment).pop();
      expect(last).toMatchObject({ action: 'deployment.refresh_ips', result: 'ok', actor_id: c.caller.id });
    },
  },
  {
    key: 'PUT /deployments/:id/owner',
    rule: { all: [PV, 'deployments.manage_all'], target: 'visible' },
    ok: 200,
    action: 'deployment.hand_over',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/owner`,
    body: () => ({ userId: CAROL_ID }),
    verify: (c, res) => {
      expect(res.body.owner).toMatchObject({ id: CAROL_ID, removed: false });
      expect(row(c)?.ownerId).toBe(CAROL_ID);
    },
  },
  {
    key: 'GET /deployments/:id/shares',
    rule: { all: [PV], target: 'ownerOrManageAll' },
    ok: 200,
    action: 'share.list',
    deployment: { state: 'STOPPED', mutates: false },
    url: (c) => `/v1/deployments/${c.deployment}/shares`,
    verify: (_c, res) => expect(res.body.map((s: { user: { id: number } }) => s.user.id)).toContain(CAROL_ID),
  },
  {
    key: 'POST /deployments/:id/shares',
    rule: { all: [PV], target: 'ownerOrManageAll' },
    ok: 201,
    action: 'share.add',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/shares`,
    body: () => ({ user: 'dave' }),
    verify: (c, res) => {
      expect(res.body.user.id).toBe(DAVE_ID);
      expect(c.w.h.portal.shares.exists(c.deployment, DAVE_ID)).toBe(true);
    },
  },
  {
    key: 'DELETE /deployments/:id/shares/:userId',
    rule: { all: [PV], target: 'ownerOrManageAll' },
    ok: 200,
    action: 'share.remove',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}/shares/${CAROL_ID}`,
    verify: (c) => expect(c.w.h.portal.shares.exists(c.deployment, CAROL_ID)).toBe(false),
  },
  {
    key: 'DELETE /deployments/:id',
    rule: { all: [PV], any: [DELETE_OWN, MANAGE_ALL], target: 'ownerWithDeleteOrManageAll' },
    ok: 200,
    action: 'deployment.delete',
    deployment: { state: 'STOPPED', mutates: true },
    url: (c) => `/v1/deployments/${c.deployment}`,
    verify: (c) => {
      expect(row(c)?.status).toBe('DELETED');
      expect(c.before?.vmid).not.toBeNull();
      expect(vmOf(c, c.before?.vmid)).toBeUndefined();
    },
  },
  // Administration
  {
    key: 'GET /me',
    rule: { all: [] },
    ok: 200,
    action: 'me.read',
    notForSystem: true,
    url: () => '/v1/me',
    verify: (c, res) => {
      expect(new Set(res.body.rights)).toEqual(c.caller.model.rights);
      expect(res.body.bootstrap).toBe(c.caller.model.bootstrap);
      expect(res.body.user.id).toBe(c.caller.id);
    },
  },
  {
    key: 'GET /settings',
    rule: { all: ['settings.manage'] },
    ok: 200,
    action: 'settings.read',
    url: () => '/v1/settings',
    verify: (_c, res) => {
      expect(res.body).toMatchObject({ mode: 'mock', node: 'pve-01', tokenSecretSet: false });
      expect(res.body).not.toHaveProperty('tokenSecret');
    },
  },
  {
    key: 'PUT /settings',
    rule: { all: ['settings.manage'] },
    ok: 200,
    action: 'settings.update',
    url: () => '/v1/settings',
    body: (c) => ({ tokenId: `spp@pve!matrix${c.n}` }),
    verify: (c, res) => {
      expect(res.body.tokenId).toBe(`spp@pve!matrix${c.n}`);
      expect(c.w.h.portal.settings.view().tokenId).toBe(`spp@pve!matrix${c.n}`);
    },
  },
  {
    key: 'POST /settings/test',
    rule: { all: ['settings.manage'] },
    ok: 200,
    action: 'settings.test',
    url: () => '/v1/settings/test',
    verify: (_c, res) => expect(res.body).toMatchObject({ mode: 'mock', version: '9.1.3', missingPrivileges: [] }),
  },
  {
    key: 'GET /admin/templates',
    rule: { all: ['templates.manage'] },
    ok: 200,
    action: 'template.list',
    url: () => '/v1/admin/templates',
    verify: (c, res) => expect(res.body.map((t: { id: number }) => t.id)).toEqual(expect.arrayContaining([1, 2, 3, c.w.putTemplateId])),
  },
  {
    key: 'POST /admin/templates',
    rule: { all: ['templates.manage'] },
    ok: 201,
    action: 'template.create',
    url: () => '/v1/admin/templates',
    body: (c) => ({ name: `Matrix ${c.n}`, osType: 'l26', proxmoxVmid: 9004, cores: 1, memoryMb: 512, diskGb: 8, defaultTtlHours: 4 }),
    verify: (c, res) => {
      expect(res.body).toMatchObject({ name: `Matrix ${c.n}`, active: true });
      expect(c.w.h.portal.templates.get(res.body.id)?.name).toBe(`Matrix ${c.n}`);
    },
  },
  {
    key: 'PUT /admin/templates/:id',
    rule: { all: ['templates.manage'] },
    ok: 200,
    action: 'template.update',
    prepare: async (c) => {
      c.templateId = c.w.putTemplateId;
    },
    url: (c) => `/v1/admin/templates/${c.templateId}`,
    body: (c) => ({ description: `matrix ${c.n}` }),
    verify: (c) => expect(c.w.h.portal.templates.get(c.templateId)?.description).toBe(`matrix ${c.n}`),
  },
  {
    key: 'DELETE /admin/templates/:id',
    rule: { all: ['templates.manage'] },
    ok: 200,
    action: 'template.retire',
    prepare: async (c, succeeds) => {
      c.templateId = await c.w.retireTarget(succeeds);
    },
    url: (c) => `/v1/admin/templates/${c.templateId}`,
    verify: (c, res) => {
      expect(res.body.active).toBe(false);
      expect(c.w.h.portal.templates.get(c.templateId)?.active).toBe(false);
    },
  },
  {
    key: 'GET /admin/proxmox-templates',
    rule: { all: ['templates.manage'] },
    ok: 200,
    action: 'template.proxmox_list',
    url: () => '/v1/admin/proxmox-templates',
    verify: (_c, res) => expect(res.body.map((t: { vmid: number }) => t.vmid)).toEqual([9001, 9002, 9003, 9004]),
  },
  {
    key: 'GET /users',
    rule: { all: ['rights.manage'] },
    ok: 200,
    action: 'rights.list',
    url: () => '/v1/users?per_page=100',
    verify: (_c, res) => expect(res.body.map((u: { id: number }) => u.id)).toEqual(expect.arrayContaining([PAT_ID, CAROL_ID])),
  },
  {
    key: 'PUT /users/:id',
    rule: { all: ['rights.manage'] },
    ok: 200,
    action: 'rights.update',
    url: () => `/v1/users/${PAT_ID}`,
    body: (c) => ({ rights: [], ramLimitMb: 1000 + c.n }),
    verify: (c, res) => {
      expect(res.body).toMatchObject({ id: PAT_ID, ramLimitMb: 1000 + c.n, rights: [] });
      expect(c.w.h.portal.users.get(PAT_ID)?.ramLimitMb).toBe(1000 + c.n);
    },
  },
  {
    key: 'GET /audit',
    rule: { all: [], any: [MANAGE_ALL, 'settings.manage'] },
    ok: 200,
    action: 'audit.read',
    url: () => '/v1/audit?per_page=5',
    verify: (c, res) => {
      expect(res.body).toHaveLength(5);
      expect(Number(res.headers.get('x-wp-total'))).toBe(c.w.auditCount());
    },
  },
  {
    key: 'GET /audit?format=csv',
    rule: { all: [], any: [MANAGE_ALL, 'settings.manage'] },
    ok: 200,
    action: 'audit.read',
    url: () => '/v1/audit?format=csv&action=share.add',
    verify: (c, res) => {
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = res.text.trim().split('\r\n');
      expect(lines[0]).toMatch(/^id,at,actor_id,/);
      expect(lines.length - 1).toBe(c.w.newAuditRows(0).filter((r) => r.action === 'share.add').length);
    },
  },
  // Directory (system actor only)
  {
    key: 'PUT /directory/users/:id',
    rule: { all: [], systemOnly: true },
    ok: 200,
    action: 'directory.upsert',
    prepare: async (c) => {
      c.userId = 100_000 + c.n;
    },
    url: (c) => `/v1/directory/users/${c.userId}`,
    body: (c) => ({ login: `dir${c.n}`, email: `dir${c.n}@example.com`, name: 'Directory Entry' }),
    verify: (c) => expect(c.w.h.portal.users.get(c.userId)).toMatchObject({ login: `dir${c.n}`, deleted: false }),
  },
  {
    key: 'DELETE /directory/users/:id',
    rule: { all: [], systemOnly: true },
    ok: 200,
    action: 'directory.delete',
    prepare: async (c, succeeds) => {
      c.userId = c.w.victim(succeeds, c.n);
    },
    url: (c) => `/v1/directory/users/${c.userId}`,
    verify: (c, res) => {
      expect(res.body).toEqual({ deleted: true });
      expect(c.w.h.portal.users.get(c.userId)?.deleted).toBe(true);
    },
  },
  {
    key: 'POST /directory/sync',
    rule: { all: [], systemOnly: true },
    ok: 200,
    action: 'directory.sync',
    prepare: async (c, succeeds) => {
      c.userId = c.w.victim(succeeds, c.n);
    },
    url: () => '/v1/directory/sync',
    // Everyone but the victim: a sync that goes through marks exactly the victim as deleted.
    body: (c) => ({ users: c.w.liveUsers().filter((u) => u.id !== c.userId) }),
    verify: (c, res) => {
      expect(res.body).toEqual({ upserted: c.w.liveUsers().length, deleted: 1 });
      expect(c.w.h.portal.users.get(c.userId)?.deleted).toBe(true);
    },
  },
];

const ROUTE = new Map(ROUTES.map((r) => [r.key, r]));
function route(key: string): RouteDef {
  const r = ROUTE.get(key);
  if (!r) throw new Error(`no route ${key}`);
  return r;
}

function allows(key: string, c: CallerModel, rel: Rel): boolean {
  const r = route(key);
  return oracle(r.rule, r.ok, c, rel).status < 300;
}

/** api.md: `can` is computed for the caller, so it must say what the oracle says the caller may do. */
function expectedCan(c: CallerModel, rel: Rel, status: State) {
  return {
    start: status === 'STOPPED' && allows('POST /deployments/:id/start', c, rel),
    stop: status === 'RUNNING' && allows('POST /deployments/:id/stop', c, rel),
    prolong: allows('POST /deployments/:id/prolong', c, rel),
    refreshIps: allows('POST /deployments/:id/refresh-ips', c, rel),
    delete: allows('DELETE /deployments/:id', c, rel),
    share: allows('POST /deployments/:id/shares', c, rel),
  };
}

// ---------------------------------------------------------------------------------------------------
// Who calls: generated from RIGHTS.

interface UserDef {
  id: number;
  login: string;
  rights: readonly Right[];
  caps?: string[];
}

interface CallerDef extends UserDef {
  key: string;
  rels: readonly Rel[];
}

interface WorldDef {
  title: string;
  users: UserDef[];
  callers: CallerDef[];
  withSystem: boolean;
}

/** Each single right with portal.view, and each alone (plus no right at all). */
const RIGHT_SETS: Array<{ name: string; rights: Right[] }> = [
  { name: '(no rights)', rights: [] },
  ...ALL_RIGHTS.map((r) => (r === PV ? { name: PV, rights: [PV] } : { name: `${PV}+${r}`, rights: [PV, r] })),
  ...ALL_RIGHTS.filter((r) => r !== PV).map((r) => ({ name: `${r} alone`, rights: [r] })),
];

const RELS: readonly Rel[] = ['owner', 'shared', 'other', 'ghost'];

/** Rights a helper needs while setting up targets (never rights.manage, so bootstrap is untouched). */
const SETUP_RIGHTS: readonly Right[] = [PV, 'deployments.create', 'deployments.start'];

const SUPPORT_USERS: UserDef[] = [
  { id: 3, login: 'olga', rights: ALL_RIGHTS.filter((r) => r !== 'rights.manage') },
  { id: CAROL_ID, login: 'carol', rights: [PV] },
  { id: DAVE_ID, login: 'dave', rights: [PV] },
  { id: PAT_ID, login: 'pat', rights: [] },
  { id: VICTIM_ID, login: 'victim', rights: [] },
];

const MAIN_WORLD: WorldDef = {
  title: 'once a user holds rights.manage',
  users: [{ id: 1, login: 'root', rights: ALL_RIGHTS }, ...SUPPORT_USERS],
  callers: [
    ...RIGHT_SETS.map((s, i) => ({ key: s.name, id: 100 + i, login: `u${100 + i}`, rights: s.rights, rels: RELS })),
    // A WordPress administrator after bootstrap: only plugin rights count (none here).
    { key: 'manage_options, bootstrap over', id: 2, login: 'siteadmin', rights: [], caps: ['manage_options'], rels: RELS },
  ],
  withSystem: true,
};

const BOOTSTRAP_WORLD: WorldDef = {
  title: 'while no user holds rights.manage (bootstrap)',
  users: SUPPORT_USERS,
  callers: [
    { key: 'manage_options (bootstrap admin)', id: 2, login: 'siteadmin', rights: [], caps: ['manage_options'], rels: RELS },
    // Bootstrap is for administrators only: everyone else keeps exactly their plugin rights.
    { key: 'no caps, no rights', id: 4, login: 'eve', rights: [], caps: [], rels: RELS },
    { key: `edit_posts, ${PV}+deployments.start`, id: 5, login: 'sam', rights: [PV, 'deployments.start'], caps: ['edit_posts'], rels: RELS },
  ],
  withSystem: false,
};

interface Caller {
  key: string;
  id: number;
  actor: TestUser | typeof SYSTEM;
  user: TestUser | null;
  model: CallerModel;
  rels: readonly Rel[];
}

interface Row {
  title: string;
  callerKey: string;
  route: RouteDef;
  rel: Rel;
  expected: Outcome;
}

function modelsOf(def: WorldDef): Map<string, CallerModel> {
  const holds = [...def.users, ...def.callers].some((u) => u.rights.includes('rights.manage'));
  const models = new Map<string, CallerModel>(def.callers.map((c) => [c.key, modelOf(c, holds)]));
  if (def.withSystem) models.set('system actor', modelOf('system', holds));
  return models;
}

function rowsOf(def: WorldDef): Row[] {
  const models = modelsOf(def);
  const callers: Array<{ key: string; rels: readonly Rel[]; system: boolean }> = def.callers.map((c) => ({ key: c.key, rels: c.rels, system: false }));
  if (def.withSystem) callers.push({ key: 'system actor', rels: ['other', 'ghost'], system: true });
  const rows: Row[] = [];
  for (const c of callers) {
    const model = models.get(c.key) as CallerModel;
    for (const r of ROUTES) {
      if (r.notForSystem && c.system) continue;
      const rels: readonly Rel[] = !r.deployment ? ['none'] : r.deployment.listing ? c.rels.filter((x) => x !== 'ghost') : c.rels;
      for (const rel of rels) {
        const expected = oracle(r.rule, r.ok, model, rel);
        rows.push({ title: `${c.key} | ${r.key}${rel === 'none' ? '' : ` | ${rel}`} → ${expected.status}`, callerKey: c.key, route: r, rel, expected });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// A live sidecar with its users, targets made on demand.

interface AuditRow {
  id: number;
  action: string;
  result: string;
  status: number | null;
  actor_id: number | null;
  deployment_id: number | null;
  details: string;
}

interface Snapshot {
  /** The target deployment's row and who it is shared with (readable when a refusal changed it). */
  target: unknown;
  /** SQLite's total_changes(): every row the sidecar's one connection inserted, updated or deleted. */
  writes: number;
  vms: string;
  lastAuditId: number;
}

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

class World {
  h!: Harness;
  readonly callers = new Map<string, Caller>();
  putTemplateId = 0;
  n = 0;
  private readonly stored = new Map<number, { user: TestUser; rights: readonly Right[] }>();
  private readonly pool = new Map<string, { id: number; name: string }>();
  private retirePool: number | null = null;

  constructor(readonly def: WorldDef) {}

  async start(): Promise<void> {
    this.h = await Harness.start();
    for (const u of [...this.def.users, ...this.def.callers]) {
      this.stored.set(u.id, { user: this.h.user(u.id, u.login, u.rights, u.caps ?? []), rights: u.rights });
    }
    const models = modelsOf(this.def);
    for (const c of this.def.callers) {
      const user = this.userById(c.id);
      this.callers.set(c.key, { key: c.key, id: c.id, actor: user, user, model: models.get(c.key) as CallerModel, rels: c.rels });
    }
    const system = models.get('system actor');
    if (system) this.callers.set('system actor', { key: 'system actor', id: 0, actor: SYSTEM, user: null, model: system, rels: ['other', 'ghost'] });
    // Targets pile up on few owners; contingents are not what this test is about (0 = unlimited).
    await this.ok(this.olga, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 0 }, 200);
    this.putTemplateId = await this.newTemplate();
    await this.prefill();
  }

  /** Makes the pooled targets up front, concurrently (one caller's setup steps stay in sequence). */
  private async prefill(): Promise<void> {
    const any = [...this.callers.values()][0] as Caller;
    const states: State[] = ['STOPPED', 'RUNNING'];
    await Promise.all((['shared', 'other'] as const).flatMap((rel) => states.map((state) => this.pooled(rel, any, state, false))));
    await Promise.all(
      [...this.callers.values()].map(async (c) => {
        for (const rel of ['owner', 'shared'] as const) {
          if (!c.rels.includes(rel)) continue;
          for (const state of states) await this.pooled(rel, c, state);
        }
      }),
    );
  }

  userById(id: number): TestUser {
    const s = this.stored.get(id);
    if (!s) throw new Error(`no user ${id}`);
    return s.user;
  }

  get olga(): TestUser {
    return this.userById(3);
  }

  caller(key: string): Caller {
    const c = this.callers.get(key);
    if (!c) throw new Error(`no caller ${key}`);
    return c;
  }

  private async ok(actor: TestUser, method: string, target: string, body: unknown, status: number): Promise<Answer> {
    const res = await this.h.call(actor, method, target, body);
    if (res.status !== status) throw new Error(`setup: ${actor.login} ${method} ${target} → ${res.status} ${res.text}`);
    return res;
  }

  /** Runs setup steps with SETUP_RIGHTS added to these users' stored rights, then restores them exactly. */
  private async withSetupRights<T>(users: TestUser[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Map(users.map((u) => [u.id, u])).values()];
    for (const u of unique) this.h.user(u.id, u.login, [...new Set([...this.storedRights(u.id), ...SETUP_RIGHTS])], u.caps);
    try {
      return await fn();
    } finally {
      for (const u of unique) this.h.user(u.id, u.login, this.storedRights(u.id), u.caps);
    }
  }

  private storedRights(id: number): readonly Right[] {
    return this.stored.get(id)?.rights ?? [];
  }

  /** A deployment owned by `owner`, shared with carol (and `alsoShareWith`), in the given state. */
  async createDeployment(owner: TestUser, state: State, alsoShareWith: TestUser[]): Promise<{ id: number; name: string }> {
    const carol = this.userById(CAROL_ID);
    return this.withSetupRights([owner, ...alsoShareWith], async () => {
      const name = `m${++this.n}-z`;
      const created = await this.ok(owner, 'POST', '/v1/deployments', { templateId: TEMPLATE_ID, name }, 201);
      const id = created.body.id as number;
      for (const u of [carol, ...alsoShareWith]) await this.ok(owner, 'POST', `/v1/deployments/${id}/shares`, { user: u.login }, 201);
      await this.h.idle();
      if (state === 'RUNNING') {
        await this.ok(owner, 'POST', `/v1/deployments/${id}/start`, undefined, 200);
        await this.h.idle();
      }
      return { id, name };
    });
  }

  private ownerFor(rel: Relation, caller: Caller): TestUser {
    if (rel !== 'owner') return this.olga;
    if (!caller.user) throw new Error(`${caller.key} cannot own a deployment`);
    return caller.user;
  }

  /** A target only this case uses: for cases where the route may change it. */
  async fresh(rel: Relation, caller: Caller, state: State): Promise<{ id: number; name: string }> {
    return this.createDeployment(this.ownerFor(rel, caller), state, rel === 'shared' && caller.user ? [caller.user] : []);
  }

  /** A target shared by cases that must not change it (each such case checks that nothing changed). */
  async pooled(rel: Relation, caller: Caller, state: State, shareWithCaller = true): Promise<{ id: number; name: string }> {
    const key = `${rel}:${rel === 'owner' ? caller.id : 0}:${state}`;
    let t = this.pool.get(key);
    if (!t) {
      t = await this.createDeployment(this.ownerFor(rel, caller), state, []);
      this.pool.set(key, t);
    }
    const user = caller.user;
    if (rel === 'shared' && shareWithCaller && user && !this.h.portal.shares.exists(t.id, user.id)) {
      const id = t.id;
      await this.withSetupRights([user], () => this.ok(this.olga, 'POST', `/v1/deployments/${id}/shares`, { user: user.login }, 201));
    }
    return t;
  }

  async newTemplate(): Promise<number> {
    const res = await this.ok(this.olga, 'POST', '/v1/admin/templates', { name: `Matrix target ${++this.n}`, osType: 'l26', proxmoxVmid: 9004, cores: 1, memoryMb: 512, diskGb: 8, defaultTtlHours: 4 }, 201);
    return res.body.id as number;
  }

  async retireTarget(succeeds: boolean): Promise<number> {
    if (succeeds) return this.newTemplate();
    this.retirePool ??= await this.newTemplate();
    return this.retirePool;
  }

  /** A live directory user a directory route may delete: its own one where the route succeeds. */
  victim(succeeds: boolean, n: number): number {
    if (!succeeds) return VICTIM_ID;
    return this.h.user(200_000 + n, `gone${n}`, []).id;
  }

  liveUsers(): Array<{ id: number; login: string; email: string; name: string }> {
    return this.h.portal.users.list('', 1_000_000, 0).users.map(({ id, login, email, name }) => ({ id, login, email, name }));
  }

  /** After a refusal that changed something anyway (that case fails): start the pools afresh. */
  resetPools(): void {
    this.pool.clear();
    this.retirePool = null;
    this.h.user(VICTIM_ID, 'victim', []);
  }

  auditCount(): number {
    return (this.h.portal.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  }

  newAuditRows(afterId: number): AuditRow[] {
    return this.h.portal.db.prepare('SELECT id, action, result, status, actor_id, deployment_id, details FROM audit_log WHERE id > ? ORDER BY id').all(afterId) as AuditRow[];
  }

  snapshot(deploymentId: number): Snapshot {
    const db = this.h.portal.db;
    return {
      target: { row: db.prepare('SELECT * FROM deployments WHERE id = ?').get(deploymentId) ?? null, shares: db.prepare('SELECT user_id FROM shares WHERE deployment_id = ? ORDER BY 1').all(deploymentId) },
      writes: (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n,
      vms: sha(this.h.sidecar.mock.vms()),
      lastAuditId: (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit_log').get() as { id: number }).id,
    };
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function runCase(w: World, { callerKey, route: r, rel, expected }: Row): Promise<void> {
  const { h } = w;
  const caller = w.caller(callerKey);
  const succeeds = expected.status < 300;
  const ctx: Ctx = { w, caller, rel, n: ++w.n, deployment: 0, deploymentName: '', before: null, templateId: 0, userId: 0 };
  if (r.deployment) {
    if (rel === 'ghost') {
      ctx.deployment = GHOST_ID;
    } else if (rel !== 'none') {
      const pooled = !(r.deployment.mutates && succeeds);
      const t = pooled ? await w.pooled(rel, caller, r.deployment.state) : await w.fresh(rel, caller, r.deployment.state);
      ctx.deployment = t.id;
      ctx.deploymentName = t.name;
    }
    ctx.before = h.portal.deployments.get(ctx.deployment);
    if (rel !== 'ghost') expect(ctx.before?.status).toBe(r.deployment.state);
  }
  await r.prepare?.(ctx, succeeds);
  await h.idle();

  w.h.portal.audit.flushRepeats(Number.POSITIVE_INFINITY); // each case is the first refusal of its kind: written at once
  const before = w.snapshot(ctx.deployment);
  const method = r.key.split(' ')[0] as string;
  const res = await h.call(caller.actor, method, r.url(ctx), r.body?.(ctx));
  await h.idle();

  if (expected.status === 200 || expected.status === 201) {
    expect({ status: res.status, body: res.status < 300 ? '(success)' : res.body }).toEqual({ status: expected.status, body: '(success)' });
    await r.verify(ctx, res);
    return;
  }

  const after = w.snapshot(ctx.deployment);
  const rows = w.newAuditRows(before.lastAuditId);
  // A refusal changes nothing: the only rows written are its audit rows; no share, no VM.
  const writes = after.writes - before.writes - rows.length;
  if (writes !== 0 || after.vms !== before.vms) w.resetPools();
  const code = expected.status === 403 ? 'spp_forbidden' : 'spp_not_found';
  expect({ status: res.status, body: res.body }).toMatchObject({ status: expected.status, body: { code, message: expect.any(String), data: { status: expected.status } } });
  expect({ target: after.target, otherWrites: writes, vms: after.vms }).toEqual({ target: before.target, otherWrites: 0, vms: before.vms });
  if (expected.status === 404) {
    expect(rows.filter((x) => x.result === 'ok')).toEqual([]);
    return;
  }
  const names = 'names' in expected ? expected.names : [];
  if (names.length > 0) {
    expect(res.body.message).toMatch(new RegExp(names.map((n) => `'${escapeRe(LABEL.get(n) ?? n)}'`).join('|')));
  }
  const onDeployment = r.deployment !== undefined && !r.deployment.listing;
  expect(rows).toEqual([
    expect.objectContaining({ action: r.action, result: 'refused', status: 403, actor_id: caller.id, deployment_id: onDeployment ? ctx.deployment : null }),
  ]);
  expect(JSON.parse(rows[0]?.details ?? '{}')).toMatchObject({ code: 'spp_forbidden' });
}

// ---------------------------------------------------------------------------------------------------

const MAIN_ROWS = rowsOf(MAIN_WORLD);
const BOOTSTRAP_ROWS = rowsOf(BOOTSTRAP_WORLD);

describe('the generated matrix itself', () => {
  it('gives every right a route whose answer it changes, and produces every kind of answer', () => {
    const someoneHoldsRightsManage = true;
    const outcomes = (rights: Right[]) =>
      ROUTES.flatMap((r) => RELS.map((rel) => oracle(r.rule, r.ok, modelOf({ id: 1, login: 'x', rights }, someoneHoldsRightsManage), r.deployment ? rel : 'none').status));
    const base = outcomes([PV]);
    expect(sha(outcomes([]))).not.toBe(sha(base));
    for (const right of ALL_RIGHTS.filter((r) => r !== PV)) expect({ right, matters: sha(outcomes([PV, right])) !== sha(base) }).toEqual({ right, matters: true });
    const seen = new Set([...MAIN_ROWS, ...BOOTSTRAP_ROWS].map((x) => x.expected.status));
    expect([...seen].sort()).toEqual([200, 201, 403, 404]);
    expect(new Set(MAIN_ROWS.map((x) => x.callerKey)).size).toBe(RIGHT_SETS.length + 2);
  });
});

describe.each([
  { title: MAIN_WORLD.title, def: MAIN_WORLD, rows: MAIN_ROWS },
  { title: BOOTSTRAP_WORLD.title, def: BOOTSTRAP_WORLD, rows: BOOTSTRAP_ROWS },
])('authorization matrix $title', ({ def, rows }) => {
  const w = new World(def);
  beforeAll(() => w.start(), 30_000);
  afterAll(() => w.h.stop());

  it('covers exactly the routes the sidecar serves', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const served: string[] = [];
    const walk = (stack: Layer[]) => {
      for (const l of stack) {
        if (l.route) for (const m of Object.keys(l.route.methods)) served.push(`${m.toUpperCase()} ${l.route.path}`);
        else if (l.handle?.stack) walk(l.handle.stack);
      }
    };
    walk((w.h.sidecar.app as unknown as { router: { stack: Layer[] } }).router.stack);
    const documented = new Set(ROUTES.map((r) => r.key.replace(/\?.*$/, '')));
    expect(served.filter((s) => s !== 'GET /healthz').sort()).toEqual([...documented].sort());
  });

  test.each(rows)('$title', (row) => runCase(w, row));
});
