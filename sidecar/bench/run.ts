/**
 * `npm run bench`: the sidecar's performance targets, measured in one run and printed as one table.
 * Every target but memory is a ratio of two measurements taken in this same run, so the verdict does
 * not depend on how fast the machine is. Nothing is written into the repository: all data lives in
 * one temporary folder that is removed at the end.
 *
 *  1. List throughput: signed GET /v1/deployments?per_page=50 (10k deployments visible, 100k audit rows)
 *     against a bare node:http server answering the same bytes. Both servers run in child processes;
 *     this process is the client. Target: sidecar / bare >= 0.5.
 *  2. Expiry sweep scaling: 100 due deployments among 10k and among 100k (each VM marked expired in the mock,
 *     and stopped where it runs). Target: t(100k) / t(10k) <= 1.5.
 *  3. Resident memory of a sidecar process holding 100k deployments after a few list requests: < 150 MB.
 *  4. Against the Proxmox simulator with realistic task times: create → start → RUNNING with an IP, against
 *     the sum of the task times (target <= 1.10); 5. 50 parallel creates: makespan against the ideal (<= 1.2).
 *  8. A pinned Proxmox client when every answer closes the connection (full TLS handshakes, since pinned
 *     connections never resume) against a CA-trusting one (resumed sessions). Target: pin / CA <= 2.
 * (6. and 7. are WordPress's, printed by scripts/bench-wordpress.mjs.)
 */
import { fork, ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { openSidecar, Sidecar } from '../src/sidecar';
import { parseKeyring } from '../src/auth/keyring';
import { silentLogger } from '../src/logger';
import { verifyAuditChain } from '../src/audit/audit-verify';
import { BENCH_KEY_HEX, BENCH_KEY_ID, ChildMessage, ParentMessage, signedHeaders, viewerActorHeader } from './common';
import { seed, reseedDue, Seeded } from './seed';
import { runLoad, percentile, median, LoadResult } from './load';
import { benchProvisioning } from './provisioning';
import { benchReconnects } from './tls-reconnects';

// ---- parameters (all bounded) ----
const LIST_DEPLOYMENTS = 10_000;
const LIST_AUDIT_ROWS = 100_000;
const LIST_TARGET = '/v1/deployments?per_page=50';
const CONCURRENCY = 16;
const WARMUP_REQUESTS = 300;
const ROUNDS = 3;
const REQUESTS_PER_ROUND = 1_000; // 3 x 1000 = 3000 measured requests per server
const ROUND_MAX_MS = 20_000;

const SWEEP_SIZES = [10_000, 100_000] as const;
const SWEEP_DUE = 100;
const SWEEP_AUDIT_ROWS = 10_000; // the same in both databases, so only the deployment count differs
const SWEEP_RUNS = 7;

const MEMORY_DEPLOYMENTS = 100_000;
const MEMORY_AUDIT_ROWS = 100_000;
const MEMORY_LIST_REQUESTS = [
  '/v1/deployments?per_page=50',
  '/v1/deployments?per_page=100',
  '/v1/deployments?per_page=50&page=2',
  '/v1/deployments?per_page=50&page=1000',
  '/v1/deployments?per_page=100&status=RUNNING',
  '/v1/deployments?per_page=20&search=bench-9999',
  '/v1/deployments?per_page=50',
  '/v1/deployments?per_page=50&page=1999',
];

const WATCHDOG_MS = 480_000;
const MB = 1024 * 1024;

// ---- bookkeeping ----
interface Row {
  name: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean;
}
const rows: Row[] = [];
const notes: string[] = [];
const children = new Set<ChildProcess>();
let root = '';

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const log = (line: string): void => {
  process.stderr.write(`[bench ${fmt(process.uptime(), 1)}s] ${line}\n`);
};

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (root !== '') rmSync(root, { recursive: true, force: true });
  root = '';
}

// ---- child processes ----
interface Spawned {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

function spawnChild(script: string, args: string[], withGc: boolean): Promise<Spawned> {
  const child = fork(join(__dirname, script), args, { execArgv: withGc ? ['--expose-gc'] : [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 20_000) err += d.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s: ${err}`)), 30_000);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve({ child, port: m.port, stderr: () => err });
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${script}: ${m.message}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${err}`));
    });
  });
}

function askMemory(s: Spawned): Promise<Extract<ChildMessage, { type: 'memory' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no memory answer within 10 s')), 10_000);
    const onMessage = (m: ChildMessage): void => {
      if (m.type !== 'memory') return;
      clearTimeout(timer);
      s.child.off('message', onMessage);
      resolve(m);
    };
    s.child.on('message', onMessage);
    s.child.send({ type: 'memory' } satisfies ParentMessage);
  });
}

