/**
 * The Proxmox hosts an operator allows the portal to talk to (SPP_PROXMOX_HOSTS), so that whoever may change
 * the settings cannot point the portal, and its token, at another host or probe the network with it.
 * Entries: `pve1.example.com`, `pve1.example.com:8006`, `*.pve.example.com` (any name below it), `10.0.0.5`,
 * `[fd00::5]:8006`. Without a port an entry allows any port. Unset: every host, as before.
 */
export interface AllowedHost {
  host: string;
  port: number | null;
}

export class HostAllowList {
  private constructor(readonly entries: readonly AllowedHost[]) {}

  /** null when the text is unset or empty (every host allowed); throws with a message naming a bad entry. */
  static parse(text: string | undefined): HostAllowList | null {
    if (text === undefined || text.trim() === '') return null;
    const entries = text.split(',').map((raw) => {
      const entry = raw.trim();
      const m = /^(\[[0-9A-Fa-f:.]+\]|\*\.[A-Za-z0-9.-]+|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(entry);
      const port = m?.[2] === undefined ? null : Number(m[2]);
      if (!m || (port !== null && (port < 1 || port > 65535))) throw new Error(`'${entry}' is not host, host:port or *.domain`);
      return { host: (m[1] as string).toLowerCase(), port };
    });
    return new HostAllowList(entries);
  }

  allows(baseUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      return false;
    }
    const host = url.hostname.toLowerCase();
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return this.entries.some((e) => (e.port === null || e.port === port) && (e.host.startsWith('*.') ? host.endsWith(e.host.slice(1)) && host.length > e.host.length - 1 : e.host === host));
  }

  toString(): string {
    return this.entries.map((e) => (e.port === null ? e.host : `${e.host}:${e.port}`)).join(', ');
  }
}
