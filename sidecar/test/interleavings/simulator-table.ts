/**
 * The interleaving table (see table.ts) in HTTP mode against the simulator, with the certificate pinned
 * as most Proxmox admins will connect. A simulator per run, so no run sees another's VMs. One file per PVE
 * version, so the two run in parallel.
 */
import { Harness } from '../support/harness';
import { Interleaver, Side } from '../support/interleaver';
import { makeUsers, runRow, SCENARIOS, USER_ACTIONS } from './table';
import { SimVersion, startSimulator } from '../../simulator';
import { createTls } from '../../simulator/x509';

const TIMINGS = { cloneMs: 20, startMs: 5, shutdownMs: 5, stopMs: 5, deleteMs: 5, configMs: 2, agentDelayMs: 0, timeoutScale: 0.001, failFastMs: 2 };
const TLS = createTls('pve', ['127.0.0.1', 'localhost', 'pve']);
const SIDES: Side[] = ['background', 'user'];

/** The table's rows for one PVE version, each against its own simulator. */
export function simulatorTable(version: SimVersion): void {
  async function makeWorld() {
    const sim = await startSimulator({ version, unauthorizedDelayMs: 0, timings: TIMINGS, serializeCloneLocks: true, tls: TLS });
    const h = await Harness.start({ httpProxmox: { timeoutMs: 2_000, retryDelaysMs: [5, 10], taskPollMs: 5 } });
    const gate = new Interleaver();
    const direct = h.portal.proxmox;
    h.portal.proxmox = () => gate.wrap(direct());
    const { alice, bob } = await makeUsers(h, { mode: 'http', baseUrl: sim.url, tokenId: sim.token.id, tokenSecret: sim.token.secret, node: sim.node, tlsFingerprintSha256: sim.certFingerprint256 });
    const close = async () => {
      gate.close();
      await h.stop();
      await sim.close();
    };
    return { h, gate, outside: direct(), alice, bob, quietMs: 150, close };
  }

  describe.each(SCENARIOS.map((s) => [s.name, s] as const))(`%s, interleaved with each user action (PVE ${version})`, (_name, scenario) => {
    test.each(USER_ACTIONS.flatMap((a) => SIDES.map((first) => [a.name, first, a] as const)))('%s, %s first', async (_action, first, action) => {
      const { runs, failures } = await runRow(makeWorld, scenario, action, first);
      expect(failures).toEqual([]);
      expect(runs).toBeGreaterThan(0);
    }, 60_000);
  });
}
