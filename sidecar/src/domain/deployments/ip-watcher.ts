/** After a start, asks the guest agent for addresses until it answers, so the list shows the IP without a manual refresh. */
import { writeTx } from '../../db/open';
import { ProxmoxError } from '../../proxmox/client';
import type { Portal } from '../portal';
import type { Background } from '../background';
import { pollDelay } from '../../proxmox/poll-delay';

export class IpWatcher {
  constructor(
    private readonly portal: Portal,
    private readonly background: Background,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  watch(id: number): Promise<void> {
    return this.background.run('ip watch', () => this.poll(id));
  }

  private async poll(id: number): Promise<void> {
    const { portal } = this;
    const { ipPollIntervalMs, ipPollTimeoutMs } = portal.timings;
    for (let waited = 0; waited <= ipPollTimeoutMs; ) {
      const d = portal.deployments.get(id);
      if (!d || d.status !== 'RUNNING' || d.vmid === null) return;
      try {
        const ips = await portal.proxmox().guestIps(d.vmid);
        if (ips.length > 0) {
          writeTx(portal.db, () => {
            if (portal.deployments.get(id)?.status === 'RUNNING') portal.deployments.update(id, portal.clock(), { ipAddresses: ips });
          });
          return;
        }
      } catch (err) {
        if (!(err instanceof ProxmoxError)) throw err; // an unreachable agent is retried; a bug is not
      }
      const delay = pollDelay(waited, ipPollIntervalMs);
      await this.sleep(delay);
      waited += delay;
    }
  }
}
