#!/usr/bin/env node
// Brings up a real local WordPress without Docker, from Debian's packages: private MariaDB, private copy
// of the WordPress tree, own wp-config.php, demo users, the portal page, the project's plugin, and a web
// server on 127.0.0.1. Idempotent: a second run installs nothing and reuses what is running.
import { waitFor } from '@spp/tools';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  CACHE_DIR, HERE, ROOT, VERSIONS, fail, isAlive, resolveSidecar, isOurs, isRoot, normaliseVersion, parseArgs, portInUse, readEnv, run,
  startDetached, stateDirFor, stopProcess, targetStates, stopState, timer, writeEnv, writeIfChanged,
} from './lib.mjs';

const USAGE = `usage: node wp-env/up.mjs [options]
  --wp 6.8|6.1          WordPress version (default 6.8; 6.1 = Debian bookworm's package, 6.8 = trixie's)
  --port N              web port on 127.0.0.1 (default: the state's previous port, else 8888)
  --db-port N           MariaDB TCP port on 127.0.0.1 (default 33000 + port % 1000; 0 = socket only)
  --state DIR           state folder (default .wp-env-state/<version>)
  --server php|nginx    php -S with a router and workers (default) or nginx + php-fpm
  --workers N           PHP workers (default 4)
  --fresh               stop and delete the state folder first, then start from nothing
  --sidecar-url URL     SPP_SIDECAR_URL for wp-config.php (env SPP_SIDECAR_URL; default http://127.0.0.1:8787)
  --key-id ID --key HEX SPP_SIDECAR_KEY_ID / SPP_SIDECAR_KEY (env of the same names; default: the first key of
                        SPP_SIGNING_KEYS, else the sidecar's generated key in SPP_DATA_DIR/signing-key, created if absent)
  --plugin DIR          the plugin folder to link and activate (default <repo>/plugin; skipped while absent)
  --admin-password P    admin's password (env WP_ENV_ADMIN_PASSWORD; default "password")
  --no-apt              do not check or install Debian packages
  --cron                let WordPress run its own cron on page loads (default off: DISABLE_WP_CRON)`;

const opts = parseArgs(process.argv.slice(2), {
  wp: 'string', port: 'string', 'db-port': 'string', state: 'string', server: 'string', workers: 'string', fresh: 'boolean',
  'sidecar-url': 'string', 'key-id': 'string', key: 'string', 'admin-password': 'string', plugin: 'string', 'no-apt': 'boolean', cron: 'boolean',
}, USAGE);

const version = normaliseVersion(opts.wp);
const spec = VERSIONS[version];
const stateDir = stateDirFor({ ...opts, wp: version });
const dirs = { wp: join(stateDir, 'wp'), db: join(stateDir, 'db'), run: join(stateDir, 'run'), log: join(stateDir, 'log'), conf: join(stateDir, 'conf') };
const t = timer();

console.log(`wp-env: WordPress ${version} in ${relative(process.cwd(), stateDir) || '.'}`);

// Settings (port, db port, server, workers) survive --fresh; everything else comes from nothing.
const settings = readEnv(stateDir);
if (opts.fresh) {
  await t.step('--fresh: stop and delete the state folder', async () => {
    await stopState(stateDir, { quiet: true });
    rmSync(stateDir, { recursive: true, force: true });
  });
}

