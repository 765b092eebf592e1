/**
 * Portal settings: the Proxmox connection and the RAM contingents. The token secret is write-only:
 * stored sealed, never returned (GET says `tokenSecretSet`), never logged or audited. It is sealed for
 * where it goes — the base URL's origin, the token id and the TLS trust — so whoever may change settings
 * cannot point the stored secret at a host of their choice: changing any of those needs the secret again
 * in the same request, and a seal whose destination was changed behind the API does not open.
 */
import { AUDIT_ACTION, type ProxmoxMode, type SettingsUpdate, type SettingsView } from '@spp/contract';
import type { Db } from '../db/open';
import { writeTx } from '../db/open';
import type { SettingsRepo } from '../repositories/settings-repo';
import type { AuditLog } from '../audit/audit-log';
import type { Caller } from './access';
import { createHash } from 'node:crypto';
import { SecretBox } from './secret-box';
import { invalidParams } from '../http/api-error';
import type { HostAllowList } from '../proxmox/host-allow-list';
import { AUDIT_RETENTION_DAYS } from '../audit/audit-retention';



export const DEFAULT_SETTINGS: Omit<SettingsView, 'tokenSecretSet'> = {
  mode: 'mock',
  baseUrl: '',
  tokenId: '',
  node: 'pve-01',
  pool: '',
  tlsCaPem: '',
  tlsFingerprintSha256: '',
  defaultUserRamLimitMb: 16384,
  globalRamLimitMb: 0,
  auditRetentionDays: AUDIT_RETENTION_DAYS.keepAll,
};

const SECRET_KEY = 'tokenSecretSealed';

/** The settings that decide where the token secret is sent. */
const DESTINATION = ['baseUrl', 'tokenId', 'tlsCaPem', 'tlsFingerprintSha256'] as const;

/** The context a secret is sealed for: the same host, token and trust, however they are spelt. */
function destinationOf(v: Pick<SettingsView, (typeof DESTINATION)[number]>): string {
  let origin = v.baseUrl.trim();
  try {
    origin = new URL(origin).origin;
  } catch {
    // not a URL: the text itself, so that any change of it counts
  }
  const pin = v.tlsFingerprintSha256.replace(/[:\s]/g, '').toUpperCase();
  const ca = createHash('sha256').update(v.tlsCaPem.trim()).digest('hex');
  return JSON.stringify(['spp-proxmox-token/1', origin, v.tokenId, pin, ca]);
}

export class SettingsService {
  private cache: { view: SettingsView; sealedSecret: string | null; secret: string } | null = null;
  private changes = 0;

  constructor(
    private readonly db: Db,
    private readonly repo: SettingsRepo,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    /** The operator's allow-list of Proxmox hosts; null: every host. */
    private readonly hosts: HostAllowList | null = null,
  ) {}

  view(): SettingsView {
    return { ...this.load().view };
  }

  /** Grows with every saved change, so whoever built something from the settings knows to rebuild it. */
  generation(): number {
    return this.changes;
  }

  /** The decrypted token secret, for the Proxmox client only; '' when none is stored for this destination. */
  tokenSecret(): string {
    return this.load().secret;
  }

  /** A secret stored before seals were bound is bound to the destination it is used with now (once, at start). */
  bindLegacySecret(): void {
    const { view, sealedSecret } = this.load();
    if (sealedSecret === null || SecretBox.isBound(sealedSecret)) return;
    const plain = this.box.open(sealedSecret);
    writeTx(this.db, () => this.repo.set(SECRET_KEY, this.box.seal(plain, destinationOf(view))));
    this.cache = null;
  }

  update(caller: Caller, change: SettingsUpdate): SettingsView {
    const before = this.view();
    if (this.hosts && typeof change.baseUrl === 'string' && change.baseUrl !== '' && !this.hosts.allows(change.baseUrl)) {
      throw invalidParams({ baseUrl: `This host is not one the operator allows the portal to reach (SPP_PROXMOX_HOSTS: ${this.hosts.toString()}).` });
    }
    const newSecret = typeof change.tokenSecret === 'string' && change.tokenSecret !== '' ? change.tokenSecret : null;
    const moved = DESTINATION.filter((key) => change[key] !== undefined && change[key] !== before[key]);
    if (moved.length > 0 && this.load().sealedSecret !== null && newSecret === null) {
      const refusal = invalidParams(
        { tokenSecret: `Enter the API token secret again: changing ${moved.join(', ')} changes where it is sent, and the stored secret is only sent where it was entered for.` },
        'Enter the API token secret again to change where it is sent.',
      );
      this.audit.record({ actor: caller.actor, action: AUDIT_ACTION.update_settings, target: { type: 'settings', id: 'proxmox' }, result: 'refused', status: refusal.status, details: { code: refusal.code, moved } });
      refusal.audited = true;
      throw refusal;
    }
    const after = { ...before, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as SettingsView;
    writeTx(this.db, () => {
      const changed: string[] = [];
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined || key === 'tokenSecret') continue;
        if ((before as unknown as Record<string, unknown>)[key] === value) continue;
        this.repo.set(key, JSON.stringify(value));
        changed.push(key);
      }
      if (newSecret !== null) {
        this.repo.set(SECRET_KEY, this.box.seal(newSecret, destinationOf(after)));
        changed.push('tokenSecret');
      }
      // The audit row names what changed; values are recorded except the secret's.
      const details: Record<string, unknown> = { changed };
      for (const key of changed) if (key !== 'tokenSecret') details[key] = (change as Record<string, unknown>)[key];
      this.audit.append({ actor: caller.actor, action: AUDIT_ACTION.update_settings, target: { type: 'settings', id: 'proxmox' }, result: 'ok', status: 200, details });
    });
    this.cache = null;
    this.changes++;
    return this.view();
  }

  private load(): { view: SettingsView; sealedSecret: string | null; secret: string } {
    if (this.cache) return this.cache;
    const stored = this.repo.all();
    const view = { ...DEFAULT_SETTINGS } as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      const raw = stored.get(key);
      if (raw !== undefined) view[key] = JSON.parse(raw) as unknown;
    }
    const settings = view as Omit<SettingsView, 'tokenSecretSet'>;
    const sealedSecret = stored.get(SECRET_KEY) ?? null;
    let secret = '';
    if (sealedSecret !== null) {
      try {
        secret = SecretBox.isBound(sealedSecret) ? this.box.open(sealedSecret, destinationOf(settings)) : this.box.open(sealedSecret);
      } catch {
        secret = ''; // sealed for another destination (changed behind the API) or damaged: not usable here
      }
    }
    this.cache = { view: { ...settings, tokenSecretSet: secret !== '' }, sealedSecret, secret };
    return this.cache;
  }
}
