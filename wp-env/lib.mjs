// Shared helpers of the wp-env scripts: options, paths, env.json, processes, timings.
// No npm dependencies: node:* only.
import { waitFor } from '@spp/tools';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..');
/** Default parent of the state folders (one per WordPress version) and of the download cache. */
export const STATE_ROOT = process.env.WP_ENV_STATE_ROOT ? resolve(ROOT, process.env.WP_ENV_STATE_ROOT) : join(ROOT, '.wp-env-state');
export const CACHE_DIR = join(STATE_ROOT, '.cache');

/**
 * WordPress versions this tool can run, each from one Debian release's `wordpress` package:
 * the machine's own release is installed with apt, another release is downloaded (apt-get download)
 * and extracted into the cache, never installed.
 */
export const VERSIONS = {
  '6.8': { suite: 'trixie', theme: 'wordpress-theme-twentytwentyfive', extra: ['libjs-lodash', 'libjs-underscore', 'libjs-cropper', 'php-getid3'] },
  '6.1': { suite: 'bookworm', theme: 'wordpress-theme-twentytwentythree', extra: ['libjs-underscore', 'libjs-cropper', 'php-getid3'] },
};
export const DEFAULT_VERSION = '6.8';

/** Minimal `--name value` / `--name=value` / `--flag` parser. `spec` maps names to 'string' | 'boolean'. */
export function parseArgs(argv, spec, usage) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      console.log(usage);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in spec)) fail(`unknown argument '${arg}'\n${usage}`);
    const [, name, inline] = m;
    if (spec[name] === 'boolean') {
      if (inline !== undefined) fail(`--${name} takes no value`);
      out[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) fail(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}

export function fail(message, code = 1) {
  console.error(`wp-env: ${message}`);
  process.exit(code);
}

export function normaliseVersion(v) {
  const label = String(v ?? DEFAULT_VERSION).replace(/^(\d+\.\d+)(\.\d+)?$/, '$1');
  if (!(label in VERSIONS)) fail(`--wp must be one of ${Object.keys(VERSIONS).join(', ')} (got '${v}')`);
  return label;
}

export function stateDirFor(opts) {
  if (opts.state) return isAbsolute(opts.state) ? opts.state : resolve(process.cwd(), opts.state);
  return join(STATE_ROOT, normaliseVersion(opts.wp));
}

/** State folders to act on for down/check/reset: the one named, else every one under STATE_ROOT. */
export function targetStates(opts) {
  if (opts.state || opts.wp) return [stateDirFor(opts)];
  if (!existsSync(STATE_ROOT)) return [];
  return readdirSync(STATE_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => join(STATE_ROOT, d.name))
    .filter((dir) => existsSync(join(dir, 'env.json')));
}

export function readEnv(stateDir) {
  const file = join(stateDir, 'env.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function writeEnv(stateDir, env) {
  const file = join(stateDir, 'env.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Writes a file only when its content changed; returns true when it wrote. */
export function writeIfChanged(file, content, mode = 0o644) {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content, { mode });
  renameSync(`${file}.tmp`, file);
  return true;
}

/** Runs a command, returns {status, stdout, stderr}; throws with its output when `check` and it failed. */
export function run(cmd, args, { check = true, input, env, cwd, stdio } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, env: env ?? process.env, cwd, stdio, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (check && r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}${out ? `:\n${out}` : ''}`);
  }
  return r;
}

/** Starts a detached process (own session and process group) with stdout+stderr appended to `logFile`. */
export function startDetached(cmd, args, { logFile, env, cwd } = {}) {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env, cwd });
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return true;
  }
}

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** True when `pid` is alive and its command line contains `needle` (guards against a recycled pid). */
export function isOurs(pid, needle) {
  return isAlive(pid) && cmdline(pid).includes(needle);
}


/** Stops a process (or its whole group) with `signal`, then SIGKILL after `timeoutMs`. Returns true if it was running. */
export async function stopProcess(pid, { signal = 'SIGTERM', group = false, timeoutMs = 20000, name = 'process' } = {}) {
  if (!isAlive(pid)) return false;
  const target = group ? -pid : pid;
  try {
    process.kill(target, signal);
  } catch {
    /* gone meanwhile */
  }
  const groupAlive = () => (group ? groupMembers(pid).length > 0 : isAlive(pid));
  try {
    await waitFor(`${name} (pid ${pid}) to stop`, () => !groupAlive(), { timeoutMs, intervalMs: 50 });
  } catch {
    console.warn(`wp-env: ${name} (pid ${pid}) did not stop after ${signal}; sending SIGKILL`);
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* gone */
    }
    await waitFor(`${name} to die`, () => !groupAlive(), { timeoutMs: 5000 }).catch(() => {});
  }
  return true;
}

/** Live processes of process group `pgid` (from /proc). */
export function groupMembers(pgid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] = state, fields[2] = pgrp
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      /* raced */
    }
  }
  return out;
}

/** Resolves true when something accepts TCP connections on host:port. */
export function portInUse(port, host = '127.0.0.1') {
  return new Promise((res) => {
    const sock = createConnection({ port, host });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      res(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      res(false);
    });
    sock.once('error', () => res(false));
  });
}

/** Step timer: `await t.step('name', fn)` prints "name ... 1.23 s" and records it. */
export function timer() {
  const t0 = performance.now();
  const steps = [];
  return {
    steps,
    async step(name, fn) {
      const s = performance.now();
      process.stdout.write(`  ${name} … `);
      try {
        const r = await fn();
        const ms = performance.now() - s;
        steps.push({ name, ms: Math.round(ms) });
        const text = typeof r === 'string' ? r : r?.note;
        const note = text ? ` (${text})` : '';
        process.stdout.write(`${(ms / 1000).toFixed(2)} s${note}\n`);
        return r;
      } catch (err) {
        process.stdout.write(`FAILED after ${((performance.now() - s) / 1000).toFixed(2)} s\n`);
        throw err;
      }
    },
    total: () => (performance.now() - t0) / 1000,
  };
}

export const isRoot = () => process.getuid?.() === 0;

/**
 * Stops every process a state folder's env.json (or its pid files) names: web server, php-fpm, nginx,
 * MariaDB. Each pid is checked against its command line (it must mention the state folder) before a
 * signal is sent, so a recycled pid is never hit. Idempotent. Returns the names of what it stopped.
 */
export async function stopState(stateDir, { quiet = false } = {}) {
  const env = readEnv(stateDir) ?? {};
  const pids = env.pids ?? {};
  const pidFile = (name) => {
    try {
      return Number(readFileSync(join(stateDir, 'run', name), 'utf8').trim());
    } catch {
      return 0;
    }
  };
  const mine = `${stateDir}/`;
  const stopped = [];
  const say = (m) => quiet || console.log(`  ${m}`);
  // php -S: its forked workers survive a SIGTERM to the parent, so the whole process group goes.
  if (pids.php && isOurs(pids.php, mine)) {
    await stopProcess(pids.php, { group: true, name: 'php -S' });
    stopped.push('php -S');
    say(`stopped php -S (pid ${pids.php} and its workers)`);
  }
  const nginxPid = pids.nginx || pidFile('nginx.pid');
  if (nginxPid && isOurs(nginxPid, mine)) {
    await stopProcess(nginxPid, { signal: 'SIGQUIT', name: 'nginx' });
    stopped.push('nginx');
    say(`stopped nginx (pid ${nginxPid})`);
  }
  const fpmPid = pids.fpm || pidFile('php-fpm.pid');
  if (fpmPid && isOurs(fpmPid, mine)) {
    await stopProcess(fpmPid, { signal: 'SIGQUIT', name: 'php-fpm' });
    stopped.push('php-fpm');
    say(`stopped php-fpm (pid ${fpmPid})`);
  }
  const dbPid = pids.mariadb || pidFile('mysqld.pid');
  if (dbPid && isOurs(dbPid, mine)) {
    // SIGTERM = clean shutdown (InnoDB flushes); give it time.
    await stopProcess(dbPid, { signal: 'SIGTERM', timeoutMs: 60000, name: 'mariadbd' });
    stopped.push('mariadb');
    say(`stopped mariadbd (pid ${dbPid})`);
  }
  if (existsSync(join(stateDir, 'env.json'))) {
    writeEnv(stateDir, { ...env, running: false, pids: {}, stoppedAt: new Date().toISOString() });
  }
  return stopped;
}

/** SPP_SIDECAR_* for wp-config.php: options, then environment, then the sidecar's own key. */
export function resolveSidecar(given = {}) {
  const host = process.env.SPP_SIDECAR_HOST ?? '127.0.0.1';
  const sidecarUrl = given.url ?? process.env.SPP_SIDECAR_URL ?? `http://${host}:${process.env.SPP_SIDECAR_PORT ?? '8787'}`;
  let keyId = given.keyId ?? process.env.SPP_SIDECAR_KEY_ID;
  let key = given.key ?? process.env.SPP_SIDECAR_KEY;
  let source = 'options/environment (SPP_SIDECAR_KEY_ID, SPP_SIDECAR_KEY)';
  if (!keyId || !key) {
    if (keyId || key) fail('give both --key-id and --key (or SPP_SIDECAR_KEY_ID and SPP_SIDECAR_KEY), or neither');
    if (process.env.SPP_SIGNING_KEYS?.trim()) {
      [keyId, key] = process.env.SPP_SIGNING_KEYS.split(',')[0].trim().split(':');
      source = 'first key of SPP_SIGNING_KEYS';
    } else {
      // The sidecar generates k1 into SPP_DATA_DIR/signing-key when it has no SPP_SIGNING_KEYS; write that
      // same file first if it is missing, so WordPress and a later `npm start` share the key.
      const dataDir = resolve(ROOT, process.env.SPP_DATA_DIR ?? '.spp-data');
      const file = join(dataDir, 'signing-key');
      if (!existsSync(file)) {
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        try {
          writeFileSync(file, `k1:${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
        } catch (err) {
          if (err.code !== 'EEXIST') throw err;
        }
      }
      [keyId, key] = readFileSync(file, 'utf8').trim().split(',')[0].split(':');
      source = `${relative(ROOT, file)} (the sidecar's generated key)`;
    }
  }
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(keyId ?? '')) fail(`sidecar key id '${keyId}' is not a short id like k1`);
  if (!/^[0-9a-fA-F]{64}$/.test(key ?? '')) fail('sidecar key must be 64 hex characters');
  if (!/^https?:\/\/[^\s'"\\]+$/.test(sidecarUrl)) fail(`sidecar URL '${sidecarUrl}' is not an http(s) URL`);
  return { url: sidecarUrl.replace(/\/$/, ''), keyId, key: key.toLowerCase(), source };
}