function closeChild(s: Spawned): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      children.delete(s.child);
      resolve();
      return;
    }
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 5_000);
    s.child.once('exit', () => {
      clearTimeout(timer);
      children.delete(s.child);
      resolve();
    });
    s.child.send({ type: 'close' } satisfies ParentMessage);
  });
}

// ---- sidecar in this process (seeding, sweep) ----
function openHere(dir: string): Sidecar {
  mkdirSync(dir, { recursive: true });
  return openSidecar({
    dataDir: dir,
    keyring: parseKeyring(`${BENCH_KEY_ID}:${BENCH_KEY_HEX}`),
    log: silentLogger,
    mock: { timings: { cloneMs: 0, startMs: 0, shutdownMs: 0, stopMs: 0, deleteMs: 0, agentDelayMs: 0 } },
  });
}

async function seedDir(dir: string, deployments: number, auditRows: number): Promise<void> {
  const t0 = performance.now();
  const sc = openHere(dir);
  try {
    seed(sc.services.portal.db, { deployments, auditRows, due: 0, dueStatus: 'STOPPED', now: Date.now() });
    const chain = verifyAuditChain(sc.services.portal.db);
    if (!chain.ok) throw new Error(`seeded audit chain is broken: ${chain.reason}`);
  } finally {
    await sc.close();
  }
  log(`seeded ${deployments} deployments + ${auditRows} audit rows (chain verified) in ${fmt(performance.now() - t0, 0)} ms`);
}

