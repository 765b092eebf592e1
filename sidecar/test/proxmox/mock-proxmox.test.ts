import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxmoxError, TaskRef } from '../../src/proxmox/client';
import { DEFAULT_MOCK_TEMPLATES, MockProxmox, MockProxmoxOptions } from '../../src/proxmox/mock/mock-proxmox';
import { GUEST_IP_CAPACITY, guestIpv4 } from '../../src/proxmox/demo-proxmox';
import { usableAddresses } from '../../src/proxmox/usable-addresses';
import { formatUpid, parseUpid } from '../../src/proxmox/upid';

const UPID_RE =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

const FAST = { cloneMs: 15, startMs: 10, shutdownMs: 10, stopMs: 5, deleteMs: 10, agentDelayMs: 20 };

const open: MockProxmox[] = [];
function mock(options: MockProxmoxOptions = {}): MockProxmox {
  const m = new MockProxmox({ timings: FAST, ...options });
  open.push(m);
  return m;
}
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function rejection(p: Promise<unknown>): Promise<ProxmoxError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProxmoxError) return err;
    throw err;
  }
  throw new Error('expected a ProxmoxError, but the call succeeded');
}

async function ok(m: MockProxmox, task: Promise<TaskRef>): Promise<void> {
  expect(await m.waitTask(await task, 1000)).toEqual({ ok: true, exitStatus: 'OK' });
}

/** A cloned, running VM with its agent up. */
async function runningVm(m: MockProxmox, vmid = 100): Promise<void> {
  await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: vmid, name: `vm-${vmid}` }));
  await ok(m, m.startVm(vmid));
}

describe('MockProxmox basics', () => {
  test('version, privileges and the default templates', async () => {
    const m = mock();
    expect(m.node).toBe('pve-01');
    expect(await m.version()).toEqual({ version: '9.1.3', release: '9.1' });
    expect((await m.privilegeReport({ pool: 'spp', templateVmids: [9001] })).missing).toEqual([]);
    const templates = await m.listTemplates();
    expect(templates).toEqual(DEFAULT_MOCK_TEMPLATES);
    expect(templates.map((t) => t.vmid)).toEqual([9001, 9002, 9003, 9004]);
    expect(templates[1]).toEqual({
      vmid: 9002,
      name: 'windows-support-client',
      cores: 4,
      memoryMb: 8192,
      diskGb: 64,
      osType: 'win11',
    });
    expect(m.vms()).toEqual([]);
  });

  test('custom node and template seeds', async () => {
    const m = mock({ node: 'lab2', templates: [{ vmid: 500, name: 't', cores: 1, memoryMb: 512, diskGb: 4, osType: null }] });
    expect((await m.listTemplates()).map((t) => t.vmid)).toEqual([500]);
    const task = await m.cloneTemplate({ templateVmid: 500, newVmid: 100, name: 'x' });
    expect(task.node).toBe('lab2');
    expect(task.upid.startsWith('UPID:lab2:')).toBe(true);
  });
});

