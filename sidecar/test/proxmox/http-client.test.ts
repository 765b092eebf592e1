/**
 * The HTTP Proxmox client against the simulator, in PVE 8.4 and 9.1 modes: every call, every error form
 * of the failure table, TLS trust, and the retry rules (only where Proxmox says a retry can help).
 */
import type { HttpProxmox, HttpProxmoxOptions } from '../../src/proxmox/http/http-proxmox';
import { simulatorClient } from '../support/simulator-client';
import { ProxmoxError } from '../../src/proxmox/client';
import { Simulator, SimVersion, startSimulator, portalPrivileges } from '../../simulator';

const FAST = { cloneMs: 40, startMs: 20, shutdownMs: 20, stopMs: 20, deleteMs: 20, configMs: 10, agentDelayMs: 60, timeoutScale: 0.001, failFastMs: 5 };

const client = simulatorClient;

async function failure(p: Promise<unknown>): Promise<ProxmoxError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProxmoxError) return err;
    throw err;
  }
  throw new Error('expected a ProxmoxError');
}

const count = (sim: Simulator, method: string, path: string | RegExp) =>
  sim.requests().filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;

describe.each<SimVersion>(['8.4', '9.1'])('HTTP Proxmox client against the simulator (PVE %s)', (version) => {
  let sim: Simulator;
  let px: HttpProxmox;
  beforeEach(async () => {
    sim = await startSimulator({ version, unauthorizedDelayMs: 0, timings: FAST, serializeCloneLocks: true });
    px = client(sim);
  });
  afterEach(async () => {
    await px.close();
    await sim.close();
  });

  async function cloned(vmid: number, name = `vm-${vmid}`): Promise<void> {
    const task = await px.cloneTemplate({ templateVmid: 9003, newVmid: vmid, name });
    expect(await px.waitTask(task, 5_000)).toEqual({ ok: true, exitStatus: 'OK' });
  }

  test('version, templates with their sizes, nextid (a string on the wire) and the VM list', async () => {
    expect((await px.version()).version.startsWith(version)).toBe(true);
    const templates = await px.listTemplates();
    expect(templates.map((t) => t.vmid)).toEqual([9001, 9002, 9003]);
    for (const t of templates) {
      expect(t.cores).toBeGreaterThan(0);
      expect(t.memoryMb).toBeGreaterThanOrEqual(512);
      expect(t.diskGb).toBeGreaterThan(0);
      expect(typeof t.osType).toBe('string');
    }
    expect(await px.nextVmid()).toBe(100);
    expect((await px.listVms()).filter((v) => v.template).map((v) => v.vmid)).toEqual([9001, 9002, 9003]);
  });

  test('a full clone, named, locked while it runs, then configured, tagged, started, with guest IPs', async () => {
    sim.inject({ method: 'POST', path: /\/qemu\/9003\/clone$/, slowTaskMs: 400 });
    const task = await px.cloneTemplate({ templateVmid: 9003, newVmid: 120, name: 'repro-4711' });
    expect(task.upid).toMatch(/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmclone:9003:spp@pve!portal:$/);
    expect(await px.vmState(120)).toMatchObject({ lock: 'clone' });
    // Configuring a VM that is still being cloned fails with Proxmox's lock error (retried, then given up).
    const locked = await failure(px.configureVm(120, { cores: 4 }));
    expect(locked.kind).toBe('locked');
    expect(locked.message).toMatch(/VM is locked \(clone\)/);
    expect(await px.waitTask(task, 5_000)).toEqual({ ok: true, exitStatus: 'OK' });
    const clone = sim.vms().find((v) => v.vmid === 120);
    expect(clone).toMatchObject({ name: 'repro-4711', linked: false, clonedFrom: 9003, lock: null });

    await px.configureVm(120, { cores: 3, memoryMb: 3072, tags: ['spp'], onboot: false });
    expect(sim.vms().find((v) => v.vmid === 120)).toMatchObject({ cores: 3, memoryMb: 3072, tags: ['spp'], onboot: false });
    const put = sim.requests().filter((r) => r.method === 'PUT' && r.path.endsWith('/qemu/120/config') && r.status === 200)[0];
    expect(put?.body).toEqual({ cores: '3', memory: '3072', tags: 'spp', onboot: '0' }); // booleans as 1/0

    expect(await px.guestIps(120)).toEqual([]); // not running: no agent
    expect((await px.waitTask(await px.startVm(120), 5_000)).ok).toBe(true);
    expect(await px.vmState(120)).toMatchObject({ status: 'running', name: 'repro-4711', tags: ['spp'], template: false, lock: null });
    expect(await px.guestIps(120)).toEqual([]); // agent not running yet: no IPs, not an error
    await new Promise((r) => setTimeout(r, 120));
    const ips = await px.guestIps(120);
    expect(ips.length).toBeGreaterThan(0);
    for (const ip of ips) {
      expect(ip).not.toMatch(/^127\.|^::1$|^fe80:/i); // loopback and link-local left out
      if (ip.includes('.')) expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    }
  });

  test('shutdown, stop and delete with purge; a deleted VM reads as null', async () => {
    await cloned(130);
    await px.waitTask(await px.startVm(130), 5_000);
    expect((await px.waitTask(await px.shutdownVm(130, 30), 5_000)).ok).toBe(true);
    expect((await px.vmState(130))?.status).toBe('stopped');
    await px.waitTask(await px.startVm(130), 5_000);
    expect((await px.waitTask(await px.stopVm(130), 5_000)).ok).toBe(true);
    expect((await px.waitTask(await px.deleteVm(130), 5_000)).ok).toBe(true);
    const del = sim.requests().find((r) => r.method === 'DELETE' && r.path.endsWith('/qemu/130'));
    expect(del?.query).toEqual({ purge: '1', 'destroy-unreferenced-disks': '1' });
    expect(del?.body).toBeNull(); // GET/DELETE never carry a body (Proxmox answers 501)
    expect(await px.vmState(130)).toBeNull();
  });

  test('a shutdown the guest ignores ends as a failed task, with the task log', async () => {
    await cloned(131);
    await px.waitTask(await px.startVm(131), 5_000);
    sim.setAcpi(131, false);
    const result = await px.waitTask(await px.shutdownVm(131, 5), 5_000);
    expect(result.ok).toBe(false);
    expect(result.exitStatus).toMatch(/timeout|shutdown/i);
    expect(Array.isArray(result.log)).toBe(true);
  });

  test('a failed task: ok false with the exit status and the log; WARNINGS count as success', async () => {
    await cloned(132);
    sim.inject({ method: 'POST', path: /\/qemu\/132\/status\/start$/, taskExit: 'start failed: QEMU exited with code 1' });
    const failed = await px.waitTask(await px.startVm(132), 5_000);
    expect(failed).toMatchObject({ ok: false, exitStatus: 'start failed: QEMU exited with code 1' });
    expect(failed.log?.join('\n')).toMatch(/QEMU exited with code 1/);
    sim.inject({ method: 'POST', path: /\/qemu\/132\/status\/start$/, taskExit: 'WARNINGS: 2' });
    expect(await px.waitTask(await px.startVm(132), 5_000)).toEqual({ ok: true, exitStatus: 'WARNINGS: 2' });
  });

  test('waitTask gives up with a timeout while the task still runs', async () => {
    await cloned(133);
    sim.inject({ method: 'POST', path: /\/qemu\/133\/status\/start$/, slowTaskMs: 2_000 });
    const err = await failure(px.waitTask(await px.startVm(133), 100));
    expect(err.kind).toBe('timeout');
  });

  test('errors of the failure table: 401, 403 naming the privilege, does not exist, already exists, running', async () => {
    const wrongSecret = client(sim, { tokenSecret: '00000000-0000-0000-0000-000000000000' });
    const unauthorized = await failure(wrongSecret.version());
    await wrongSecret.close();
    expect(unauthorized.kind).toBe('unauthorized');
    expect(unauthorized.message).toMatch(/401/);

    sim.setPrivileges(sim.token.id, portalPrivileges(version).filter((p) => p !== 'VM.PowerMgmt'));
    await cloned(140);
    const forbidden = await failure(px.startVm(140));
    expect(forbidden.kind).toBe('forbidden');
    expect(forbidden.message).toMatch(/VM\.PowerMgmt on \/vms\/140/);
    expect(forbidden.hint).toMatch(/Grant VM\.PowerMgmt/);
    expect(count(sim, 'POST', /\/qemu\/140\/status\/start$/)).toBe(1); // a 4xx is never retried
    sim.setPrivileges(sim.token.id, portalPrivileges(version));

    const missing = await failure(px.cloneTemplate({ templateVmid: 9999, newVmid: 141, name: 'x' }));
    expect(missing.kind).toBe('not_found');
    expect(missing.message).toMatch(/does not exist/); // read from the reason phrase, also where the body has no message (8.4)
    expect(await px.vmState(9999)).toBeNull();

    const taken = await failure(px.cloneTemplate({ templateVmid: 9003, newVmid: 140, name: 'again' }));
    expect(taken.kind).toBe('already_exists');

    await px.waitTask(await px.startVm(140), 5_000);
    const running = await failure(px.deleteVm(140));
    expect(running.message).toMatch(/running - destroy failed/);

    const wrongNode = client(sim, { node: 'pve-elsewhere' });
    const node = await failure(wrongNode.listTemplates());
    await wrongNode.close();
    expect(node.message.length).toBeGreaterThan(10);
  });

  test('retries: 595 on a GET and a lock timeout on a POST are retried; a dropped POST is not', async () => {
    sim.inject({ method: 'GET', path: '/version', status: 595, message: 'Errors during connection establishment, proxy handshake' });
    expect((await px.version()).version.startsWith(version)).toBe(true);
    expect(count(sim, 'GET', '/version')).toBe(2);

    await cloned(150);
    sim.inject({ method: 'POST', path: /\/qemu\/150\/status\/start$/, status: 500, message: "can't lock file '/var/lock/qemu-server/lock-150.conf' - got timeout" });
    expect((await px.waitTask(await px.startVm(150), 5_000)).ok).toBe(true);
    expect(count(sim, 'POST', /\/qemu\/150\/status\/start$/)).toBe(2);

    sim.inject({ method: 'POST', path: /\/qemu\/150\/status\/stop$/, destroySocket: true });
    const dropped = await failure(px.stopVm(150));
    expect(dropped.kind).toBe('unreachable');
    expect(count(sim, 'POST', /\/qemu\/150\/status\/stop$/)).toBe(1); // the stop may have happened: never sent twice

    sim.inject({ method: 'GET', path: '/version', status: 596, message: 'proxy timeout', times: 5 });
    const gaveUp = await failure(px.version());
    expect(gaveUp.kind).toBe('timeout');
    expect(count(sim, 'GET', '/version')).toBe(2 + 3); // first try + two retries
    sim.clearFaults();
  });

  test('a call Proxmox does not answer in time is a timeout', async () => {
    const slow = client(sim, { timeoutMs: 100, retryDelaysMs: [] });
    sim.inject({ method: 'GET', path: '/version', delayMs: 1_000 });
    expect((await failure(slow.version())).kind).toBe('timeout');
    await slow.close();
  });

  test('missing privileges per PVE version; a token without ACLs lacks all of them', async () => {
    const all = { pool: '', templateVmids: [] };
    expect((await px.privilegeReport(all)).missing).toEqual([]);
    const agentPriv = version === '8.4' ? 'VM.Monitor' : 'VM.GuestAgent.Audit';
    sim.setPrivileges(sim.token.id, portalPrivileges(version).filter((p) => p !== agentPriv));
    expect((await px.privilegeReport(all)).missing).toEqual([expect.stringMatching(new RegExp(`^${agentPriv.replace('.', '\\.')} on /vms`))]);
    sim.setPrivileges(sim.token.id, []);
    expect((await px.privilegeReport(all)).missing.length).toBeGreaterThanOrEqual(10);
    expect(await px.listTemplates()).toEqual([]); // Proxmox answers 200 with an empty list, not 403
  });
});

