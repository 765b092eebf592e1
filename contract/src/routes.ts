/**
 * Every route of the API, once: method, path, who may call it, its audit action, its rate-limit group
 * and how long WordPress waits for it. The sidecar registers its routes and applies access and audit
 * names from this table (sidecar/src/app.ts, http/route-access.ts); the WordPress plugin registers the
 * routes it forwards from a PHP copy generated from it (`npm run generate:php`, checked by a test).
 */
import type { Can } from './wire';
import type { Right } from './rights';

/** What the deployment policy decides (the sidecar's domain/deployments/policy.ts): the `can` actions and hand-over. */
export type DeploymentAction = keyof Can | 'handOver';

/** Rate-limited groups of routes, each with its own budget per user. */
export type RateGroup = 'create' | 'lifecycle' | 'share';

/** What the sidecar checks first, before reading a parameter or the body. */
export type RouteAccess =
  /** Any signed WordPress user (the system actor is no portal user). */
  | { signed: true }
  /** WordPress itself (the system actor): the user directory. */
  | { system: true }
  /** Every one of these rights. */
  | { rights: readonly Right[] }
  /** At least one of these rights. */
  | { anyRight: readonly Right[] }
  /** A deployment action: its right comes from the deployment policy (domain/deployments/policy.ts). */
  | { action: DeploymentAction };

/** How long WordPress waits for the sidecar (SPP_Sidecar_Client::TIMEOUTS). */
export type TimeoutClass = 'read' | 'write' | 'proxmox' | 'long' | 'sync';

export interface RouteSpec {
  /** The operation's name, also the handler's. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /v1; `:id` and `:userId` are whole numbers. */
  path: string;
  access: RouteAccess;
  /** The audit log's action for its rows, refusals included. */
  audit: string;
  rateGroup?: RateGroup;
  timeout: TimeoutClass;
  /** Forwarded by WordPress for a logged-in user; false for the plugin's own calls (the directory). */
  wordpress: boolean;
}

const PV: Right = 'portal.view';