describe('clone lifecycle', () => {
  test('the VM exists at once, locked, and unlocks when the qmclone task ends', async () => {
    const m = mock({ timings: { ...FAST, cloneMs: 400 } }); // long enough for the refused calls below
    const task = await m.cloneTemplate({ templateVmid: 9002, newVmid: 120, name: 'support-win-1' });

    expect(task.upid).toMatch(UPID_RE);
    const parts = parseUpid(task.upid);
    expect(parts).toMatchObject({ node: 'pve-01', type: 'qmclone', id: '9002', user: 'spp@pve!portal' });
    expect(Math.abs((parts?.starttime ?? 0) - Date.now() / 1000)).toBeLessThan(5);

    // Until the task ends the config holds only the lock, as Proxmox writes it before copying the disks.
    expect(await m.vmState(120)).toEqual({
      vmid: 120,
      name: null,
      status: 'stopped',
      lock: 'clone',
      tags: [],
      template: false,
    });

    // Every change is refused while the clone holds the lock: the config change at once, the power and
    // delete calls by their worker task, as Proxmox checks the lock there.
    const err = await rejection(m.configureVm(120, { cores: 2 }));
    expect([err.kind, err.message]).toEqual(['locked', 'VM is locked (clone)']);
    for (const call of [() => m.startVm(120), () => m.stopVm(120), () => m.shutdownVm(120, 30), () => m.deleteVm(120)]) {
      expect(await m.waitTask(await call(), 1000)).toEqual({ ok: false, exitStatus: 'VM is locked (clone)' });
    }

    expect(await m.waitTask(task, 1000)).toEqual({ ok: true, exitStatus: 'OK' });
    expect((await m.vmState(120))?.lock).toBeNull();
    expect(m.vms()).toEqual([
      expect.objectContaining({ vmid: 120, name: 'support-win-1', cores: 4, memoryMb: 8192, diskGb: 64, osType: 'win11', template: false }),
    ]);
    // A finished task can be awaited again.
    expect(await m.waitTask(task, 0)).toEqual({ ok: true, exitStatus: 'OK' });
  });

  test('UPIDs are unique and typed per operation', async () => {
    const m = mock();
    const clone = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'a' });
    await m.waitTask(clone, 1000);
    const start = await m.startVm(100);
    await m.waitTask(start, 1000);
    const shutdown = await m.shutdownVm(100, 60);
    await m.waitTask(shutdown, 1000);
    const stop = await m.stopVm(100);
    await m.waitTask(stop, 1000);
    const destroy = await m.deleteVm(100);
    const upids = [clone, start, shutdown, stop, destroy].map((t) => t.upid);
    for (const upid of upids) expect(upid).toMatch(UPID_RE);
    expect(new Set(upids).size).toBe(5);
    expect(upids.map((u) => parseUpid(u)?.type)).toEqual(['qmclone', 'qmstart', 'qmshutdown', 'qmstop', 'qmdestroy']);
    expect(upids.map((u) => parseUpid(u)?.id)).toEqual(['9001', '100', '100', '100', '100']);
  });

  test('nextVmid does not reserve: two callers get the same id, the second clone loses', async () => {
    const m = mock();
    const a = await m.nextVmid();
    const b = await m.nextVmid();
    expect(a).toBe(100);
    expect(b).toBe(100);
    const first = await m.cloneTemplate({ templateVmid: 9001, newVmid: a, name: 'first' });
    const err = await rejection(m.cloneTemplate({ templateVmid: 9003, newVmid: b, name: 'second' }));
    expect(err.kind).toBe('already_exists');
    expect(err.message).toBe('unable to create VM 100: config file already exists');
    expect(await m.nextVmid()).toBe(101);
    await m.waitTask(first, 1000);
    expect(m.vms().map((vm) => vm.name)).toEqual(['first']);
  });

  test('nextVmid fills gaps', async () => {
    const m = mock();
    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'a' }));
    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 102, name: 'c' }));
    expect(await m.nextVmid()).toBe(101);
  });

  test('cloning a missing VM is not_found with Proxmox text; a VM that is no template is cloned in full, as Proxmox does', async () => {
    const m = mock();
    const missing = await rejection(m.cloneTemplate({ templateVmid: 9999, newVmid: 100, name: 'x' }));
    expect(missing.kind).toBe('not_found');
    expect(missing.message).toBe("Configuration file 'nodes/pve-01/qemu-server/9999.conf' does not exist");

    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' }));
    await ok(m, m.cloneTemplate({ templateVmid: 100, newVmid: 101, name: 'y' }));
    expect(m.vms().map((vm) => vm.name)).toEqual(['x', 'y']);
  });

  test('invalid names and VMIDs are refused like Proxmox parameter checks', async () => {
    const m = mock();
    expect((await rejection(m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'has space' }))).kind).toBe(
      'failed',
    );
    expect((await rejection(m.cloneTemplate({ templateVmid: 9001, newVmid: 99, name: 'ok' }))).kind).toBe('failed');
    expect(m.vms()).toEqual([]);
  });
});

