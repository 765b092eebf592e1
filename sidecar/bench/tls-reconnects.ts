/**
 * What a pin costs now that pinned connections never resume a TLS session: calls to the simulator when
 * every answer closes the connection (pveproxy does so after an error and after a connection's 100th
 * request), pinned (a full handshake each time) against trusting the CA (a resumed session each time).
 */
import { DEFAULT_HTTP_PROXMOX, HttpProxmox } from '../src/proxmox/http/http-proxmox';
import type { TlsTrust } from '../src/proxmox/http/tls-trust';
import { startSimulator } from '../simulator';
import { median } from './load';

export interface ReconnectFigures {
  pinMs: number;
  caMs: number;
  calls: number;
  rounds: number;
  pinResumed: number;
  caResumed: number;
}

const ROUNDS = 5;

export async function benchReconnects(calls: number): Promise<ReconnectFigures> {
  const sim = await startSimulator({ unauthorizedDelayMs: 0, keepAliveRequests: 1 });
  const timeWith = async (trust: TlsTrust): Promise<{ ms: number; resumed: number }> => {
    const px = new HttpProxmox({ ...DEFAULT_HTTP_PROXMOX, baseUrl: sim.url, tokenId: sim.token.id, tokenSecret: sim.token.secret, node: sim.node, trust });
    try {
      for (let i = 0; i < 20; i++) await px.version(); // warm up: JIT, the first handshake, a session to resume
      const before = sim.connections().resumed;
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await px.version();
      return { ms: performance.now() - t0, resumed: sim.connections().resumed - before };
    } finally {
      await px.close();
    }
  };
  const pin: number[] = [];
  const ca: number[] = [];
  let pinResumed = 0;
  let caResumed = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating, so a slower stretch of the machine falls on both.
      const p = await timeWith({ caPem: '', fingerprintSha256: sim.certFingerprint256 });
      const c = await timeWith({ caPem: sim.caPem, fingerprintSha256: '' });
      pin.push(p.ms);
      ca.push(c.ms);
      pinResumed += p.resumed;
      caResumed += c.resumed;
    }
  } finally {
    await sim.close();
  }
  return { pinMs: median(pin), caMs: median(ca), calls, rounds: ROUNDS, pinResumed, caResumed };
}
