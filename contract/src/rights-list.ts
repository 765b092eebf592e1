/**
 * The portal rights, the one list: adding a right here is all it takes for the sidecar's checks, GET /me's
 * catalog, the rights editor in wp-admin and the authorization matrix to know it (rights.ts derives the rest).
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