describe('configure, start, IPs, stop, delete', () => {
  test('configureVm applies synchronously', async () => {
    const m = mock();
    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'pbx' }));
    await m.configureVm(100, { cores: 4, memoryMb: 3072, tags: ['spp', 'user-7'], onboot: true });
    expect(m.vms()[0]).toMatchObject({ cores: 4, memoryMb: 3072, tags: ['spp', 'user-7'], onboot: true });
    expect((await m.vmState(100))?.tags).toEqual(['spp', 'user-7']);
    expect((await rejection(m.configureVm(100, { tags: ['bad tag'] }))).kind).toBe('failed');
    expect((await rejection(m.configureVm(404, { cores: 1 }))).kind).toBe('not_found');
  });

  test('full lifecycle with the guest-agent delay', async () => {
    const m = mock();
    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'pbx' }));
    expect(await m.guestIps(100)).toEqual([]);

    const start = await m.startVm(100);
    expect((await m.vmState(100))?.status).toBe('stopped'); // not before the task ends
    await ok(m, Promise.resolve(start));
    expect((await m.vmState(100))?.status).toBe('running');
    expect(await m.guestIps(100)).toEqual([]); // agent not up yet

    await sleep(FAST.agentDelayMs + 10);
    expect(await m.guestIps(100)).toEqual(['192.0.2.101']);
    expect(await m.guestIps(100)).toEqual([guestIpv4(100)]);

    await ok(m, m.shutdownVm(100, 60));
    expect((await m.vmState(100))?.status).toBe('stopped');
    expect(await m.guestIps(100)).toEqual([]);

    // Stopping a stopped VM succeeds, like qmstop.
    await ok(m, m.stopVm(100));

    const del = await m.deleteVm(100);
    expect(await m.vmState(100)).not.toBeNull(); // gone only when the task ends
    await ok(m, Promise.resolve(del));
    expect(await m.vmState(100)).toBeNull();
    expect(m.vms()).toEqual([]);
    expect((await rejection(m.guestIps(100))).kind).toBe('not_found');
  });

  test('delete is refused while running', async () => {
    const m = mock();
    await runningVm(m);
    const err = await rejection(m.deleteVm(100));
    expect(err.kind).toBe('failed');
    expect(err.message).toBe('VM 100 is running - destroy failed');
    await ok(m, m.stopVm(100));
    await ok(m, m.deleteVm(100));
  });

  test('starting a running VM gives a task that fails', async () => {
    const m = mock();
    await runningVm(m);
    const task = await m.startVm(100);
    expect(task.upid).toMatch(UPID_RE);
    expect(await m.waitTask(task, 1000)).toEqual({ ok: false, exitStatus: 'VM 100 already running' });
    expect((await m.vmState(100))?.status).toBe('running');
  });

  test('a shutdown slower than its timeout fails and leaves the VM running', async () => {
    const m = mock({ timings: { ...FAST, shutdownMs: 5000 } });
    await runningVm(m);
    const task = await m.shutdownVm(100, 0);
    expect(await m.waitTask(task, 1000)).toEqual({ ok: false, exitStatus: 'VM quit/powerdown failed - got timeout' });
    expect((await m.vmState(100))?.status).toBe('running');
  });

  test('operations on a missing VM are not_found; vmState is null', async () => {
    const m = mock();
    expect(await m.vmState(555)).toBeNull();
    for (const call of [() => m.startVm(555), () => m.stopVm(555), () => m.shutdownVm(555, 5), () => m.deleteVm(555)]) {
      const err = await rejection(call());
      expect(err.kind).toBe('not_found');
      expect(err.message).toBe("Configuration file 'nodes/pve-01/qemu-server/555.conf' does not exist");
    }
  });

  test('templates cannot be started', async () => {
    const m = mock();
    expect(await m.waitTask(await m.startVm(9001), 1000)).toEqual({ ok: false, exitStatus: "you can't start a vm if it's a template" });
  });
});

describe('waitTask', () => {
  test('times out while the task runs on, and the task still ends', async () => {
    const m = mock({ timings: { ...FAST, cloneMs: 80 } });
    const task = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'slow' });
    const err = await rejection(m.waitTask(task, 10));
    expect(err.kind).toBe('timeout');
    expect((await m.vmState(100))?.lock).toBe('clone');
    expect(await m.waitTask(task, 1000)).toEqual({ ok: true, exitStatus: 'OK' });
  });

  test('several waiters on one task all resolve', async () => {
    const m = mock();
    const task = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' });
    const results = await Promise.all([m.waitTask(task, 1000), m.waitTask(task, 1000), m.waitTask(task, 1000)]);
    expect(results).toEqual(Array(3).fill({ ok: true, exitStatus: 'OK' }));
  });

  test('unknown UPIDs and foreign nodes are not_found', async () => {
    const m = mock();
    const fake = formatUpid({ node: 'pve-01', pid: 1, pstart: 1, starttime: 1, type: 'qmstart', id: '1', user: 'x@pam' });
    const err = await rejection(m.waitTask({ upid: fake, node: 'pve-01' }, 100));
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe('no such task');

    const task = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' });
    expect((await rejection(m.waitTask({ upid: task.upid, node: 'other' }, 100))).kind).toBe('not_found');
  });

  test('close rejects pending waiters and later calls', async () => {
    const m = new MockProxmox({ timings: { ...FAST, cloneMs: 10_000 } });
    const task = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' });
    const pending = rejection(m.waitTask(task, 60_000));
    m.close();
    expect((await pending).kind).toBe('unreachable');
    expect((await rejection(m.version())).kind).toBe('unreachable');
    m.close(); // idempotent
  });
});

