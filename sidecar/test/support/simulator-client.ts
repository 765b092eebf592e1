/** An HTTP Proxmox client for the simulator with test timings; tests override what they exercise. */
import { DEFAULT_HTTP_PROXMOX, HttpProxmox, HttpProxmoxOptions } from '../../src/proxmox/http/http-proxmox';
import type { Simulator } from '../../simulator';

export function simulatorClient(sim: Simulator, o: Partial<HttpProxmoxOptions> = {}): HttpProxmox {
  return new HttpProxmox({
    ...DEFAULT_HTTP_PROXMOX,
    baseUrl: sim.url,
    tokenId: sim.token.id,
    tokenSecret: sim.token.secret,
    node: sim.node,
    trust: { caPem: sim.caPem, fingerprintSha256: '' },
    timeoutMs: 3_000,
    retryDelaysMs: [10, 20],
    taskPollMs: 10,
    ...o,
  });
}
