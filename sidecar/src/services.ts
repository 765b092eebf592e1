/** Wires the repositories, domain services and background workers around one database. */
import type { Db } from './db/open';
import { AuditLog } from './audit/audit-log';
import { AuditRetention } from './audit/audit-retention';
import { UsersRepo } from './repositories/users-repo';
import { TemplatesRepo } from './repositories/templates-repo';
import { DeploymentsRepo } from './repositories/deployments-repo';
import { SharesRepo } from './repositories/shares-repo';
import { SettingsRepo } from './repositories/settings-repo';
import { SettingsService } from './domain/settings';
import { Contingents } from './domain/contingents';
import { SecretBox } from './domain/secret-box';
import { Background } from './domain/background';
import { Expiry } from './domain/deployments/expiry';
import { Provisioner } from './domain/deployments/provisioner';
import { IpWatcher } from './domain/deployments/ip-watcher';
import { Reconciler } from './domain/deployments/reconcile';
import { DEFAULT_TIMINGS, Portal, Timings } from './domain/portal';
import { seedTemplates } from './domain/templates';
import type { Clock } from './domain/clock';
import type { Logger } from './logger';
import type { ProxmoxClient } from './proxmox/client';
import { HttpTuning, ProxmoxConnection } from './domain/proxmox-connection';
import type { HostAllowList } from './proxmox/host-allow-list';
import { DEFAULT_RATE_LIMITS, RateLimit, RateLimiter } from './http/rate-limit';
import type { RateGroup } from '@spp/contract';

export interface Services {
  portal: Portal;
  background: Background;
  expiry: Expiry;
  provisioner: Provisioner;
  ips: IpWatcher;
  rateLimiter: RateLimiter;
  proxmox: ProxmoxConnection;
  reconciler: Reconciler;
  auditRetention: AuditRetention;
}

export interface ServiceOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  secretBox: SecretBox;
  /** Signs the checkpoints of archived audit rows. */
  auditKey: Buffer;
  /** Where retention writes archived audit rows. */
  auditArchiveDir: string;
  /** The mock Proxmox, used while settings say mode 'mock'. */
  mockProxmox: ProxmoxClient;
  /** Shorter polls, timeouts and retries of the HTTP client, for tests. */
  httpProxmox?: HttpTuning;
  timings?: Partial<Timings>;
  /** The only Proxmox hosts allowed; null: every host. */
  proxmoxHosts?: HostAllowList | null;
  rateLimits?: Partial<Record<RateGroup, RateLimit>>;
}

export function createServices(o: ServiceOptions): Services {
  const audit = new AuditLog(o.db, o.clock);
  const users = new UsersRepo(o.db);
  const deployments = new DeploymentsRepo(o.db);
  const settings = new SettingsService(o.db, new SettingsRepo(o.db), o.secretBox, audit, o.proxmoxHosts ?? null);
  settings.bindLegacySecret();
  const proxmox = new ProxmoxConnection(settings, o.mockProxmox, o.httpProxmox, o.proxmoxHosts ?? null);
  const portal: Portal = {
    db: o.db,
    clock: o.clock,
    log: o.log,
    audit,
    users,
    templates: new TemplatesRepo(o.db),
    deployments,
    shares: new SharesRepo(o.db),
    settings,
    contingents: new Contingents(deployments, users, settings),
    proxmox: () => proxmox.client(),
    timings: { ...DEFAULT_TIMINGS, ...o.timings },
    expireDue: () => undefined, // replaced below, once the expiry service exists
  };
  seedTemplates(portal);
  const background = new Background(o.log);
  const expiry = new Expiry(portal, background);
  portal.expireDue = () => void expiry.expireDue();
  return {
    portal,
    background,
    expiry,
    provisioner: new Provisioner(portal, background),
    ips: new IpWatcher(portal, background),
    rateLimiter: new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...o.rateLimits }, o.clock),
    proxmox,
    reconciler: new Reconciler(portal),
    auditRetention: new AuditRetention(o.db, audit, o.auditKey, o.auditArchiveDir, o.clock, () => settings.view().auditRetentionDays),
  };
}
