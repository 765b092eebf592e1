/**
 * Which Proxmox the portal talks to, as the settings say: the mock, or the HTTP client for the configured
 * node and token. The HTTP client is built once per settings change (its connection pool is reused) and
 * the settings it lacks are named, so an admin knows what to fill in.
 */
import { ProxmoxClient, ProxmoxError } from '../proxmox/client';
import { DEFAULT_HTTP_PROXMOX, HttpProxmox, HttpProxmoxOptions } from '../proxmox/http/http-proxmox';
import type { SettingsService } from './settings';
import type { HostAllowList } from '../proxmox/host-allow-list';

export type HttpTuning = Partial<Pick<HttpProxmoxOptions, 'taskPollMs' | 'timeoutMs' | 'retryDelaysMs' | 'keepAliveMs'>>;

export class ProxmoxConnection {
  private http: { generation: number; client: HttpProxmox } | null = null;

  constructor(
    private readonly settings: SettingsService,
    private readonly mock: ProxmoxClient,
    private readonly tuning: HttpTuning = {},
    /** The operator's allow-list of Proxmox hosts; null: every host. */
    private readonly hosts: HostAllowList | null = null,
  ) {}

  client(): ProxmoxClient {
    const s = this.settings.view();
    if (s.mode === 'mock') return this.mock;
    const generation = this.settings.generation();
    if (this.http?.generation === generation) return this.http.client;
    const missing = [
      s.baseUrl === '' ? 'base URL' : null,
      s.tokenId === '' ? 'API token id' : null,
      !s.tokenSecretSet ? 'API token secret' : null,
      s.node === '' ? 'node' : null,
    ].filter((x): x is string => x !== null);
    if (missing.length > 0) {
      throw new ProxmoxError('not_configured', `The Proxmox settings lack the ${missing.join(', ')}`, 'Complete them under Settings → Proxmox, then use Test connection.');
    }
    // Also when the settings were changed behind the API: no client, so no connection, to another host.
    if (this.hosts && !this.hosts.allows(s.baseUrl)) {
      throw new ProxmoxError('not_configured', 'The Proxmox base URL names a host the operator does not allow', `Allowed: ${this.hosts.toString()} (SPP_PROXMOX_HOSTS).`);
    }
    const client = new HttpProxmox({
      ...DEFAULT_HTTP_PROXMOX,
      ...this.tuning,
      baseUrl: s.baseUrl,
      tokenId: s.tokenId,
      tokenSecret: this.settings.tokenSecret(),
      node: s.node,
      pool: s.pool,
      trust: { caPem: s.tlsCaPem, fingerprintSha256: s.tlsFingerprintSha256 },
    });
    const previous = this.http?.client;
    this.http = { generation, client };
    // Calls still running on the old client finish; its idle connections go.
    void previous?.close().catch(() => undefined);
    return client;
  }

  async close(): Promise<void> {
    await this.http?.client.close();
    this.http = null;
  }
}