const prev = readEnv(stateDir);
const intOpt = (name, value, min, max) => {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const port = intOpt('port', opts.port ?? process.env.WP_ENV_PORT ?? settings?.port ?? 8888, 1, 65535);
const dbPort = intOpt('db-port', opts['db-port'] ?? (opts.port ? undefined : settings?.db?.port) ?? 33000 + (port % 1000), 0, 65535);
const server = opts.server ?? settings?.server ?? 'php';
if (!['php', 'nginx'].includes(server)) fail('--server must be php or nginx');
const workers = intOpt('workers', opts.workers ?? settings?.workers ?? 4, 1, 64);
const url = `http://127.0.0.1:${port}`;
const adminPassword = opts['admin-password'] ?? process.env.WP_ENV_ADMIN_PASSWORD ?? 'password';
const sidecar = resolveSidecar({ url: opts['sidecar-url'], keyId: opts['key-id'], key: opts.key });
// Demo support users: WordPress roles stay minimal (subscriber); portal rights are granted in the sidecar.
const USERS = [
  { login: 'support1', password: 'support1-pass', email: 'support1@example.test', role: 'subscriber', first: 'Sam', last: 'Support' },
  { login: 'support2', password: 'support2-pass', email: 'support2@example.test', role: 'subscriber', first: 'Alex', last: 'Support' },
  { login: 'support3', password: 'support3-pass', email: 'support3@example.test', role: 'subscriber', first: 'Kim', last: 'Support' },
];

for (const d of Object.values(dirs)) if (d !== dirs.wp) mkdirSync(d, { recursive: true, mode: 0o755 });
// A unix socket path is limited to 107 bytes: fall back to a short folder under /tmp for deep state folders.
const sockDir = join(dirs.run, 'mysqld.sock').length < 100 ? dirs.run : join(tmpdir(), `wp-env-${createHash('sha1').update(stateDir).digest('hex').slice(0, 10)}`);
mkdirSync(sockDir, { recursive: true });
const dbSocket = join(sockDir, 'mysqld.sock');

const env = {
  ...(prev ?? {}),
  version, state: stateDir, url, port, server, workers,
  running: false, status: 'starting', startedAt: new Date().toISOString(),
  pids: { ...(prev?.pids ?? {}) },
  logs: dirs.log,
};
const save = () => writeEnv(stateDir, env);

try {
  // Fail early when the web port is taken by someone else (our own running server is fine).
  const ownWeb = [env.pids.php, env.pids.nginx].some((p) => p && isOurs(p, `${stateDir}/`));
  if (!ownWeb) await assertWebPortFree();

  // 1. Debian packages.
  if (!opts['no-apt']) await t.step('Debian packages', ensurePackages);
  const phpBin = '/usr/bin/php';
  if (!existsSync(phpBin)) fail('php is not installed (run without --no-apt)');

  // 2. WordPress tree: a private copy under the state folder.
  const source = await t.step(`WordPress ${version} source`, wordpressSource);
  await t.step('private WordPress tree', () => prepareTree(source));

  // 3. MariaDB.
  await t.step('MariaDB', startMariaDB);
  save();

  // 4. wp-config.php, mu-plugin, the project's plugin.
  const pluginNote = await t.step('wp-config.php, mu-plugin, plugin link', writeConfig);

  // 5. Install the site, users, page, plugin activation (WordPress's own PHP).
  const result = await t.step('install site, users, page, plugin', () => provision(phpBin));

  // 6. Web server.
  await t.step(`web server (${server === 'php' ? `php -S, ${workers} workers` : `nginx + php-fpm, ${workers} children`})`, () => startWeb(phpBin));

  Object.assign(env, {
    running: true,
    status: 'running',
    wordpress: { version: result.wpVersion, debianPackage: source.debVersion, suite: spec.suite, path: dirs.wp },
    php: result.phpVersion,
    admin: { login: 'admin', password: adminPassword, email: 'admin@example.test', id: result.admin.id },
    users: result.users.map((u) => ({ login: u.login, password: USERS.find((d) => d.login === u.login).password, email: USERS.find((d) => d.login === u.login).email, id: u.id, roles: u.roles })),
    page: { title: 'Support Portal', id: result.page.id, url: result.page.url },
    plugin: { ...result.plugin, note: pluginNote },
    db: { name: 'wordpress', user: 'wordpress', password: 'wordpress', socket: dbSocket, host: '127.0.0.1', port: dbPort || null, rootLogin: 'root (no password, socket only)' },
    sidecar: { url: sidecar.url, keyId: sidecar.keyId, keySource: sidecar.source },
    timings: { totalSeconds: Number(t.total().toFixed(2)), steps: t.steps },
  });
  delete env.error;
  save();
  printSummary(result);
} catch (err) {
  env.status = 'failed';
  env.error = String(err.message ?? err);
  save();
  console.error(`\nwp-env: ${err.message ?? err}`);
  const alive = Object.values(env.pids).some((p) => p && isOurs(p, `${stateDir}/`));
  console.error(`Logs: ${dirs.log}.${alive ? ` Processes started so far keep running; stop them with: node wp-env/down.mjs --state ${stateDir}` : ''}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------

function osRelease() {
  const text = readFileSync('/etc/os-release', 'utf8');
  const get = (k) => (new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text) ?? [])[1] ?? '';
  return { id: get('ID'), codename: get('VERSION_CODENAME') };
}

function packagesNeeded() {
  const pkgs = ['php-cli', 'php-fpm', 'php-mysql', 'php-xml', 'php-mbstring', 'php-curl', 'php-gd', 'php-zip', 'php-intl', 'nginx', 'mariadb-server', 'mariadb-client'];
  if (spec.suite === osRelease().codename) {
    // WordPress from this machine's own release. `php` next to nginx + php-fpm satisfies wordpress's
    // "apache2 | httpd" and "libapache2-mod-php | php" alternatives without Apache.
    pkgs.push('php', 'wordpress', spec.theme);
  }
  return pkgs;
}

function missingPackages(pkgs) {
  const r = run('dpkg-query', ['-W', '-f=${Package}\\t${db:Status-Abbrev}\\n', ...pkgs], { check: false });
  const installed = new Set(r.stdout.split('\n').filter((l) => /\tii/.test(l)).map((l) => l.split('\t')[0]));
  return pkgs.filter((p) => !installed.has(p));
}

async function ensurePackages() {
  const pkgs = packagesNeeded();
  const missing = missingPackages(pkgs);
  if (missing.length === 0) return `all ${pkgs.length} installed`;
  const cmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot()) throw new Error(`missing Debian packages: ${missing.join(' ')}\nInstall them as root:\n  sudo sh -c '${cmd}'`);
  process.stdout.write(`\n    installing ${missing.join(' ')}\n`);
  // Services must not start at install (no systemd here; a real Debian box would start the system's
  // nginx on :80 and MariaDB on :3306): a temporary policy-rc.d refuses, as Debian's docker images do.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# temporary, written by wp-env/up.mjs during apt-get install\nexit 101\n', { mode: 0o755 });
  try {
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
    run('apt-get', ['update', '-q'], { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...missing],
      { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const still = missingPackages(pkgs);
  if (still.length) throw new Error(`apt-get did not install: ${still.join(' ')}`);
  return `installed ${missing.length}`;
}

/** Where the WordPress tree of `version` comes from: the installed package, or debs of another release extracted into the cache. */
async function wordpressSource() {
  const { codename } = osRelease();
  if (spec.suite === codename) {
    const debVersion = run('dpkg-query', ['-W', '-f=${Version}', 'wordpress'], { check: false }).stdout.trim();
    if (!debVersion || !existsSync('/usr/share/wordpress/wp-load.php')) throw new Error('Debian package wordpress is not installed (run without --no-apt)');
    return { dir: '/usr/share/wordpress', debVersion, from: `Debian ${codename} package, installed` };
  }
  const base = join(CACHE_DIR, `debian-${spec.suite}`);
  const tree = join(base, 'wordpress');
  const stamp = join(base, 'wordpress.json');
  if (existsSync(stamp) && existsSync(join(tree, 'wp-load.php'))) {
    const s = JSON.parse(readFileSync(stamp, 'utf8'));
    return { dir: tree, debVersion: s.debVersion, from: `Debian ${spec.suite} debs, cached` };
  }
  // Download (never install) the debs with a private apt configuration; the machine's apt state is untouched.
  const apt = join(base, 'apt');
  rmSync(apt, { recursive: true, force: true });
  for (const d of ['lists/partial', 'cache/archives/partial', 'debs', 'prefs']) mkdirSync(join(apt, d), { recursive: true });
  writeFileSync(join(apt, 'sources.list'), sourcesFor(spec.suite));
  const A = [
    '-o', `Dir::Etc::sourcelist=${join(apt, 'sources.list')}`, '-o', 'Dir::Etc::sourceparts=-',
    '-o', `Dir::Etc::preferencesparts=${join(apt, 'prefs')}`, '-o', 'Dir::Etc::preferences=/dev/null',
    '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::Cache=${join(apt, 'cache')}`,
    '-o', 'APT::Sandbox::User=root', '-q',
  ];
  run('apt-get', [...A, 'update']);
  const pkgs = ['wordpress', spec.theme, ...spec.extra];
  run('apt-get', [...A, 'download', ...pkgs], { cwd: join(apt, 'debs') });
  const root = join(base, 'root');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  let debVersion = '';
  for (const deb of readdirSync(join(apt, 'debs')).filter((f) => f.endsWith('.deb'))) {
    run('dpkg-deb', ['-x', join(apt, 'debs', deb), root]);
    if (deb.startsWith('wordpress_')) debVersion = run('dpkg-deb', ['-f', join(apt, 'debs', deb), 'Version']).stdout.trim();
  }
  // The package's relative symlinks (underscore, cropper, getID3, lodash) resolve inside root/: -L copies their targets.
  // Absolute ones point into this machine: .htaccess -> /etc/wordpress/htaccess (not installed, not needed) goes.
  rmSync(join(root, 'usr/share/wordpress/.htaccess'), { force: true });
  const dangling = run('find', [join(root, 'usr/share/wordpress'), '-xtype', 'l']).stdout.trim();
  if (dangling) throw new Error(`symlinks of the ${spec.suite} package point nowhere (a package missing from the download list?):\n${dangling}`);
  rmSync(`${tree}.tmp`, { recursive: true, force: true });
  run('cp', ['-rL', join(root, 'usr/share/wordpress'), `${tree}.tmp`]);
  rmSync(tree, { recursive: true, force: true });
  renameSync(`${tree}.tmp`, tree);
  writeFileSync(stamp, `${JSON.stringify({ suite: spec.suite, debVersion, packages: pkgs, at: new Date().toISOString() }, null, 2)}\n`);
  rmSync(root, { recursive: true, force: true });
  rmSync(apt, { recursive: true, force: true }); // lists + debs (~40 MB): only needed again for a newer package
  return { dir: tree, debVersion, from: `Debian ${spec.suite} debs, downloaded` };
}

/** One `deb` line per suite, on the Debian mirror(s) this machine's own apt sources already use. */
function sourcesFor(suite) {
  const { codename } = osRelease();
  const entries = aptSources();
  const pick = (s) => entries.find((e) => e.types.includes('deb') && e.suites.includes(s) && e.components.includes('main'));
  const main = process.env.WP_ENV_DEBIAN_MIRROR ? { uri: process.env.WP_ENV_DEBIAN_MIRROR, signedBy: '' } : pick(codename);
  if (!main) throw new Error(`no Debian source for '${codename} main' in /etc/apt/sources.list*; set WP_ENV_DEBIAN_MIRROR=<mirror URL>`);
  const security = pick(`${codename}-security`);
  const keyring = (e) => (e?.signedBy && e.signedBy.startsWith('/') ? e.signedBy : '/usr/share/keyrings/debian-archive-keyring.gpg');
  const line = (e, s) => `deb [signed-by=${keyring(e)}${/snapshot\./.test(e.uri) ? ' check-valid-until=no' : ''}] ${e.uri} ${s} main`;
  const lines = [line(main, suite)];
  if (security) lines.push(line(security, `${suite}-security`));
  return `# derived by wp-env/up.mjs from this machine's apt sources\n${lines.join('\n')}\n`;
}

/** The machine's apt sources, one-line (.list) and deb822 (.sources) formats. */
function aptSources() {
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) if (/\.(list|sources)$/.test(f)) files.push(join('/etc/apt/sources.list.d', f));
  }
  const out = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields = {};
        let last = null;
        for (const raw of stanza.split('\n')) {
          if (/^\s*#/.test(raw) || raw.trim() === '') continue;
          const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
          if (m) {
            last = m[1].toLowerCase();
            fields[last] = m[2].trim();
          } else if (last) fields[last] += ` ${raw.trim()}`;
        }
        if (!fields.uris || /^no$/i.test(fields.enabled ?? '')) continue;
        for (const uri of fields.uris.split(/\s+/)) {
          out.push({ types: (fields.types ?? '').split(/\s+/), uri: uri.replace(/\/$/, ''), suites: (fields.suites ?? '').split(/\s+/), components: (fields.components ?? '').split(/\s+/), signedBy: fields['signed-by'] ?? '' });
        }
      }
    } else {
      for (const raw of text.split('\n')) {
        const m = /^\s*(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(raw);
        if (!m) continue;
        const signed = /signed-by=(\S+)/.exec(m[2] ?? '');
        out.push({ types: [m[1]], uri: m[3].replace(/\/$/, ''), suites: [m[4]], components: m[5].split(/\s+/), signedBy: signed ? signed[1] : '' });
      }
    }
  }
  return out;
}