describe('TLS trust (no way to skip verification)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ unauthorizedDelayMs: 0 });
  });
  afterAll(() => sim.close());

  const tryWith = async (trust: { caPem: string; fingerprintSha256: string }) => {
    const px = client(sim, { trust, retryDelaysMs: [] });
    try {
      return await px.version();
    } finally {
      await px.close();
    }
  };

  test('without the CA or a pin, the self-signed chain is refused', async () => {
    const err = await failure(tryWith({ caPem: '', fingerprintSha256: '' }));
    expect(err.kind).toBe('tls');
    expect(err.message).toMatch(/not trusted/);
  });

  test('with the CA bundle it connects', async () => {
    expect((await tryWith({ caPem: sim.caPem, fingerprintSha256: '' })).version).toMatch(/^9\./);
  });

  test('a pinned fingerprint connects (also written lower case without colons); another pin is refused', async () => {
    expect((await tryWith({ caPem: '', fingerprintSha256: sim.certFingerprint256 })).version).toMatch(/^9\./);
    expect((await tryWith({ caPem: '', fingerprintSha256: sim.certFingerprint256.replace(/:/g, '').toLowerCase() })).version).toMatch(/^9\./);
    const other = sim.certFingerprint256.replace(/^../, sim.certFingerprint256.startsWith('00') ? '11' : '00');
    const err = await failure(tryWith({ caPem: '', fingerprintSha256: other }));
    expect(err.kind).toBe('tls');
    expect(err.message).toMatch(/does not match the pinned fingerprint/);
  });

  test('settings that cannot work are refused before any connection', () => {
    const make = (o: Partial<HttpProxmoxOptions>) => () => client(sim, o);
    expect(make({ baseUrl: sim.url.replace('https:', 'http:') })).toThrow(/must use https/);
    expect(make({ trust: { caPem: '', fingerprintSha256: 'AB:CD' } })).toThrow(/not a SHA-256 fingerprint/);
    expect(make({ tokenId: 'spp@pve' })).toThrow(/user@realm!tokenname/);
    expect(make({ tokenSecret: '' })).toThrow(/secret/);
  });
});
