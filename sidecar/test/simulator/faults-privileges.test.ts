/**
 * Fault injection, token privileges (403 texts, checked before existence, privilege-separated token without
 * ACLs), /access/permissions, persistence across a restart, and the committed schema subset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, allPrivileges, decodeUpid, loadOrCreateTls, startSimulator } from '../../simulator';
import pve84 from '../../simulator/schema/pve-8.4.json';
import pve91 from '../../simulator/schema/pve-9.1.json';
import { type Call, enc, pveClient, tokenHeader, waitTask } from './pve-http';

describe('fault injection', () => {
  let sim: Simulator;
  let call: Call;
  beforeAll(async () => {
    sim = await startSimulator({ unauthorizedDelayMs: 0, timings: { cloneMs: 60, startMs: 20 } });
    call = pveClient(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.clearFaults());

  test('status + message: Proxmox-style error with the message as reason phrase, `times` then gone', async () => {
    sim.inject({ path: '/nodes/pve/qemu/9001/clone', status: 595, message: 'Errors during connection establishment, proxy handshake', times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 400, full: 1 } });
      expect([r.status, r.reason]).toEqual([595, 'Errors during connection establishment, proxy handshake']);
      expect(r.json).toEqual({ data: null, message: 'Errors during connection establishment, proxy handshake\n' });
    }
    const ok = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 400, full: 1 } });
    expect(ok.status).toBe(200);
    await waitTask(call, 'pve', ok.json.data);
  });

  test('only the first line of a message is the reason phrase; the body keeps all of it', async () => {
    sim.inject({ path: '/cluster/nextid', status: 500, message: 'first line\nsecond line' });
    const r = await call('GET', '/cluster/nextid');
    expect([r.status, r.reason]).toEqual([500, 'first line']);
    expect(r.json).toEqual({ data: null, message: 'first line\nsecond line\n' });
  });

  test('method filter and RegExp paths; a 500 lock timeout', async () => {
    sim.inject({ method: 'PUT', path: /^\/nodes\/pve\/qemu\/\d+\/config$/, status: 500, message: "can't lock file '/var/lock/qemu-server/lock-400.conf' - got timeout" });
    expect((await call('GET', '/nodes/pve/qemu/400/config')).status).toBe(200);
    const r = await call('PUT', '/nodes/pve/qemu/400/config', { form: { cores: 2 } });
    expect([r.status, r.reason]).toEqual([500, "can't lock file '/var/lock/qemu-server/lock-400.conf' - got timeout"]);
    expect((await call('PUT', '/nodes/pve/qemu/400/config', { form: { cores: 2 } })).status).toBe(200);
  });

  test('delayMs answers late (for client timeouts); destroySocket resets the connection', async () => {
    sim.inject({ path: '/version', delayMs: 200 });
    const t0 = Date.now();
    expect((await call('GET', '/version')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    sim.inject({ path: '/version', destroySocket: true });
    await expect(call('GET', '/version')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await call('GET', '/version')).status).toBe(200);
  });

  test('taskExit: the call succeeds, its task ends with the given exit status (and a failed clone is rolled back)', async () => {
    sim.inject({ path: '/nodes/pve/qemu/9001/clone', taskExit: "clone failed: cfs-lock 'storage-local-lvm' error: got lock request timeout", taskMs: 30 });
    const r = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 401, full: 1 } });
    expect(r.status).toBe(200);
    expect(sim.vms().find((v) => v.vmid === 401)?.lock).toBe('clone');
    const done = await waitTask(call, 'pve', r.json.data);
    expect(done.exitstatus).toBe("clone failed: cfs-lock 'storage-local-lvm' error: got lock request timeout");
    expect(sim.vms().some((v) => v.vmid === 401)).toBe(false);

    sim.inject({ path: '/nodes/pve/qemu/400/status/start', taskExit: 'WARNINGS: 2' });
    const s = await call('POST', '/nodes/pve/qemu/400/status/start');
    expect((await waitTask(call, 'pve', s.json.data)).exitstatus).toBe('WARNINGS: 2');
    expect(sim.vms().find((v) => v.vmid === 400)?.status).toBe('running');
    const log = await call('GET', `/nodes/pve/tasks/${enc(s.json.data)}/log`);
    expect(log.json.data.at(-1).t).toBe('TASK WARNINGS: 2');
    const stop = await call('POST', '/nodes/pve/qemu/400/status/stop');
    await waitTask(call, 'pve', stop.json.data);
  });

  test('slowTaskMs: the task takes that long', async () => {
    sim.inject({ path: '/nodes/pve/qemu/400/status/start', slowTaskMs: 250 });
    const s = await call('POST', '/nodes/pve/qemu/400/status/start');
    await new Promise((r) => setTimeout(r, 100));
    expect((await call('GET', `/nodes/pve/tasks/${enc(s.json.data)}/status`)).json.data.status).toBe('running');
    expect((await waitTask(call, 'pve', s.json.data)).exitstatus).toBe('OK');
    expect(sim.tasks().find((t) => t.upid === s.json.data)).toEqual({ upid: s.json.data, type: 'qmstart', id: '400', status: 'stopped', exitstatus: 'OK' });
  });
});

describe.each(['9.1', '8.4'] as const)('PVE %s token privileges', (version) => {
  let sim: Simulator;
  let call: Call;
  const reader = { id: 'reader@pve!ro', secret: 'ro-secret', privileges: ['VM.Audit'] };
  const empty = { id: 'bare@pve!none', secret: 'none-secret', privileges: [] as string[], privsep: true };
  const scoped = { id: 'scoped@pve!one', secret: 'one-secret', privileges: ['/vms/9001:VM.Audit', '/vms/9001:VM.PowerMgmt'] };

  beforeAll(async () => {
    sim = await startSimulator({
      version,
      unauthorizedDelayMs: 0,
      timings: { cloneMs: 30, startMs: 20, agentDelayMs: 0 },
      tokens: [{ id: 'admin@pve!all', secret: 'all-secret', privileges: 'all' }, reader, empty, scoped],
    });
    call = pveClient(sim);
  });
  afterAll(() => sim.close());

  const as = (t: { id: string; secret: string }): { auth: string } => ({ auth: tokenHeader(t.id, t.secret) });

  test('403 "Permission check failed (/vms/N, Priv)" in the reason phrase, checked before existence', async () => {
    const r = await call('POST', '/nodes/pve/qemu/999/status/start', as(reader));
    expect([r.status, r.reason]).toEqual([403, 'Permission check failed (/vms/999, VM.PowerMgmt)']);
    expect(r.json).toEqual(version === '9.1' ? { data: null, message: 'Permission check failed (/vms/999, VM.PowerMgmt)\n' } : { data: null });
    const clone = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 500 }, ...as(reader) });
    expect(clone.reason).toBe('Permission check failed (/vms/9001, VM.Clone)');
    const cfg = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { cores: 2 }, ...as(reader) });
    expect(cfg.reason).toBe(
      'Permission check failed (/vms/9001, VM.Config.Disk|VM.Config.CDROM|VM.Config.CPU|VM.Config.Memory|VM.Config.Network|VM.Config.HWType|VM.Config.Options|VM.Config.Cloudinit)',
    );
    const node = await call('GET', '/nodes/pve/status', as(reader));
    expect(node.reason).toBe('Permission check failed (/nodes/pve, Sys.Audit)');
    const scopedOther = await call('GET', '/nodes/pve/qemu/9002/config', as(scoped));
    expect(scopedOther.reason).toBe('Permission check failed (/vms/9002, VM.Audit)');
    expect((await call('GET', '/nodes/pve/qemu/9001/config', as(scoped))).status).toBe(200);
  });

  test('per-key config privileges: cores needs VM.Config.CPU, memory VM.Config.Memory, tags VM.Config.Options', async () => {
    sim.setPrivileges(reader.id, ['VM.Audit', 'VM.Config.Options']);
    try {
      const cores = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { cores: 3 }, ...as(reader) });
      expect(cores.reason).toBe('Permission check failed (/vms/9001, VM.Config.CPU)');
      const mem = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { memory: 4096 }, ...as(reader) });
      expect(mem.reason).toBe('Permission check failed (/vms/9001, VM.Config.Memory)');
      const tags = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { tags: 'a' }, ...as(reader) });
      expect(tags.status).toBe(200);
    } finally {
      sim.setPrivileges(reader.id, ['VM.Audit']);
    }
  });

  test('the agent needs VM.GuestAgent.Audit on 9.1 and VM.Monitor on 8.4', async () => {
    const r = await call('GET', '/nodes/pve/qemu/9001/agent/network-get-interfaces', as(reader));
    expect(r.reason).toBe(
      version === '9.1' ? 'Permission check failed (/vms/9001, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)' : 'Permission check failed (/vms/9001, VM.Monitor)',
    );
    expect(allPrivileges(version).includes('VM.Monitor')).toBe(version === '8.4');
  });

  test('clone needs VM.Allocate on the new id and Datastore.AllocateSpace on the storage', async () => {
    sim.setPrivileges(reader.id, ['VM.Audit', 'VM.Clone']);
    try {
      const r = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 501, full: 1 }, ...as(reader) });
      expect(r.reason).toBe('Permission check failed');
      sim.setPrivileges(reader.id, ['VM.Audit', 'VM.Clone', 'VM.Allocate']);
      const r2 = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 501, full: 1 }, ...as(reader) });
      expect(r2.reason).toBe('Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)');
      expect(sim.vms().some((v) => v.vmid === 501)).toBe(false);
    } finally {
      sim.setPrivileges(reader.id, ['VM.Audit']);
    }
  });

  test('a privilege-separated token without ACLs sees empty lists with 200', async () => {
    const qemu = await call('GET', '/nodes/pve/qemu', as(empty));
    expect([qemu.status, qemu.json]).toEqual([200, { data: [] }]);
    const res = await call('GET', '/cluster/resources', as(empty));
    expect([res.status, res.json]).toEqual([200, { data: [] }]);
    const perms = await call('GET', '/access/permissions', as(empty));
    expect(perms.json).toEqual({ data: {} });
    const nodes = await call('GET', '/nodes', as(empty));
    expect(nodes.json.data).toEqual([{ id: 'node/pve', node: 'pve', ssl_fingerprint: sim.certFingerprint256, status: 'online', type: 'node' }]);
    expect((await call('GET', '/version', as(empty))).status).toBe(200);
    expect((await call('GET', '/cluster/nextid', as(empty))).status).toBe(200);
    const cfg = await call('GET', '/nodes/pve/qemu/9001/config', as(empty));
    expect(cfg.reason).toBe('Permission check failed (/vms/9001, VM.Audit)');
  });

  test('lists are filtered by VM.Audit per VM', async () => {
    const qemu = await call('GET', '/nodes/pve/qemu', as(scoped));
    expect(qemu.json.data.map((v: any) => v.vmid)).toEqual([9001]);
    const res = await call('GET', '/cluster/resources', { query: { type: 'vm' }, ...as(scoped) });
    expect(res.json.data.map((v: any) => v.vmid)).toEqual([9001]);
  });

  test('/access/permissions: effective privileges per path, ?path= for one path, others need Sys.Audit on /access', async () => {
    const all = await call('GET', '/access/permissions', as(scoped));
    expect(all.json.data).toEqual({ '/vms/9001': { 'VM.Audit': 1, 'VM.PowerMgmt': 1 } });
    const one = await call('GET', '/access/permissions', { query: { path: '/vms/9001' }, ...as(reader) });
    expect(one.json.data).toEqual({ '/vms/9001': { 'VM.Audit': 1 } });
    const mine = await call('GET', '/access/permissions', { query: { path: '/' } });
    expect(mine.json.data['/']).toEqual(Object.fromEntries((sim.token.id === 'admin@pve!all' ? allPrivileges(version) : []).map((p) => [p, 1])));
    const other = await call('GET', '/access/permissions', { query: { userid: 'admin@pve!all' }, ...as(reader) });
    expect(other.reason).toBe('Permission check failed (/access, Sys.Audit)');
  });

  test("task status: own tasks visible, others' need Sys.Audit on the node", async () => {
    const s = await call('POST', '/nodes/pve/qemu/9001/status/start', as(scoped));
    expect(decodeUpid(s.json.data)?.user).toBe('scoped@pve!one');
    const own = await call('GET', `/nodes/pve/tasks/${enc(s.json.data)}/status`, as(scoped));
    expect(own.json.data).toMatchObject({ user: 'scoped@pve', tokenid: 'one' });
    const foreign = await call('GET', `/nodes/pve/tasks/${enc(s.json.data)}/status`, as(reader));
    expect(foreign.reason).toBe('Permission check failed (/nodes/pve, Sys.Audit)');
    expect((await call('GET', `/nodes/pve/tasks/${enc(s.json.data)}/status`)).status).toBe(200);
  });

  test('the default token has the portal privileges for the version', async () => {
    const d = await startSimulator({ version, unauthorizedDelayMs: 0 });
    try {
      const perms = await pveClient(d)('GET', '/access/permissions', { query: { path: '/vms/100' } });
      const privs = Object.keys(perms.json.data['/vms/100']);
      expect(privs).toEqual(expect.arrayContaining(['VM.Audit', 'VM.Clone', 'VM.Allocate', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Options', 'VM.PowerMgmt']));
      expect(privs).toContain(version === '9.1' ? 'VM.GuestAgent.Audit' : 'VM.Monitor');
      expect(d.token.id).toBe('spp@pve!portal');
      expect(d.token.secret).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await d.close();
    }
  });
});

describe('persistence', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pve-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('stateFile: a restarted simulator has the VMs and tasks, and finishes a task that was running', async () => {
    const stateFile = join(dir, 'state.json');
    const tls = loadOrCreateTls(join(dir, 'tls'), 'pve', ['127.0.0.1', 'localhost']);
    const token = { id: 'spp@pve!portal', secret: 'fixed', privileges: 'all' as const };
    const first = await startSimulator({ stateFile, tls, tokens: [token], unauthorizedDelayMs: 0, timings: { cloneMs: 40, startMs: 20 } });
    let call = pveClient(first);
    const done = (await call('POST', '/nodes/pve/qemu/9002/clone', { form: { newid: 600, full: 1, name: 'kept' } })).json.data as string;
    await waitTask(call, 'pve', done);
    await call('PUT', '/nodes/pve/qemu/600/config', { form: { tags: 'spp-expired', cores: 6 } });
    const pending = (await call('POST', '/nodes/pve/qemu/9003/clone', { form: { newid: 601, full: 1 } })).json.data as string;
    await first.close();

    const again = await startSimulator({ stateFile, tls: loadOrCreateTls(join(dir, 'tls'), 'pve', ['127.0.0.1', 'localhost']), tokens: [token], unauthorizedDelayMs: 0 });
    try {
      expect(again.certFingerprint256).toBe(first.certFingerprint256);
      call = pveClient(again);
      expect(again.vms().find((v) => v.vmid === 600)).toMatchObject({ name: 'kept', tags: ['spp-expired'], cores: 6, clonedFrom: 9002 });
      expect((await call('GET', `/nodes/pve/tasks/${enc(done)}/status`)).json.data.exitstatus).toBe('OK');
      expect((await waitTask(call, 'pve', pending)).exitstatus).toBe('OK');
      expect(again.vms().find((v) => v.vmid === 601)?.lock).toBeNull();
      expect((await call('GET', '/cluster/nextid')).json.data).toBe('100');
    } finally {
      await again.close();
    }
  });
});

describe('committed schema subset', () => {
  test.each([
    ['9.1', pve91],
    ['8.4', pve84],
  ] as const)('pve-%s.json names its source and generator and has every simulated endpoint', (release, file) => {
    expect(file.release).toBe(release);
    expect(file.generator).toBe('sidecar/scripts/generate-pve-schema.mjs');
    expect(file.source.file).toBe(`apidata-${file.source.pveVersion}.json`);
    expect(file.source.pveVersion.startsWith(release)).toBe(true);
    expect(Object.keys(file.endpoints)).toHaveLength(19);
    expect(file.endpoints['POST /nodes/{node}/qemu/{vmid}/clone'].parameters.properties.newid).toMatchObject({ type: 'integer', format: 'pve-vmid' });
  });
});