/** Copies the source tree into the state folder once (cp -rL: Debian's relative symlinks would dangle). */
function prepareTree(source) {
  const marker = join(stateDir, 'wp-source.json');
  const want = { dir: source.dir, debVersion: source.debVersion };
  const have = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null;
  if (have && have.debVersion === want.debVersion && existsSync(join(dirs.wp, 'wp-load.php'))) return `reused (${source.debVersion})`;
  const tmp = `${dirs.wp}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  run('cp', ['-rL', source.dir, tmp]);
  for (const f of ['wp-config.php', '.htaccess', 'wp-config-sample.php']) rmSync(join(tmp, f), { force: true });
  let note = `copied from ${source.from} (${source.debVersion})`;
  if (existsSync(join(dirs.wp, 'wp-load.php'))) {
    // A newer package of the same WordPress line: refresh core files, keep uploads; the database is upgraded later.
    const uploads = join(dirs.wp, 'wp-content', 'uploads');
    if (existsSync(uploads)) renameSync(uploads, join(tmp, 'wp-content', 'uploads'));
    rmSync(dirs.wp, { recursive: true, force: true });
    note = `core refreshed ${have?.debVersion ?? '?'} → ${source.debVersion}`;
  }
  renameSync(tmp, dirs.wp);
  writeFileSync(marker, `${JSON.stringify({ ...want, from: source.from, at: new Date().toISOString() }, null, 2)}\n`);
  return note;
}

function mariadbClient(sql, { user = 'root', check = true } = {}) {
  return run('mariadb', ['--no-defaults', `--socket=${dbSocket}`, `-u${user}`, '-N', '-B', '-e', sql], { check });
}

async function startMariaDB() {
  const notes = [];
  if (!existsSync(join(dirs.db, 'mysql'))) {
    rmSync(dirs.db, { recursive: true, force: true });
    run('mariadb-install-db', ['--no-defaults', `--datadir=${dirs.db}`, ...(isRoot() ? ['--user=root'] : []),
      '--auth-root-authentication-method=normal', '--skip-test-db', '--innodb-log-file-size=16M'], { stdio: ['ignore', 'pipe', 'pipe'] });
    notes.push('datadir created');
  }
  const pidFile = join(dirs.run, 'mysqld.pid');
  let pid = env.pids.mariadb || (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0);
  const running = pid && isOurs(pid, `${stateDir}/`);
  const wantPort = dbPort || null;
  if (running && (env.db?.port ?? null) !== wantPort) {
    await stopProcess(pid, { timeoutMs: 60000, name: 'mariadbd' });
    notes.push('restarted for the new port');
  } else if (running) {
    notes.push(`running (pid ${pid})`);
    return notes.join(', ');
  }
  if (dbPort && (await portInUse(dbPort))) throw new Error(`MariaDB port ${dbPort} is in use; choose another with --db-port N (or --db-port 0 for socket only)`);
  rmSync(dbSocket, { force: true });
  pid = startDetached('/usr/sbin/mariadbd', [
    '--no-defaults', `--datadir=${dirs.db}`, `--socket=${dbSocket}`, `--pid-file=${pidFile}`,
    ...(dbPort ? [`--port=${dbPort}`, '--bind-address=127.0.0.1'] : ['--skip-networking']),
    ...(isRoot() ? ['--user=root'] : []), '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M', '--max-connections=100',
    '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci', `--log-error=${join(dirs.log, 'mariadb.err')}`,
  ], { logFile: join(dirs.log, 'mariadb.out') });
  env.pids.mariadb = pid;
  env.db = { ...(env.db ?? {}), port: wantPort, socket: dbSocket };
  save();
  await waitFor('MariaDB to accept connections', () => {
    if (!isAlive(pid)) throw new Error(`mariadbd exited at start; see ${join(dirs.log, 'mariadb.err')}:\n${tail(join(dirs.log, 'mariadb.err'))}`);
    return existsSync(dbSocket) && mariadbClient('SELECT 1', { check: false }).status === 0;
  }, { timeoutMs: 60000 });
  notes.push(`started (pid ${pid}${dbPort ? `, 127.0.0.1:${dbPort}` : ''})`);
  mariadbClient([
    "CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    "CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY 'wordpress'",
    "CREATE USER IF NOT EXISTS 'wordpress'@'127.0.0.1' IDENTIFIED BY 'wordpress'",
    "GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost'",
    "GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'127.0.0.1'",
  ].join(';'));
  return notes.join(', ');
}

function tail(file, n = 15) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

function phpStr(s) {
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function writeConfig() {
  const saltsFile = join(stateDir, 'salts.php');
  if (!existsSync(saltsFile)) {
    const names = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
    writeFileSync(saltsFile, `<?php\n// Generated once by wp-env/up.mjs.\n${names.map((n) => `define('${n}', '${randomBytes(32).toString('hex')}');`).join('\n')}\n`, { mode: 0o600 });
  }
  const extra = join(stateDir, 'wp-config-extra.php');
  const config = `<?php
// Generated by wp-env/up.mjs on every run: edits here are lost. Put your own defines in
// ${extra} (loaded first, so it may also override the ones below).
if (is_readable(${phpStr(extra)})) { require ${phpStr(extra)}; }
$wp_env_define = function ($name, $value) { if (!defined($name)) { define($name, $value); } };

$wp_env_define('DB_NAME', 'wordpress');
$wp_env_define('DB_USER', 'wordpress');
$wp_env_define('DB_PASSWORD', 'wordpress');
$wp_env_define('DB_HOST', ${phpStr(`localhost:${dbSocket}`)});
$wp_env_define('DB_CHARSET', 'utf8mb4');
$wp_env_define('DB_COLLATE', '');
$table_prefix = 'wp_';

$wp_env_define('WP_HOME', ${phpStr(url)});
$wp_env_define('WP_SITEURL', ${phpStr(url)});
// 'local' makes Application Passwords available over plain http (WordPress otherwise requires https).
$wp_env_define('WP_ENVIRONMENT_TYPE', 'local');
$wp_env_define('WP_DEBUG', true);
$wp_env_define('WP_DEBUG_DISPLAY', false);   // notices must never pollute REST JSON
$wp_env_define('WP_DEBUG_LOG', ${phpStr(join(dirs.log, 'debug.log'))});
$wp_env_define('SCRIPT_DEBUG', false);
$wp_env_define('DISABLE_WP_CRON', ${opts.cron ? 'false' : 'true'});
$wp_env_define('AUTOMATIC_UPDATER_DISABLED', true);
$wp_env_define('WP_AUTO_UPDATE_CORE', false);
$wp_env_define('FS_METHOD', 'direct');

// Support Provisioning Portal: where the sidecar listens and the key WordPress signs its requests with (SPP1).
$wp_env_define('SPP_SIDECAR_URL', ${phpStr(sidecar.url)});
$wp_env_define('SPP_SIDECAR_KEY_ID', ${phpStr(sidecar.keyId)});
$wp_env_define('SPP_SIDECAR_KEY', ${phpStr(sidecar.key)});

require ${phpStr(saltsFile)};
unset($wp_env_define);

if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }
require_once ABSPATH . 'wp-settings.php';
`;
  writeIfChanged(join(dirs.wp, 'wp-config.php'), config, 0o600);
  writeIfChanged(join(dirs.wp, 'wp-content', 'mu-plugins', 'spp-wp-env-offline.php'), readFileSync(join(HERE, 'php', 'spp-wp-env-offline.php'), 'utf8'));

  // The project's plugin: a symlink, so edits show at once.
  const pluginSrc = opts.plugin ? resolve(process.cwd(), opts.plugin) : join(ROOT, 'plugin');
  const link = join(dirs.wp, 'wp-content', 'plugins', 'support-provisioning-portal');
  let linkStat = null;
  try {
    linkStat = lstatSync(link);
  } catch {
    /* absent */
  }
  if (!existsSync(pluginSrc)) {
    if (linkStat?.isSymbolicLink()) unlinkSync(link);
    return `no ${relative(ROOT, pluginSrc)}/ folder yet: plugin skipped`;
  }
  if (linkStat?.isSymbolicLink() && readlinkSync(link) === pluginSrc) return 'plugin linked';
  if (linkStat && !linkStat.isSymbolicLink()) return `${link} is a real folder: left as it is`;
  if (linkStat) unlinkSync(link);
  mkdirSync(join(dirs.wp, 'wp-content', 'plugins'), { recursive: true });
  symlinkSync(pluginSrc, link, 'dir');
  return 'plugin linked now';
}