describe('fault injection', () => {
  test('a ProxmoxError is thrown by the next call only', async () => {
    const m = mock();
    m.failNext('clone', new ProxmoxError('forbidden', 'Permission check failed (/vms/100, VM.Clone)'));
    const err = await rejection(m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' }));
    expect(err.kind).toBe('forbidden');
    expect(m.vms()).toEqual([]);
    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' }));
  });

  test('faults queue per operation', async () => {
    const m = mock();
    m.failNext('nextVmid', new ProxmoxError('unreachable', 'down'));
    m.failNext('nextVmid', new ProxmoxError('timeout', 'slow'));
    m.failNext('vmState', new ProxmoxError('failed', 'boom'));
    expect((await rejection(m.nextVmid())).kind).toBe('unreachable');
    expect((await rejection(m.nextVmid())).kind).toBe('timeout');
    expect(await m.nextVmid()).toBe(100);
    expect((await rejection(m.vmState(100))).kind).toBe('failed');
    expect(await m.vmState(100)).toBeNull();
  });

  test('a task exit status makes the task fail without changing state', async () => {
    const m = mock();
    m.failNext('clone', { taskExitStatus: "storage 'local-lvm' does not exist" });
    const clone = await m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' });
    expect(clone.upid).toMatch(UPID_RE);
    expect(await m.waitTask(clone, 1000)).toEqual({ ok: false, exitStatus: "storage 'local-lvm' does not exist" });
    expect(m.vms()).toEqual([]);

    await ok(m, m.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' }));
    m.failNext('start', { taskExitStatus: 'start failed: QEMU exited with code 1' });
    expect(await m.waitTask(await m.startVm(100), 1000)).toEqual({
      ok: false,
      exitStatus: 'start failed: QEMU exited with code 1',
    });
    expect((await m.vmState(100))?.status).toBe('stopped');

    await ok(m, m.startVm(100));
    m.failNext('stop', { taskExitStatus: 'timeout waiting on systemd' });
    expect((await m.waitTask(await m.stopVm(100), 1000)).ok).toBe(false);
    expect((await m.vmState(100))?.status).toBe('running');
  });

  test('configure, guestIps and delete faults', async () => {
    const m = mock();
    await runningVm(m);
    m.failNext('configure', new ProxmoxError('locked', "can't lock file '/var/lock/qemu-server/lock-100.conf'"));
    expect((await rejection(m.configureVm(100, { cores: 8 }))).kind).toBe('locked');
    expect(m.vms()[0]?.cores).toBe(2);
    m.failNext('guestIps', new ProxmoxError('failed', 'QEMU guest agent is not running'));
    expect((await rejection(m.guestIps(100))).kind).toBe('failed');
    await ok(m, m.stopVm(100));
    m.failNext('delete', { taskExitStatus: 'error with cfs lock' });
    expect((await m.waitTask(await m.deleteVm(100), 1000)).ok).toBe(false);
    expect(await m.vmState(100)).not.toBeNull();
  });

  test('a task exit status for an operation without a task is a type and runtime error', () => {
    const m = mock();
    // @ts-expect-error vmState returns no task
    expect(() => m.failNext('vmState', { taskExitStatus: 'x' })).toThrow(TypeError);
  });
});

describe('state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mock-pve-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second instance finds VMs, tasks and the UPID counter again', async () => {
    const file = join(dir, 'nested', 'pve.json');
    const first = new MockProxmox({ timings: FAST, stateFile: file });
    await ok(first, first.cloneTemplate({ templateVmid: 9003, newVmid: 100, name: 'util' }));
    await first.configureVm(100, { tags: ['spp'], onboot: true });
    const start = await first.startVm(100);
    await first.waitTask(start, 1000);
    first.close();
    expect(readdirSync(join(dir, 'nested'))).toEqual(['pve.json']); // no temp file left behind

    const second = mock({ stateFile: file, templates: [] });
    expect(second.vms()).toEqual([
      expect.objectContaining({ vmid: 100, name: 'util', status: 'running', tags: ['spp'], onboot: true, memoryMb: 4096 }),
    ]);
    expect((await second.listTemplates()).length).toBe(4); // templates come from the file, not the option
    expect(await second.waitTask(start, 100)).toEqual({ ok: true, exitStatus: 'OK' });
    const next = await second.stopVm(100);
    expect(parseUpid(next.upid)?.pid).toBeGreaterThan(parseUpid(start.upid)?.pid ?? 0); // pids grow, with gaps
    expect(await second.nextVmid()).toBe(101);
  });

  test('a clone running at shutdown ends after the restart instead of staying locked', async () => {
    const file = join(dir, 'pve.json');
    const first = new MockProxmox({ timings: { ...FAST, cloneMs: 30 }, stateFile: file });
    const clone = await first.cloneTemplate({ templateVmid: 9001, newVmid: 100, name: 'x' });
    first.close();
    const second = mock({ stateFile: file });
    expect((await second.vmState(100))?.lock).toBe('clone');
    expect(await second.waitTask(clone, 1000)).toEqual({ ok: true, exitStatus: 'OK' });
    expect((await second.vmState(100))?.lock).toBeNull();
  });

  test('a state file the mock wrote before it ran on the node model keeps its VMs, and is rewritten in the new format', async () => {
    const file = join(dir, 'pve.json');
    const vm = { status: 'stopped', lock: null, tags: [], template: false, cores: 2, memoryMb: 2048, diskGb: 16, osType: 'l26', onboot: false, startedAt: null };
    const vms = [
      { ...vm, vmid: 9001, name: 'pbx-test-appliance', template: true },
      { ...vm, vmid: 100, name: 'util', status: 'running', tags: ['spp'], memoryMb: 4096, diskGb: 32, onboot: true, startedAt: 1 },
      { ...vm, vmid: 101, name: 'half-cloned', lock: 'clone' },
    ];
    writeFileSync(file, JSON.stringify({ version: 1, upidCounter: 7, vms, tasks: [] }));
    const m = mock({ stateFile: file });
    expect(m.vms()).toEqual([
      expect.objectContaining({ vmid: 100, name: 'util', status: 'running', lock: null, tags: ['spp'], onboot: true, memoryMb: 4096, diskGb: 32 }),
      // Its clone task is gone with the old file, so nothing would ever lift the lock.
      expect.objectContaining({ vmid: 101, status: 'stopped', lock: null }),
    ]);
    expect((await m.listTemplates()).map((t) => t.vmid)).toEqual([9001]);
    expect(await m.guestIps(100)).toEqual([guestIpv4(100)]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 1, node: 'pve-01' });
  });

  test('a malformed state file is refused, not overwritten', () => {
    const file = join(dir, 'pve.json');
    writeFileSync(file, '{"version":1,"vms":"nope"}');
    expect(() => new MockProxmox({ stateFile: file })).toThrow(/malformed/);
    writeFileSync(file, 'not json');
    expect(() => new MockProxmox({ stateFile: file })).toThrow(/not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});

describe('mock IPs', () => {
  test('deterministic, in the documentation ranges, no collisions below the capacity', () => {
    expect(GUEST_IP_CAPACITY).toBe(762);
    expect(guestIpv4(100)).toBe(guestIpv4(100));
    const seen = new Set<string>();
    for (let vmid = 100; vmid <= 761; vmid += 1) {
      const ip = guestIpv4(vmid);
      expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/);
      seen.add(ip);
    }
    expect(seen.size).toBe(662);
    expect([guestIpv4(250)]).toEqual([guestIpv4(250)]);
    expect(usableAddresses([guestIpv4(761)])).toEqual([guestIpv4(761)]);
  });

  test('usableAddresses drops loopback, link-local, unspecified and garbage', () => {
    expect(
      usableAddresses([
        '127.0.0.1',
        '127.1.2.3',
        '::1',
        '0:0:0:0:0:0:0:1',
        '169.254.10.20',
        'fe80::1',
        'fe80::a00:27ff:fe4e:66a1%eth0',
        'febf::1',
        '::ffff:127.0.0.1',
        '0.0.0.0',
        'not-an-ip',
        '',
        '10.0.0.5',
        '192.0.2.7',
        '192.0.2.7',
        '2001:db8::5',
        'fec0::1',
        '169.255.0.1',
      ]),
    ).toEqual(['10.0.0.5', '192.0.2.7', '2001:db8::5', 'fec0::1', '169.255.0.1']);
  });
});
