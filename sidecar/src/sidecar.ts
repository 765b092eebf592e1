/** Opens everything a running sidecar needs in one data folder; used by main.ts and the tests. */
import { join } from 'node:path';
import type { HttpTuning } from './domain/proxmox-connection';
import type { HostAllowList } from './proxmox/host-allow-list';
import { openDatabase } from './db/open';
import { ReplayGuard } from './auth/replay-guard';
import { SecretBox } from './domain/secret-box';
import { readKeyFile } from './domain/key-file';
import { AUDIT_KEY_FILE } from './audit/audit-checkpoint';
import { AUDIT_ARCHIVE_DIR } from './audit/audit-retention';
import { createServices, Services } from './services';
import { createApp } from './app';
import { MockProxmox, MockProxmoxOptions } from './proxmox/mock/mock-proxmox';
import type { Keyring } from './auth/keyring';
import type { Clock } from './domain/clock';
import { systemClock } from './domain/clock';
import type { Logger } from './logger';
import type { Timings } from './domain/portal';
import type { RateLimit } from './http/rate-limit';
import type { RateGroup } from '@spp/contract';
import type { Express } from 'express';

export interface SidecarOptions {
  dataDir: string;
  keyring: Keyring;
  log: Logger;
  clock?: Clock;
  mock?: MockProxmoxOptions;
  timings?: Partial<Timings>;
  rateLimits?: Partial<Record<RateGroup, RateLimit>>;
  httpProxmox?: HttpTuning;
  /** The only Proxmox hosts allowed (SPP_PROXMOX_HOSTS); absent or null: every host. */
  proxmoxHosts?: HostAllowList | null;
}

export interface Sidecar {
  app: Express;
  services: Services;
  mock: MockProxmox;
  close(): Promise<void>;
}

export function openSidecar(o: SidecarOptions): Sidecar {
  const db = openDatabase(join(o.dataDir, 'portal.sqlite'));
  const clock = o.clock ?? systemClock;
  const replay = ReplayGuard.open(join(o.dataDir, 'nonces.sqlite'), clock());
  const mock = new MockProxmox({ stateFile: join(o.dataDir, 'mock-proxmox.json'), ...o.mock });
  const services = createServices({
    db,
    clock,
    log: o.log,
    secretBox: SecretBox.fromKeyFile(join(o.dataDir, 'settings.key')),
    auditKey: readKeyFile(join(o.dataDir, AUDIT_KEY_FILE), true),
    auditArchiveDir: join(o.dataDir, AUDIT_ARCHIVE_DIR),
    mockProxmox: mock,
    timings: o.timings,
    rateLimits: o.rateLimits,
    httpProxmox: o.httpProxmox,
    proxmoxHosts: o.proxmoxHosts ?? null,
  });
  return {
    app: createApp(services, o.keyring, replay),
    services,
    mock,
    async close() {
      await services.background.idle();
      await services.proxmox.close();
      services.portal.audit.flushRepeats(Number.POSITIVE_INFINITY); // the counts of windows still open
      mock.close();
      replay.close(clock());
      db.close();
    },
  };
}
