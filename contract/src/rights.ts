/**
 * The eleven portal rights: the single definition the sidecar checks against and the UI receives
 * through `GET /v1/me` (catalog), so neither side repeats them by hand.
 */
export const RIGHTS = [
  { slug: 'portal.view', label: 'View the portal', description: 'Open the portal and view own and shared deployments.' },
  { slug: 'deployments.create', label: 'Create deployments', description: 'Create deployments from approved templates.' },
  { slug: 'deployments.start', label: 'Start deployments', description: 'Start stopped deployments.' },
  { slug: 'deployments.stop', label: 'Stop deployments', description: 'Stop running deployments.' },
  { slug: 'deployments.prolong', label: 'Prolong deployments', description: 'Prolong the time to live, or set never-expire.' },
  { slug: 'deployments.refresh_ips', label: 'Refresh IP addresses', description: 'Re-read the IP addresses of a deployment.' },
  { slug: 'deployments.delete', label: 'Delete own deployments', description: 'Delete deployments you own.' },
  { slug: 'deployments.manage_all', label: 'Manage all deployments', description: 'View and manage all deployments (delete any, share any).' },
  { slug: 'templates.manage', label: 'Manage templates', description: 'Manage templates and import them from Proxmox.' },
  { slug: 'settings.manage', label: 'Manage settings', description: 'Proxmox settings and RAM contingents.' },
  { slug: 'rights.manage', label: 'Manage rights', description: 'Grant and revoke rights, set per-user RAM overrides.' },
] as const;

export type Right = (typeof RIGHTS)[number]['slug'];

export const ALL_RIGHTS: readonly Right[] = RIGHTS.map((r) => r.slug);

const RIGHT_SET: ReadonlySet<string> = new Set(ALL_RIGHTS);

export function isRight(value: unknown): value is Right {
  return typeof value === 'string' && RIGHT_SET.has(value);
}

export function rightLabel(right: Right): string {
  return RIGHTS.find((r) => r.slug === right)?.label ?? right;
}
