/**
 * The interleaving table (see table.ts) with the mock Proxmox, the portal's default backend.
 */
import { Harness } from '../support/harness';
import { Interleaver, Side } from '../support/interleaver';
import { makeUsers, runRow, SCENARIOS, USER_ACTIONS } from './table';

async function makeWorld() {
  const h = await Harness.start();
  const gate = new Interleaver();
  const direct = h.portal.proxmox;
  h.portal.proxmox = () => gate.wrap(direct());
  const { alice, bob } = await makeUsers(h);
  return { h, gate, outside: h.sidecar.mock, alice, bob, quietMs: 60, close: async () => {
      gate.close();
      await h.stop();
    } };
}

const SIDES: Side[] = ['background', 'user'];

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s, interleaved with each user action (mock)', (_name, scenario) => {
  test.each(USER_ACTIONS.flatMap((a) => SIDES.map((first) => [a.name, first, a] as const)))('%s, %s first', async (_action, first, action) => {
    const { runs, failures } = await runRow(makeWorld, scenario, action, first);
    expect(failures).toEqual([]);
    expect(runs).toBeGreaterThan(0);
  });
});
