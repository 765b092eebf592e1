/**
 * Stateful behaviour: tasks and UPIDs, clone (lock, linked vs full, parallel storage-lock failure), nextid,
 * power actions, the guest agent, delete.
 */
import { type Simulator, decodeUpid, startSimulator } from '../../simulator';
import { type Call, UPID_PATTERN, enc, pveClient, waitTask } from './pve-http';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(['9.1', '8.4'] as const)('PVE %s lifecycle', (version) => {
  let sim: Simulator;
  let call: Call;

  beforeAll(async () => {
    sim = await startSimulator({
      version,
      unauthorizedDelayMs: 0,
      timings: { cloneMs: 150, startMs: 30, shutdownMs: 30, stopMs: 20, deleteMs: 60, configMs: 30, agentDelayMs: 400, timeoutScale: 0.002 },
    });
    call = pveClient(sim);
  });
  afterAll(() => sim.close());

  async function clone(newid: number, extra: Record<string, string | number> = {}, src = 9001): Promise<string> {
    const r = await call('POST', `/nodes/pve/qemu/${src}/clone`, { form: { newid, name: `vm-${newid}`, full: 1, ...extra } });
    expect([r.status, r.reason]).toEqual([200, 'OK']);
    return r.json.data as string;
  }

  test('clone: UPID (id = source vmid, user = token), lock clone at once, config writes refused until the task ends', async () => {
    const upid = await clone(200);
    expect(upid).toMatch(UPID_PATTERN);
    expect(decodeUpid(upid)).toMatchObject({ node: 'pve', type: 'qmclone', id: '9001', user: 'spp@pve!portal' });

    const cur = await call('GET', '/nodes/pve/qemu/200/status/current');
    expect(cur.json.data).toMatchObject({ vmid: 200, lock: 'clone', status: 'stopped', name: 'VM 200' });
    const list = await call('GET', '/nodes/pve/qemu');
    expect(list.json.data.find((v: any) => v.vmid === 200)).toMatchObject({ lock: 'clone' });

    const put = await call('PUT', '/nodes/pve/qemu/200/config', { form: { cores: 4 } });
    expect([put.status, put.reason]).toEqual([500, 'VM is locked (clone)']);
    const post = await call('POST', '/nodes/pve/qemu/200/config', { form: { memory: 4096 } });
    expect([post.status, post.reason]).toEqual([500, 'VM is locked (clone)']);

    const running = await call('GET', `/nodes/pve/tasks/${enc(upid)}/status`);
    expect(running.json.data).toEqual({
      upid,
      node: 'pve',
      pid: expect.any(Number),
      pstart: expect.any(Number),
      starttime: expect.any(Number),
      type: 'qmclone',
      id: '9001',
      user: 'spp@pve',
      tokenid: 'portal',
      status: 'running',
    });

    const done = await waitTask(call, 'pve', upid);
    expect(done.exitstatus).toBe('OK');
    const cfg = await call('GET', '/nodes/pve/qemu/200/config');
    expect(cfg.json.data).toMatchObject({ name: 'vm-200', cores: 2, memory: '2048' });
    expect(cfg.json.data).not.toHaveProperty('lock');
    expect(cfg.json.data).not.toHaveProperty('template');
    expect(cfg.json.data.scsi0).toMatch(/^local-lvm:vm-200-disk-0,/);
    const tpl = await call('GET', '/nodes/pve/qemu/9001/config');
    expect(cfg.json.data.net0).not.toBe(tpl.json.data.net0); // a new MAC

    const upd = await call('PUT', '/nodes/pve/qemu/200/config', { form: { cores: 4, memory: 4096, tags: 'spp;b-tag;a-tag', onboot: 1 } });
    expect(upd.json).toEqual({ data: null });
    const after = await call('GET', '/nodes/pve/qemu/200/config');
    expect(after.json.data).toMatchObject({ cores: 4, memory: '4096', tags: 'a-tag;b-tag;spp', onboot: 1 });
    expect(sim.vms().find((v) => v.vmid === 200)).toMatchObject({ cores: 4, memoryMb: 4096, tags: ['a-tag', 'b-tag', 'spp'], onboot: true, linked: false, clonedFrom: 9001, lock: null });

    const log = await call('GET', `/nodes/pve/tasks/${enc(upid)}/log`, { query: { start: 0, limit: 2 } });
    expect(log.json.data).toEqual([
      { n: 1, t: 'create full clone of drive scsi0 (local-lvm:base-9001-disk-0)' },
      { n: 2, t: '  Logical volume "vm-200-disk-0" created.' },
    ]);
    expect(log.json.total).toBeGreaterThan(2);
    const tail = await call('GET', `/nodes/pve/tasks/${enc(upid)}/log`, { query: { start: log.json.total - 1 } });
    expect(tail.json.data).toEqual([{ n: log.json.total, t: 'TASK OK' }]);
  });

  test('clone from a template without full=1 is a linked clone; storage is refused for it', async () => {
    const r = await call('POST', '/nodes/pve/qemu/9003/clone', { form: { newid: 201, name: 'linked' } });
    expect(r.status).toBe(200);
    await waitTask(call, 'pve', r.json.data);
    expect(sim.vms().find((v) => v.vmid === 201)).toMatchObject({ linked: true, clonedFrom: 9003 });
    const cfg = await call('GET', '/nodes/pve/qemu/201/config');
    expect(cfg.json.data.scsi0).toMatch(/^local-lvm:base-9003-disk-0\/vm-201-disk-0,/);
    const bad = await call('POST', '/nodes/pve/qemu/9003/clone', { form: { newid: 202, storage: 'local-lvm' } });
    expect([bad.status, bad.reason]).toEqual([500, "parameter 'storage' not allowed for linked clones"]);
  });

  test('clone pre-checks are synchronous: newid taken, source locked, source missing', async () => {
    const taken = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 9002, full: 1 } });
    expect([taken.status, taken.reason]).toEqual([500, 'unable to create VM 9002: config file already exists']);
    sim.lockVm(9001, 'backup');
    const locked = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 210, full: 1 } });
    sim.lockVm(9001, null);
    expect([locked.status, locked.reason]).toEqual([500, 'VM is locked (backup)']);
    const missing = await call('POST', '/nodes/pve/qemu/777/clone', { form: { newid: 210, full: 1 } });
    expect([missing.status, missing.reason]).toEqual([500, "Configuration file 'nodes/pve/qemu-server/777.conf' does not exist"]);
    expect(sim.vms().some((v) => v.vmid === 210)).toBe(false);
  });

  test('parallel full clones of one template: the second fails on the storage lock and is rolled back', async () => {
    sim.inject({ path: '/nodes/pve/qemu/9002/clone', slowTaskMs: 600 }); // keeps the first one busy long enough
    const first = await clone(220, {}, 9002);
    const second = await clone(221, {}, 9002);
    expect(sim.vms().find((v) => v.vmid === 221)?.lock).toBe('clone');
    const [a, b] = await Promise.all([waitTask(call, 'pve', first), waitTask(call, 'pve', second)]);
    expect(a.exitstatus).toBe('OK');
    expect(b.exitstatus).toBe("clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    expect(sim.vms().some((v) => v.vmid === 221)).toBe(false);
    const log = await call('GET', `/nodes/pve/tasks/${enc(second)}/log`);
    expect(log.json.data.at(-1).t).toBe("TASK ERROR: clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    // one after the other works
    const third = await clone(221, {}, 9002);
    expect((await waitTask(call, 'pve', third)).exitstatus).toBe('OK');
  });

  test('nextid: lowest free id >= 100, not reserved; ?vmid=N taken → 400 errors.vmid', async () => {
    const a = await call('GET', '/cluster/nextid');
    const b = await call('GET', '/cluster/nextid');
    expect(a.json.data).toBe(b.json.data); // no reservation: two callers get the same id
    expect(Number(a.json.data)).toBeGreaterThanOrEqual(100);
    expect(sim.vms().some((v) => v.vmid === Number(a.json.data))).toBe(false);
    for (let id = 100; id < Number(a.json.data); id++) expect(sim.vms().some((v) => v.vmid === id)).toBe(true);
    const free = await call('GET', '/cluster/nextid', { query: { vmid: 4711 } });
    expect(free.json.data).toBe('4711');
    const taken = await call('GET', '/cluster/nextid', { query: { vmid: 9001 } });
    expect([taken.status, taken.reason]).toEqual([400, 'Parameter verification failed.']);
    expect(taken.json.errors).toEqual({ vmid: 'VM 9001 already exists' });
  });

  test('start, agent not running then interfaces, start again fails in the task, delete of a running VM refused', async () => {
    await waitTask(call, 'pve', await clone(230));
    const agentStopped = await call('GET', '/nodes/pve/qemu/230/agent/network-get-interfaces');
    expect([agentStopped.status, agentStopped.reason]).toEqual([500, 'VM 230 is not running']);

    const start = await call('POST', '/nodes/pve/qemu/230/status/start');
    expect(decodeUpid(start.json.data)).toMatchObject({ type: 'qmstart', id: '230' });
    expect((await waitTask(call, 'pve', start.json.data)).exitstatus).toBe('OK');
    const cur = await call('GET', '/nodes/pve/qemu/230/status/current');
    expect(cur.json.data).toMatchObject({ status: 'running', qmpstatus: 'running', agent: 1, pid: expect.any(Number) });

    const early = await call('GET', '/nodes/pve/qemu/230/agent/network-get-interfaces');
    expect([early.status, early.reason]).toEqual([500, 'QEMU guest agent is not running']);
    await sleep(420);
    const ifaces = await call('GET', '/nodes/pve/qemu/230/agent/network-get-interfaces');
    expect(ifaces.status).toBe(200);
    const result = ifaces.json.data.result as any[];
    const lo = result.find((i) => i.name === 'lo');
    expect(lo['ip-addresses'].map((a: any) => a['ip-address'])).toEqual(['127.0.0.1', '::1']);
    const addrs: string[] = result.flatMap((i) => (i['ip-addresses'] ?? []).map((a: any) => a['ip-address']));
    expect(addrs.some((a) => a.startsWith('fe80::'))).toBe(true);
    const usable = addrs.filter((a) => a !== '127.0.0.1' && a !== '::1' && !a.startsWith('fe80:'));
    expect(usable).toHaveLength(1);
    expect(usable[0]).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
    const again = await call('GET', '/nodes/pve/qemu/230/agent/network-get-interfaces');
    expect(again.json.data.result).toEqual(result.map((i) => ({ ...i, statistics: expect.any(Object) }))); // deterministic

    const twice = await call('POST', '/nodes/pve/qemu/230/status/start');
    expect(twice.status).toBe(200);
    expect((await waitTask(call, 'pve', twice.json.data)).exitstatus).toBe('VM 230 already running');

    const del = await call('DELETE', '/nodes/pve/qemu/230', { query: { purge: 1, 'destroy-unreferenced-disks': 1 } });
    expect([del.status, del.reason]).toEqual([500, 'VM 230 is running - destroy failed']);

    const stop = await call('POST', '/nodes/pve/qemu/230/status/stop');
    expect((await waitTask(call, 'pve', stop.json.data)).exitstatus).toBe('OK');
    const del2 = await call('DELETE', '/nodes/pve/qemu/230', { query: { purge: 1, 'destroy-unreferenced-disks': 1 } });
    expect(decodeUpid(del2.json.data)).toMatchObject({ type: 'qmdestroy', id: '230' });
    expect(sim.vms().find((v) => v.vmid === 230)?.lock).toBe('destroyed');
    expect((await waitTask(call, 'pve', del2.json.data)).exitstatus).toBe('OK');
    const gone = await call('GET', '/nodes/pve/qemu/230/status/current');
    expect([gone.status, gone.reason]).toEqual([500, "Configuration file 'nodes/pve/qemu-server/230.conf' does not exist"]);
  });

  test('start of a template fails in its task; start of a clone-locked VM too', async () => {
    const tpl = await call('POST', '/nodes/pve/qemu/9001/status/start');
    expect((await waitTask(call, 'pve', tpl.json.data)).exitstatus).toBe("you can't start a vm if it's a template");
    const upid = await clone(240);
    const locked = await call('POST', '/nodes/pve/qemu/240/status/start');
    expect((await waitTask(call, 'pve', locked.json.data)).exitstatus).toBe('VM is locked (clone)');
    await waitTask(call, 'pve', upid);
  });

  test('shutdown: honoured → OK; ignored ACPI → timeout error, or WARNINGS with forceStop', async () => {
    await waitTask(call, 'pve', await clone(250, {}, 9003));
    const start = async (): Promise<void> => {
      const s = await call('POST', '/nodes/pve/qemu/250/status/start');
      expect((await waitTask(call, 'pve', s.json.data)).exitstatus).toBe('OK');
    };
    await start();
    const ok = await call('POST', '/nodes/pve/qemu/250/status/shutdown', { form: { timeout: 30 } });
    expect(decodeUpid(ok.json.data)?.type).toBe('qmshutdown');
    expect((await waitTask(call, 'pve', ok.json.data)).exitstatus).toBe('OK');
    expect(sim.vms().find((v) => v.vmid === 250)?.status).toBe('stopped');

    sim.setAcpi(250, false);
    await start();
    const ignored = await call('POST', '/nodes/pve/qemu/250/status/shutdown', { form: { timeout: 60 } }); // 60 s × 0.002
    expect((await waitTask(call, 'pve', ignored.json.data)).exitstatus).toBe('VM quit/powerdown failed - got timeout');
    expect(sim.vms().find((v) => v.vmid === 250)?.status).toBe('running');
    const forced = await call('POST', '/nodes/pve/qemu/250/status/shutdown', { form: { timeout: 60, forceStop: 1 } });
    expect((await waitTask(call, 'pve', forced.json.data)).exitstatus).toBe('WARNINGS: 1');
    expect(sim.vms().find((v) => v.vmid === 250)?.status).toBe('stopped');

    const stopped = await call('POST', '/nodes/pve/qemu/250/status/shutdown');
    expect((await waitTask(call, 'pve', stopped.json.data)).exitstatus).toBe('OK'); // a no-op on a stopped VM
  });

  test('POST config is an async qmconfig task; PUT is sync; digest and delete are honoured', async () => {
    await waitTask(call, 'pve', await clone(260, {}, 9003));
    const cfg = await call('GET', '/nodes/pve/qemu/260/config');
    const post = await call('POST', '/nodes/pve/qemu/260/config', { form: { cores: 3, digest: cfg.json.data.digest } });
    expect(decodeUpid(post.json.data)).toMatchObject({ type: 'qmconfig', id: '260' });
    expect((await waitTask(call, 'pve', post.json.data)).exitstatus).toBe('OK');
    expect(sim.vms().find((v) => v.vmid === 260)?.cores).toBe(3);
    const stale = await call('PUT', '/nodes/pve/qemu/260/config', { form: { cores: 2, digest: cfg.json.data.digest } });
    expect([stale.status, stale.reason]).toEqual([500, 'checksum mismatch (file change by other user?)']);
    const none = await call('PUT', '/nodes/pve/qemu/260/config', { form: {} });
    expect([none.status, none.reason]).toEqual([500, 'no options specified']);
    await call('PUT', '/nodes/pve/qemu/260/config', { form: { tags: 'x', onboot: 1 } });
    const del = await call('PUT', '/nodes/pve/qemu/260/config', { form: { delete: 'tags,onboot' } });
    expect(del.status).toBe(200);
    const after = await call('GET', '/nodes/pve/qemu/260/config');
    expect(after.json.data).not.toHaveProperty('tags');
    expect(after.json.data).not.toHaveProperty('onboot');
    const unknown = await call('PUT', '/nodes/pve/qemu/260/config', { form: { delete: 'nonsense' } });
    expect(unknown.json.errors).toEqual({ delete: "unknown option 'nonsense'" });
    const lock = await call('PUT', '/nodes/pve/qemu/260/config', { form: { lock: 'backup' } });
    expect([lock.status, lock.reason]).toEqual([500, "only root can set 'lock' config"]);
    const skip = await call('PUT', '/nodes/pve/qemu/260/config', { form: { cores: 2, skiplock: 1 } });
    expect(skip.json.errors).toEqual({ skiplock: 'Only root may use this option.' });
  });

  test('task status: unparsable and unknown UPIDs, wrong node', async () => {
    const bad = await call('GET', `/nodes/pve/tasks/${enc('not-a-upid')}/status`);
    expect([bad.status, bad.json.errors]).toEqual([400, { upid: 'unable to parse worker upid' }]);
    const unknown = await call('GET', `/nodes/pve/tasks/${enc('UPID:pve:00001234:00ABCDEF:65000000:qmstart:100:spp@pve!portal:')}/status`);
    expect([unknown.status, unknown.json.errors]).toEqual([400, { upid: 'no such task' }]);
    const other = await call('GET', `/nodes/pve/tasks/${enc('UPID:pve2:00001234:00ABCDEF:65000000:qmstart:100:spp@pve!portal:')}/log`);
    expect(other.json.errors).toEqual({ upid: 'no such task' });
  });
});

describe('clone storage lock switch', () => {
  test('serializeCloneLocks: overlapping full clones queue and both succeed', async () => {
    const sim = await startSimulator({ unauthorizedDelayMs: 0, serializeCloneLocks: true, timings: { cloneMs: 80 } });
    try {
      const call = pveClient(sim);
      const ups = await Promise.all(
        [300, 301, 302].map(async (newid) => (await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid, full: 1 } })).json.data as string),
      );
      const t0 = Date.now();
      const results = await Promise.all(ups.map((u) => waitTask(call, 'pve', u)));
      expect(results.map((r) => r.exitstatus)).toEqual(['OK', 'OK', 'OK']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // one after the other
      // linked clones and other templates never wait
      expect(sim.vms().filter((v) => v.clonedFrom === 9001).map((v) => v.name)).toEqual(['Copy-of-VM-pbx-test-appliance', 'Copy-of-VM-pbx-test-appliance', 'Copy-of-VM-pbx-test-appliance']);
    } finally {
      await sim.close();
    }
  });
});
