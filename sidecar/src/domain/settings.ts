/**
 * Portal settings: the Proxmox connection and the RAM contingents. The token secret is write-only:
 * stored sealed, never returned (GET says `tokenSecretSet`), never logged or audited.
 */
import type { Db } from '../db/open';
import { writeTx } from '../db/open';
import type { SettingsRepo } from '../repositories/settings-repo';
import type { AuditLog } from '../audit/audit-log';
import type { Caller } from './access';
import { SecretBox } from './secret-box';

import type { ProxmoxMode, SettingsUpdate, SettingsView } from '../api/wire';

export type { ProxmoxMode, SettingsUpdate, SettingsView };

export const DEFAULT_SETTINGS: Omit<SettingsView, 'tokenSecretSet'> = {
  mode: 'mock',
  baseUrl: '',
  tokenId: '',
  node: 'pve-01',
  tlsCaPem: '',
  tlsFingerprintSha256: '',
  defaultUserRamLimitMb: 16384,
  globalRamLimitMb: 0,
};

const SECRET_KEY = 'tokenSecretSealed';

export class SettingsService {
  private cache: { view: SettingsView; sealedSecret: string | null } | null = null;
  private changes = 0;

  constructor(
    private readonly db: Db,
    private readonly repo: SettingsRepo,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  view(): SettingsView {
    return { ...this.load().view };
  }

  /** Grows with every saved change, so whoever built something from the settings knows to rebuild it. */
  generation(): number {
    return this.changes;
  }

  /** The decrypted token secret, for the Proxmox client only. */
  tokenSecret(): string {
    const sealed = this.load().sealedSecret;
    return sealed ? this.box.open(sealed) : '';
  }

  update(caller: Caller, change: SettingsUpdate): SettingsView {
    const before = this.view();
    writeTx(this.db, () => {
      const changed: string[] = [];
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined) continue;
        if (key === 'tokenSecret') {
          if (value === '') continue; // empty keeps the stored secret
          this.repo.set(SECRET_KEY, this.box.seal(String(value)));
          changed.push('tokenSecret');
          continue;
        }
        if ((before as unknown as Record<string, unknown>)[key] === value) continue;
        this.repo.set(key, JSON.stringify(value));
        changed.push(key);
      }
      // The audit row names what changed; values are recorded except the secret's.
      const details: Record<string, unknown> = { changed };
      for (const key of changed) if (key !== 'tokenSecret') details[key] = (change as Record<string, unknown>)[key];
      this.audit.append({ actor: caller.actor, action: 'settings.update', target: { type: 'settings', id: 'proxmox' }, result: 'ok', status: 200, details });
    });
    this.cache = null;
    this.changes++;
    return this.view();
  }

  private load(): { view: SettingsView; sealedSecret: string | null } {
    if (this.cache) return this.cache;
    const stored = this.repo.all();
    const view = { ...DEFAULT_SETTINGS } as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      const raw = stored.get(key);
      if (raw !== undefined) view[key] = JSON.parse(raw) as unknown;
    }
    const sealedSecret = stored.get(SECRET_KEY) ?? null;
    this.cache = { view: { ...(view as Omit<SettingsView, 'tokenSecretSet'>), tokenSecretSet: sealedSecret !== null }, sealedSecret };
    return this.cache;
  }
}