export const ROUTES = [
  // Portal.
  { name: 'get_templates', method: 'GET', path: '/templates', access: { rights: [PV] }, audit: 'template.catalog', timeout: 'read', wordpress: true },
  { name: 'get_quota', method: 'GET', path: '/quota', access: { rights: [PV] }, audit: 'quota.read', timeout: 'read', wordpress: true },
  { name: 'get_deployments', method: 'GET', path: '/deployments', access: { rights: [PV] }, audit: 'deployment.list', timeout: 'read', wordpress: true },
  { name: 'create_deployment', method: 'POST', path: '/deployments', access: { rights: [PV, 'deployments.create'] }, audit: 'deployment.create', rateGroup: 'create', timeout: 'write', wordpress: true },
  { name: 'get_deployment', method: 'GET', path: '/deployments/:id', access: { rights: [PV] }, audit: 'deployment.read', timeout: 'read', wordpress: true },
  { name: 'delete_deployment', method: 'DELETE', path: '/deployments/:id', access: { action: 'delete' }, audit: 'deployment.delete', rateGroup: 'lifecycle', timeout: 'long', wordpress: true },
  { name: 'start_deployment', method: 'POST', path: '/deployments/:id/start', access: { action: 'start' }, audit: 'deployment.start', rateGroup: 'lifecycle', timeout: 'long', wordpress: true },
  { name: 'stop_deployment', method: 'POST', path: '/deployments/:id/stop', access: { action: 'stop' }, audit: 'deployment.stop', rateGroup: 'lifecycle', timeout: 'long', wordpress: true },
  { name: 'prolong_deployment', method: 'POST', path: '/deployments/:id/prolong', access: { action: 'prolong' }, audit: 'deployment.prolong', rateGroup: 'lifecycle', timeout: 'long', wordpress: true },
  { name: 'refresh_deployment_ips', method: 'POST', path: '/deployments/:id/refresh-ips', access: { action: 'refreshIps' }, audit: 'deployment.refresh_ips', rateGroup: 'lifecycle', timeout: 'proxmox', wordpress: true },
  { name: 'hand_over_deployment', method: 'PUT', path: '/deployments/:id/owner', access: { action: 'handOver' }, audit: 'deployment.hand_over', timeout: 'write', wordpress: true },
  { name: 'get_shares', method: 'GET', path: '/deployments/:id/shares', access: { action: 'share' }, audit: 'share.list', timeout: 'read', wordpress: true },
  { name: 'create_share', method: 'POST', path: '/deployments/:id/shares', access: { action: 'share' }, audit: 'share.add', rateGroup: 'share', timeout: 'write', wordpress: true },
  { name: 'delete_share', method: 'DELETE', path: '/deployments/:id/shares/:userId', access: { action: 'share' }, audit: 'share.remove', rateGroup: 'share', timeout: 'write', wordpress: true },
  // Administration.
  { name: 'get_me', method: 'GET', path: '/me', access: { signed: true }, audit: 'me.read', timeout: 'read', wordpress: true },
  { name: 'get_settings', method: 'GET', path: '/settings', access: { rights: ['settings.manage'] }, audit: 'settings.read', timeout: 'read', wordpress: true },
  { name: 'update_settings', method: 'PUT', path: '/settings', access: { rights: ['settings.manage'] }, audit: 'settings.update', timeout: 'write', wordpress: true },
  { name: 'test_settings', method: 'POST', path: '/settings/test', access: { rights: ['settings.manage'] }, audit: 'settings.test', timeout: 'proxmox', wordpress: true },
  { name: 'get_admin_templates', method: 'GET', path: '/admin/templates', access: { rights: ['templates.manage'] }, audit: 'template.list', timeout: 'read', wordpress: true },
  { name: 'create_admin_template', method: 'POST', path: '/admin/templates', access: { rights: ['templates.manage'] }, audit: 'template.create', timeout: 'proxmox', wordpress: true },
  { name: 'update_admin_template', method: 'PUT', path: '/admin/templates/:id', access: { rights: ['templates.manage'] }, audit: 'template.update', timeout: 'proxmox', wordpress: true },
  { name: 'retire_admin_template', method: 'DELETE', path: '/admin/templates/:id', access: { rights: ['templates.manage'] }, audit: 'template.retire', timeout: 'write', wordpress: true },
  { name: 'get_proxmox_templates', method: 'GET', path: '/admin/proxmox-templates', access: { rights: ['templates.manage'] }, audit: 'template.proxmox_list', timeout: 'proxmox', wordpress: true },
  { name: 'get_users', method: 'GET', path: '/users', access: { rights: ['rights.manage'] }, audit: 'rights.list', timeout: 'read', wordpress: true },
  { name: 'update_user', method: 'PUT', path: '/users/:id', access: { rights: ['rights.manage'] }, audit: 'rights.update', timeout: 'write', wordpress: true },
  { name: 'get_audit', method: 'GET', path: '/audit', access: { anyRight: ['deployments.manage_all', 'settings.manage'] }, audit: 'audit.read', timeout: 'proxmox', wordpress: true },
  // The user directory: WordPress's own calls.
  { name: 'upsert_directory_user', method: 'PUT', path: '/directory/users/:id', access: { system: true }, audit: 'directory.upsert', timeout: 'write', wordpress: false },
  { name: 'delete_directory_user', method: 'DELETE', path: '/directory/users/:id', access: { system: true }, audit: 'directory.delete', timeout: 'write', wordpress: false },
  { name: 'sync_directory', method: 'POST', path: '/directory/sync', access: { system: true }, audit: 'directory.sync', timeout: 'sync', wordpress: false },
] as const satisfies readonly RouteSpec[];

export type RouteName = (typeof ROUTES)[number]['name'];

/**
 * Each route's audit action by route name: the domain writes its success rows under the same names the
 * route gives its refusals, from this one table.
 */
export const AUDIT_ACTION = Object.fromEntries(ROUTES.map((r) => [r.name, r.audit])) as {
  readonly [K in RouteName]: Extract<(typeof ROUTES)[number], { name: K }>['audit'];
};