function provision(phpBin) {
  const input = {
    wpDir: dirs.wp, url, title: 'Support Provisioning Portal (local)',
    admin: { login: 'admin', password: adminPassword, email: 'admin@example.test' },
    users: USERS,
    pageTitle: 'Support Portal', plugin: 'support-provisioning-portal',
  };
  const r = run(phpBin, ['-d', 'display_errors=stderr', '-d', 'memory_limit=512M', join(HERE, 'php', 'provision.php'), JSON.stringify(input)], { check: false, cwd: dirs.wp });
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('WP_ENV_RESULT '));
  const result = line ? JSON.parse(line.slice('WP_ENV_RESULT '.length)) : null;
  if (r.stderr.trim()) writeFileSync(join(dirs.log, 'provision.err'), r.stderr);
  if (!result || (!result.ok && result.stage !== 'plugin')) {
    throw new Error(`provisioning failed (stage ${result?.stage ?? '?'}): ${result?.error ?? ''}\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
  }
  if (!result.ok) {
    // A fatal error while activating the plugin: the site is fine, the plugin is not active.
    result.plugin = { ...(result.plugin ?? {}), active: false, error: result.error };
  }
  const notes = [result.installed ? 'site installed' : 'site already installed'];
  const created = result.users.filter((u) => u.created).map((u) => u.login);
  if (created.length) notes.push(`users ${created.join(', ')} created`);
  if (result.pageCreated) notes.push('page created');
  if (result.plugin.activatedNow) notes.push('plugin activated');
  if (result.plugin.error) notes.push(`PLUGIN NOT ACTIVE: ${result.plugin.error.split('\n')[0]}`);
  if (result.dbUpgraded) notes.push('database upgraded');
  result.note = notes.join(', ');
  return result;
}

async function startWeb(phpBin) {
  const php = phpServerArgs(phpBin);
  const confs = server === 'nginx' ? nginxConfs() : null;
  const sig = server === 'php' ? JSON.stringify(php) : JSON.stringify(confs);
  const mine = `${stateDir}/`;
  const webPid = server === 'php' ? env.pids.php : env.pids.nginx;
  const allUp = webPid && isOurs(webPid, mine) && (server === 'php' || isOurs(env.pids.fpm, mine));
  if (allUp && env.webSignature === sig && env.server === server) return `running (pid ${webPid})`;
  // Something of ours with another configuration (or half of it): stop the web part, keep MariaDB.
  if (env.pids.php && isOurs(env.pids.php, mine)) await stopProcess(env.pids.php, { group: true, name: 'php -S' });
  if (env.pids.nginx && isOurs(env.pids.nginx, mine)) await stopProcess(env.pids.nginx, { signal: 'SIGQUIT', name: 'nginx' });
  if (env.pids.fpm && isOurs(env.pids.fpm, mine)) await stopProcess(env.pids.fpm, { signal: 'SIGQUIT', name: 'php-fpm' });
  delete env.pids.php;
  delete env.pids.nginx;
  delete env.pids.fpm;
  await assertWebPortFree();
  let watch;
  if (server === 'php') {
    env.pids.php = startDetached(phpBin, php.args, { logFile: join(dirs.log, 'php-server.log'), env: { ...process.env, ...php.env }, cwd: dirs.wp });
    watch = [env.pids.php];
  } else {
    for (const [name, text] of Object.entries(confs)) writeIfChanged(join(dirs.conf, name), text);
    const fpmBin = readdirSync('/usr/sbin').filter((f) => /^php-fpm\d/.test(f)).sort().pop();
    if (!fpmBin) throw new Error('php-fpm is not installed');
    const ini = `/etc/php/${fpmBin.slice('php-fpm'.length)}/fpm/php.ini`;
    env.pids.fpm = startDetached(join('/usr/sbin', fpmBin), ['--nodaemonize', ...(isRoot() ? ['--allow-to-run-as-root'] : []), '-y', join(dirs.conf, 'php-fpm.conf'), ...(existsSync(ini) ? ['-c', ini] : [])],
      { logFile: join(dirs.log, 'php-fpm.out') });
    env.pids.nginx = startDetached('/usr/sbin/nginx', ['-p', dirs.conf, '-c', join(dirs.conf, 'nginx.conf'), '-e', join(dirs.log, 'nginx-error.log')],
      { logFile: join(dirs.log, 'nginx.out') });
    watch = [env.pids.fpm, env.pids.nginx];
  }
  env.webSignature = sig;
  save();
  await waitFor(`the web server on ${url}`, async () => {
    for (const pid of watch) {
      if (!isAlive(pid)) {
        const logs = server === 'php' ? ['php-server.log'] : ['php-fpm.log', 'php-fpm.out', 'nginx-error.log', 'nginx.out'];
        throw new Error(`the web server exited at start; see ${dirs.log}:\n${logs.map((f) => `${f}:\n${tail(join(dirs.log, f), 8)}`).join('\n')}`);
      }
    }
    try {
      const res = await fetch(`${url}/wp-login.php`, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5000) });
      return res.status > 0 && res.status !== 502;
    } catch {
      return false;
    }
  }, { timeoutMs: 30000 });
  return `started (pid ${watch.join(', ')})`;
}

async function assertWebPortFree() {
  if (!(await portInUse(port))) return;
  const other = targetStates({}).map((d) => readEnv(d)).find((e) => e?.running && e.port === port && e.state !== stateDir);
  const who = other ? `the local WordPress ${other.version} (${other.state})` : 'another program';
  throw new Error(`port ${port} on 127.0.0.1 is in use by ${who}; choose another with --port N (e.g. --wp 6.1 --port 8861)`);
}

function phpServerArgs(phpBin) {
  return {
    env: { PHP_CLI_SERVER_WORKERS: String(workers) },
    args: [
      '-d', 'memory_limit=512M', '-d', 'upload_max_filesize=64M', '-d', 'post_max_size=64M', '-d', 'max_execution_time=120',
      '-d', 'display_errors=0', '-d', 'log_errors=1', '-d', `error_log=${join(dirs.log, 'php-errors.log')}`,
      '-d', 'opcache.enable_cli=1', '-d', 'opcache.revalidate_freq=0', '-d', 'opcache.memory_consumption=128',
      '-S', `127.0.0.1:${port}`, '-t', dirs.wp, join(HERE, 'php', 'router.php'),
    ],
  };
}

function nginxConfs() {
  const fpmSock = join(sockDir, 'php-fpm.sock');
  const fpm = `[global]
pid = ${join(dirs.run, 'php-fpm.pid')}
error_log = ${join(dirs.log, 'php-fpm.log')}
daemonize = no

[wp]
${isRoot() ? 'user = root\ngroup = root\n' : ''}listen = ${fpmSock}
listen.mode = 0666
pm = static
pm.max_children = ${workers}
clear_env = no
catch_workers_output = yes
php_admin_value[error_log] = ${join(dirs.log, 'php-errors.log')}
php_admin_flag[log_errors] = on
php_admin_value[memory_limit] = 512M
php_value[upload_max_filesize] = 64M
php_value[post_max_size] = 64M
php_value[max_execution_time] = 120
php_admin_value[opcache.revalidate_freq] = 0
`;
  const nginx = `${isRoot() ? 'user root;\n' : ''}daemon off;
worker_processes 2;
pid ${join(dirs.run, 'nginx.pid')};
error_log ${join(dirs.log, 'nginx-error.log')} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${join(dirs.log, 'nginx-access.log')};
  client_body_temp_path ${join(dirs.run, 'nginx-client')};
  proxy_temp_path ${join(dirs.run, 'nginx-proxy')};
  fastcgi_temp_path ${join(dirs.run, 'nginx-fastcgi')};
  uwsgi_temp_path ${join(dirs.run, 'nginx-uwsgi')};
  scgi_temp_path ${join(dirs.run, 'nginx-scgi')};
  sendfile on;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1 localhost;
    root ${dirs.wp};
    index index.php;
    location / { try_files $uri $uri/ /index.php?$args; }
    location ~ \\.php$ {
      try_files $uri =404;
      include /etc/nginx/fastcgi_params;
      # Debian's fastcgi_params sends HTTP_HOST without the port: WordPress would then redirect every
      # request to itself (301 loop). Send host:port.
      fastcgi_param HTTP_HOST $host:$server_port;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_read_timeout 300s;
      fastcgi_pass unix:${fpmSock};
    }
  }
}
`;
  return { 'php-fpm.conf': fpm, 'nginx.conf': nginx };
}

function printSummary(result) {
  const lines = [
    '',
    `WordPress ${result.wpVersion} (Debian ${spec.suite} ${env.wordpress.debianPackage}, PHP ${result.phpVersion}) is up in ${t.total().toFixed(1)} s`,
    `  site:        ${url}/`,
    `  admin:       ${url}/wp-admin/   login admin / ${adminPassword}`,
    `  support:     ${env.users.map((u) => `${u.login} / ${u.password}`).join(', ')}   (WordPress role subscriber)`,
    `  portal page: ${result.page.url}`,
    `  REST:        ${url}/wp-json/   (Application Passwords work over http: WP_ENVIRONMENT_TYPE=local)`,
    `  plugin:      ${result.plugin.present ? (result.plugin.active ? `${result.plugin.file} active` : `${result.plugin.file} NOT active${result.plugin.error ? `: ${result.plugin.error.split('\n')[0]} (details: env.json, log/provision.err)` : ''}`) : env.plugin.note}`,
    `  sidecar:     SPP_SIDECAR_URL=${sidecar.url}, key ${sidecar.keyId} from ${sidecar.source}`,
    `  MariaDB:     socket ${dbSocket}${dbPort ? `, 127.0.0.1:${dbPort}` : ''}; wordpress / wordpress, root without password`,
    `  state:       ${stateDir} (env.json, logs in log/)`,
    `Stop: node wp-env/down.mjs${opts.state ? ` --state ${stateDir}` : ` --wp ${version}`}    Check: node wp-env/check.mjs${opts.state ? ` --state ${stateDir}` : ` --wp ${version}`}`,
  ];
  console.log(lines.join('\n'));
}