async function signedGet(origin: string, target: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(`${origin}${target}`, { headers: signedHeaders(viewerActorHeader(), 'GET', target) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

// ---- 1. list throughput ----
async function benchList(): Promise<void> {
  log('1. list throughput: seeding');
  const dir = join(root, 'list');
  await seedDir(dir, LIST_DEPLOYMENTS, LIST_AUDIT_ROWS);

  const sidecar = await spawnChild('sidecar-child.js', [dir], true);
  const sidecarOrigin = `http://127.0.0.1:${sidecar.port}`;
  let bare: Spawned | null = null;
  let framework: Spawned | null = null;
  try {
    const real = await signedGet(sidecarOrigin, LIST_TARGET);
    if (real.status !== 200) throw new Error(`sidecar answered ${real.status}: ${real.body.toString('utf8').slice(0, 300)}`);
    const items = JSON.parse(real.body.toString('utf8')) as unknown[];
    const total = real.headers.get('x-wp-total');
    if (items.length !== 50 || total !== String(LIST_DEPLOYMENTS)) throw new Error(`expected 50 of ${LIST_DEPLOYMENTS}, got ${items.length} of ${total}`);

    const bodyFile = join(root, 'list-body.json');
    writeFileSync(bodyFile, real.body);
    const extra = { 'x-wp-total': total, 'x-wp-totalpages': real.headers.get('x-wp-totalpages') ?? '1' };
    bare = await spawnChild('bare-child.js', [bodyFile, JSON.stringify(extra)], true);
    const bareOrigin = `http://127.0.0.1:${bare.port}`;
    const check = await signedGet(bareOrigin, LIST_TARGET);
    if (!check.body.equals(real.body)) throw new Error('bare server does not answer the captured bytes');
    notes.push(`list: response body ${real.body.length} bytes (50 of ${total} deployments), served byte-identical by the bare server`);
    framework = await spawnChild('bare-child.js', [bodyFile, JSON.stringify(extra), 'express'], true);
    const frameworkOrigin = `http://127.0.0.1:${framework.port}`;

    const load = (origin: string, count: number, maxMs: number): Promise<LoadResult> =>
      runLoad({ origin, target: LIST_TARGET, actorHeader: viewerActorHeader(), concurrency: CONCURRENCY, count, maxMs }).then((r) => {
        if (r.errors > 0) throw new Error(`${r.errors} failed requests against ${origin}; first: ${r.firstError}`);
        return r;
      });

    log(`1. warm-up: ${WARMUP_REQUESTS} requests each`);
    await load(sidecarOrigin, WARMUP_REQUESTS, ROUND_MAX_MS);
    await load(bareOrigin, WARMUP_REQUESTS, ROUND_MAX_MS);
    await load(frameworkOrigin, WARMUP_REQUESTS, ROUND_MAX_MS);

    const sc: LoadResult[] = [];
    const bs: LoadResult[] = [];
    const fw: LoadResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate, so drift (thermal, other load) hits both sides alike.
      const a = await load(sidecarOrigin, REQUESTS_PER_ROUND, ROUND_MAX_MS);
      const b = await load(bareOrigin, REQUESTS_PER_ROUND, ROUND_MAX_MS);
      const f = await load(frameworkOrigin, REQUESTS_PER_ROUND, ROUND_MAX_MS);
      sc.push(a);
      bs.push(b);
      fw.push(f);
      log(`1. round ${r + 1}/${ROUNDS}: sidecar ${fmt(a.rps, 0)} req/s (p50 ${fmt(a.p50Ms, 2)} ms), bare ${fmt(b.rps, 0)} req/s, express alone ${fmt(f.rps, 0)} req/s`);
      if (a.timedOut || b.timedOut) notes.push(`list: round ${r + 1} hit its ${ROUND_MAX_MS} ms bound (done: sidecar ${a.done}, bare ${b.done})`);
    }
    const pooled = (xs: LoadResult[]): Float64Array => {
      const all = new Float64Array(xs.reduce((n, x) => n + x.latencies.length, 0));
      let o = 0;
      for (const x of xs) {
        all.set(x.latencies, o);
        o += x.latencies.length;
      }
      return all.sort();
    };
    const scRps = median(sc.map((x) => x.rps));
    const bRps = median(bs.map((x) => x.rps));
    const scLat = pooled(sc);
    const bLat = pooled(bs);
    const ratio = scRps / bRps;
    rows.push({
      name: `1. list throughput (c=${CONCURRENCY}, ${scLat.length} req)`,
      measured: `${fmt(scRps, 0)} req/s`,
      baseline: `${fmt(bRps, 0)} req/s bare`,
      ratio: fmt(ratio, 3),
      target: '>= 0.5',
      pass: ratio >= 0.5,
    });
    rows.push({
      name: '   list latency p50 / p99 (info)',
      measured: `${fmt(percentile(scLat, 50), 2)} / ${fmt(percentile(scLat, 99), 2)} ms`,
      baseline: `${fmt(percentile(bLat, 50), 2)} / ${fmt(percentile(bLat, 99), 2)} ms`,
      ratio: `${fmt(percentile(scLat, 50) / percentile(bLat, 50), 1)}x p50`,
      target: '-',
      pass: true,
    });
    const fwRps = median(fw.map((x) => x.rps));
    rows.push({
      name: '   express alone, same body (info)',
      measured: `${fmt(fwRps, 0)} req/s`,
      baseline: `${fmt(bRps, 0)} req/s bare`,
      ratio: fmt(fwRps / bRps, 3),
      target: '-',
      pass: true,
    });
    const mem = await askMemory(sidecar);
    notes.push(`list: sidecar RSS after ${scLat.length + WARMUP_REQUESTS + 2} list requests on 10k deployments: ${fmt(mem.rss / MB)} MB (heap ${fmt(mem.heapUsed / MB)} MB)`);
  } catch (err) {
    const e = sidecar.stderr();
    if (e) log(`sidecar stderr: ${e}`);
    throw err;
  } finally {
    await closeChild(sidecar);
    if (bare) await closeChild(bare);
    if (framework) await closeChild(framework);
  }
}

// ---- 2. expiry sweep ----
type Variant = 'STOPPED' | 'RUNNING';

interface SweepTimes {
  STOPPED: number[];
  RUNNING: number[];
  extraStopRows: number;
}

async function restartMockVms(sc: Sidecar, s: Seeded, create: boolean): Promise<void> {
  for (const vmid of s.dueVmids) {
    if (create) await sc.mock.waitTask(await sc.mock.cloneTemplate({ templateVmid: 9001, newVmid: vmid, name: `bench-${vmid}` }), 5_000);
    if ((await sc.mock.vmState(vmid))?.status === 'running') continue;
    const task = await sc.mock.startVm(vmid);
    const result = await sc.mock.waitTask(task, 5_000);
    if (!result.ok) throw new Error(`mock start of ${vmid} failed: ${result.exitStatus}`);
  }
}

async function sweepOnce(sc: Sidecar, s: Seeded, variant: Variant): Promise<number> {
  const { services } = sc;
  const db = services.portal.db;
  const auditCount = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'deployment.expire_stop'");
  reseedDue(db, s, variant, Date.now());
  if (variant === 'RUNNING') await restartMockVms(sc, s, false);
  // Start every timed sweep from an empty WAL, so a checkpoint owed to the re-seeding above never lands
  // inside the timing of one size and not the other.
  db.pragma('wal_checkpoint(TRUNCATE)');
  const before = auditCount.get()?.n ?? 0;
  const t0 = performance.now();
  const expired = await services.expiry.sweep();
  await services.background.idle();
  const dt = performance.now() - t0;
  if (expired.length !== s.dueIds.length) throw new Error(`sweep expired ${expired.length}, expected ${s.dueIds.length}`);
  const left = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM deployments WHERE status = 'EXPIRED' AND vm_stopped = 0").get()?.n ?? -1;
  if (left !== 0) throw new Error(`${left} expired deployments still have vm_stopped = 0 after the sweep`);
  if (variant === 'RUNNING') {
    const running = sc.mock.vms().filter((vm) => vm.status === 'running').length;
    if (running !== 0) throw new Error(`${running} mock VMs still running after the sweep`);
    const stops = (auditCount.get()?.n ?? 0) - before;
    if (stops !== s.dueIds.length) sweepExtraStops += stops - s.dueIds.length;
  }
  return dt;
}
let sweepExtraStops = 0;

async function benchSweepAt(n: number): Promise<SweepTimes> {
  const dir = join(root, `sweep-${n}`);
  const t0 = performance.now();
  const sc = openHere(dir);
  try {
    const s = seed(sc.services.portal.db, { deployments: n, auditRows: SWEEP_AUDIT_ROWS, due: SWEEP_DUE, dueStatus: 'STOPPED', now: Date.now() });
    log(`2. seeded ${n} deployments (${SWEEP_DUE} due) + ${SWEEP_AUDIT_ROWS} audit rows in ${fmt(performance.now() - t0, 0)} ms`);
    await restartMockVms(sc, s, true); // the due rows' VMs exist in the mock (used by the RUNNING variant)
    sweepExtraStops = 0;
    const times: SweepTimes = { STOPPED: [], RUNNING: [], extraStopRows: 0 };
    // One untimed sweep per variant warms the statement paths and the page cache.
    await sweepOnce(sc, s, 'STOPPED');
    await sweepOnce(sc, s, 'RUNNING');
    for (let r = 0; r < SWEEP_RUNS; r++) {
      times.STOPPED.push(await sweepOnce(sc, s, 'STOPPED'));
      times.RUNNING.push(await sweepOnce(sc, s, 'RUNNING'));
    }
    times.extraStopRows = sweepExtraStops;
    const chain = verifyAuditChain(sc.services.portal.db);
    if (!chain.ok) throw new Error(`audit chain broken after sweeps: ${chain.reason}`);
    log(`2. n=${n}: sweep STOPPED median ${fmt(median(times.STOPPED), 2)} ms, RUNNING median ${fmt(median(times.RUNNING), 2)} ms`);
    return times;
  } finally {
    await sc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchSweep(): Promise<void> {
  const [small, large] = [await benchSweepAt(SWEEP_SIZES[0]), await benchSweepAt(SWEEP_SIZES[1])];
  for (const variant of ['STOPPED', 'RUNNING'] as const) {
    const a = median(small[variant]);
    const b = median(large[variant]);
    const ratio = b / a;
    const label = variant === 'STOPPED' ? 'due rows STOPPED, mock marks VMs' : 'due rows RUNNING, mock stops VMs';
    rows.push({
      name: `2${variant === 'STOPPED' ? 'a' : 'b'}. sweep 100 due, ${label}`,
      measured: `${fmt(b, 2)} ms @100k`,
      baseline: `${fmt(a, 2)} ms @10k`,
      ratio: fmt(ratio, 3),
      target: '<= 1.5',
      pass: ratio <= 1.5,
    });
  }
  const extra = small.extraStopRows + large.extraStopRows;
  if (extra !== 0) notes.push(`sweep: ${extra} extra 'deployment.expire_stop' audit rows beyond one per VM (the sweep's own stop loop and the background one raced)`);
}

// ---- 3. memory ----
async function benchMemory(): Promise<void> {
  log('3. memory: seeding');
  const dir = join(root, 'memory');
  await seedDir(dir, MEMORY_DEPLOYMENTS, MEMORY_AUDIT_ROWS);
  const sidecar = await spawnChild('sidecar-child.js', [dir], true);
  try {
    const origin = `http://127.0.0.1:${sidecar.port}`;
    const idle = await askMemory(sidecar);
    for (const target of MEMORY_LIST_REQUESTS) {
      const r = await signedGet(origin, target);
      if (r.status !== 200) throw new Error(`${target}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    }
    const mem = await askMemory(sidecar);
    if (!mem.gc) notes.push('memory: gc() was not exposed in the child; RSS is without a forced collection');
    rows.push({
      name: `3. sidecar RSS, 100k deployments, ${MEMORY_LIST_REQUESTS.length} lists`,
      measured: `${fmt(mem.rss / MB)} MB`,
      baseline: `${fmt(idle.rss / MB)} MB idle`,
      ratio: '(absolute)',
      target: '< 150 MB',
      pass: mem.rss < 150 * MB,
    });
    notes.push(`memory: heap used after gc ${fmt(mem.heapUsed / MB)} MB; RSS right after open (before any request) ${fmt(idle.rss / MB)} MB`);
  } finally {
    await closeChild(sidecar);
  }
}

// ---- 4./5. provisioning against the simulator ----
async function benchProxmox(): Promise<void> {
  log('4./5. provisioning against the Proxmox simulator (clone 3 s, start 1 s, agent 2 s)');
  const f = await benchProvisioning(join(root, 'proxmox'), log);
  const single = f.singleMs / f.singleIdealMs;
  rows.push({
    name: '4. create, start when STOPPED, to RUNNING + IP',
    measured: `${fmt(f.singleMs / 1000, 2)} s`,
    baseline: `${fmt(f.singleIdealMs / 1000, 2)} s of tasks`,
    ratio: fmt(single, 3),
    target: '<= 1.10',
    pass: single <= 1.1,
  });
  const makespan = f.makespanMs / f.makespanIdealMs;
  rows.push({
    name: '5. 50 parallel creates, makespan',
    measured: `${fmt(f.makespanMs / 1000, 2)} s`,
    baseline: `${fmt(f.makespanIdealMs / 1000, 2)} s ideal`,
    ratio: fmt(makespan, 3),
    target: '<= 1.2',
    pass: makespan <= 1.2,
  });
  notes.push(`proxmox: clones per template ${f.clonesPerTemplate.join('/')}; the ideal makespan is the longest chain, as one template's full clones cannot overlap`);
}

// ---- 8. a pin's full handshakes ----
const RECONNECT_CALLS = 300;
async function benchTls(): Promise<void> {
  log(`8. ${RECONNECT_CALLS} Proxmox calls, each on a new connection: pinned vs CA`);
  const f = await benchReconnects(RECONNECT_CALLS);
  const ratio = f.pinMs / f.caMs;
  rows.push({
    name: '8. pinned client, a new connection per call',
    measured: `${fmt((f.pinMs * 1000) / f.calls, 0)} us/call`,
    baseline: `CA, resumed: ${fmt((f.caMs * 1000) / f.calls, 0)} us/call`,
    ratio: fmt(ratio, 2),
    target: '<= 2',
    pass: ratio <= 2 && f.pinResumed === 0,
  });
  notes.push(`tls: sessions resumed over the ${f.rounds} × ${f.calls} measured calls: pinned ${f.pinResumed} (must be 0), CA ${f.caResumed}`);
}

// ---- table ----
function printTable(): void {
  const head: Row = { name: 'benchmark', measured: 'sidecar', baseline: 'baseline', ratio: 'ratio', target: 'target', pass: true };
  const cells = (r: Row, isHead = false): string[] => [r.name, r.measured, r.baseline, r.ratio, r.target, isHead ? 'result' : r.target === '-' ? 'info' : r.pass ? 'PASS' : 'MISS'];
  const all = [cells(head, true), ...rows.map((r) => cells(r))];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => (c[i] as string).length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i] as number)).join(' | ');
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  const out = [line(all[0]!), sep, ...all.slice(1).map(line)];
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  for (const n of notes) process.stdout.write(`- ${n}\n`);
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up\n`);
    cleanup();
    process.exit(3);
  }, WATCHDOG_MS);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') notes.push('run with node --expose-gc (npm run bench does)');
  root = mkdtempSync(join(tmpdir(), 'spp-bench-'));
  const started = performance.now();
  log(`node ${process.version}, ${cpus().length} CPUs, data in ${root}`);
  try {
    await benchList();
    await benchSweep();
    await benchMemory();
    await benchProxmox();
    await benchTls();
  } finally {
    cleanup();
  }
  notes.push(`total bench time ${fmt((performance.now() - started) / 1000)} s`);
  printTable();
  clearTimeout(watchdog);
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  cleanup();
  process.exit(2);
});
