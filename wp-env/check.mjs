#!/usr/bin/env node
// Smoke check of a running local WordPress (from <state>/env.json): front page, REST index, the portal
// page, cookie login of admin and a support user, an Application Password created over REST (cookie +
// nonce) and used with Basic auth, and a burst of parallel REST requests. Prints timings; exit 1 on failure.
import { relative } from 'node:path';
import { isAlive, parseArgs, readEnv, targetStates } from './lib.mjs';

const USAGE = `usage: node wp-env/check.mjs [--wp 6.8|6.1 | --state DIR] [--parallel N]
  checks the running local WordPress of that version / state folder (default: every running one)`;
const opts = parseArgs(process.argv.slice(2), { wp: 'string', state: 'string', parallel: 'string' }, USAGE);
const parallel = Number(opts.parallel ?? 16);

const states = targetStates(opts)
  .map((dir) => ({ dir, env: readEnv(dir) }))
  .filter(({ env }) => env && (opts.wp || opts.state || (env.running && Object.values(env.pids ?? {}).some(isAlive))));
if (states.length === 0) {
  console.error('wp-env check: no running local WordPress found; start one with: node wp-env/up.mjs');
  process.exit(1);
}

let failed = 0;
let passedTotal = 0;
let failedTotal = 0;
for (const { dir, env } of states) {
  if (!env?.running) {
    console.error(`wp-env check: ${dir} is not running (env.json says so); start it with node wp-env/up.mjs`);
    failed++;
    failedTotal++;
    continue;
  }
  console.log(`wp-env check: WordPress ${env.wordpress?.version} at ${env.url} (${relative(process.cwd(), dir) || dir}, ${env.server === 'nginx' ? 'nginx + php-fpm' : 'php -S'})`);
  failed += await checkOne(env);
}
console.log(`check: ${passedTotal} passed, ${failedTotal} failed`);
process.exit(failed ? 1 : 0);

async function checkOne(env) {
  const base = env.url;
  let failures = 0;
  const results = [];
  const check = async (name, fn) => {
    const t0 = performance.now();
    try {
      const note = await fn();
      const ms = performance.now() - t0;
      results.push({ name, ok: true, ms });
      console.log(`  ok    ${name.padEnd(58)} ${ms.toFixed(0).padStart(5)} ms${note ? `  ${note}` : ''}`);
    } catch (err) {
      const ms = performance.now() - t0;
      failures++;
      console.log(`  FAIL  ${name.padEnd(58)} ${ms.toFixed(0).padStart(5)} ms  ${err.message}`);
    }
  };
  const expect = (res, status, what) => {
    if (res.status !== status) throw new Error(`${what}: HTTP ${res.status}, expected ${status}`);
  };
  const get = (path, init = {}) => fetch(`${base}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(30000), ...init });

  if (env.plugin?.present) {
    await check(`plugin ${env.plugin.file} is active`, async () => {
      if (!env.plugin.active) throw new Error(`not active: ${String(env.plugin.error ?? 'activation failed').split('\n')[0]}`);
    });
  }
  await check('GET /', async () => expect(await get('/'), 200, '/'));
  await check('GET /wp-json/ advertises application-passwords', async () => {
    const res = await get('/wp-json/');
    expect(res, 200, '/wp-json/');
    const body = await res.json();
    if (!body.authentication?.['application-passwords']) throw new Error('authentication.application-passwords missing (WP_ENVIRONMENT_TYPE is not local?)');
    return `"${body.name}"`;
  });
  if (env.page?.url) {
    await check(`GET ${new URL(env.page.url).pathname} (Support Portal page)`, async () => {
      const res = await get(new URL(env.page.url).pathname);
      expect(res, 200, env.page.url);
      const html = await res.text();
      if (!html.includes('Support Portal')) throw new Error('page title not found in the HTML');
      return html.includes('[support_provisioning_portal]') ? 'shortcode not rendered (plugin not active)' : 'shortcode rendered by the plugin';
    });
  }

  // Cookie login, as a browser does it.
  const login = async (user, password) => {
    const jar = new Map([['wordpress_test_cookie', 'WP%20Cookie%20check']]);
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const keep = (res) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair.indexOf('=');
        const value = pair.slice(i + 1);
        if (value === 'deleted' || /expires=Thu, 01-Jan-1970/i.test(c)) jar.delete(pair.slice(0, i));
        else jar.set(pair.slice(0, i), value);
      }
    };
    const res = await get('/wp-login.php', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
      body: new URLSearchParams({ log: user, pwd: password, testcookie: '1', rememberme: 'forever', 'redirect_to': `${base}/wp-admin/` }),
    });
    keep(res);
    if (res.status !== 302) throw new Error(`login of ${user}: HTTP ${res.status} (wrong password?)`);
    if (![...jar.keys()].some((k) => k.startsWith('wordpress_logged_in_'))) throw new Error(`login of ${user}: no wordpress_logged_in_ cookie`);
    return { cookie: cookieHeader, location: res.headers.get('location') };
  };

  let admin;
  await check(`login admin via wp-login.php (cookie)`, async () => {
    admin = await login(env.admin.login, env.admin.password);
    const res = await get('/wp-admin/', { headers: { cookie: admin.cookie() } });
    expect(res, 200, '/wp-admin/ with the cookie');
    return `→ ${new URL(admin.location).pathname}`;
  });

  let nonce;
  let appPassword;
  if (admin) {
    await check('REST nonce (admin-ajax.php?action=rest-nonce)', async () => {
      const res = await get('/wp-admin/admin-ajax.php?action=rest-nonce', { headers: { cookie: admin.cookie() } });
      expect(res, 200, 'rest-nonce');
      nonce = (await res.text()).trim();
      if (!/^[0-9a-f]{10}$/.test(nonce)) throw new Error(`unexpected nonce '${nonce.slice(0, 40)}'`);
    });
    await check('GET /wp-json/wp/v2/users/me (cookie + X-WP-Nonce)', async () => {
      const res = await get('/wp-json/wp/v2/users/me', { headers: { cookie: admin.cookie(), 'x-wp-nonce': nonce } });
      expect(res, 200, 'users/me');
      const me = await res.json();
      if (me.id !== env.admin.id) throw new Error(`answered user ${me.id}, expected ${env.admin.id}`);
    });
    await check('create an Application Password for admin (REST)', async () => {
      const res = await get('/wp-json/wp/v2/users/me/application-passwords', {
        method: 'POST',
        headers: { cookie: admin.cookie(), 'x-wp-nonce': nonce, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `wp-env check ${new Date().toISOString()}` }),
      });
      expect(res, 201, 'application-passwords');
      appPassword = await res.json();
    });
  }
  if (appPassword) {
    const basic = `Basic ${Buffer.from(`${env.admin.login}:${appPassword.password}`).toString('base64')}`;
    await check('GET /wp-json/wp/v2/users/me (Application Password, Basic)', async () => {
      const res = await get('/wp-json/wp/v2/users/me?context=edit', { headers: { authorization: basic } });
      expect(res, 200, 'users/me');
      const me = await res.json();
      if (!me.roles?.includes('administrator')) throw new Error(`roles ${JSON.stringify(me.roles)}`);
      return `id ${me.id}, roles ${me.roles.join(',')}`;
    });
    await check('wrong Application Password → 401', async () => {
      const bad = `Basic ${Buffer.from(`${env.admin.login}:xxxx xxxx xxxx xxxx xxxx xxxx`).toString('base64')}`;
      expect(await get('/wp-json/wp/v2/users/me', { headers: { authorization: bad } }), 401, 'users/me');
    });
    await check(`${parallel} parallel GET /wp-json/wp/v2/users/me (App Password)`, async () => {
      const t0 = performance.now();
      const all = await Promise.all(Array.from({ length: parallel }, async () => {
        const s = performance.now();
        const res = await get('/wp-json/wp/v2/users/me', { headers: { authorization: basic } });
        await res.arrayBuffer();
        return { status: res.status, ms: performance.now() - s };
      }));
      const bad = all.filter((r) => r.status !== 200);
      if (bad.length) throw new Error(`${bad.length} of ${parallel} not 200 (${[...new Set(bad.map((r) => r.status))].join(',')})`);
      const ms = all.map((r) => r.ms).sort((a, b) => a - b);
      return `wall ${(performance.now() - t0).toFixed(0)} ms, median ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`;
    });
    await check('delete that Application Password', async () => {
      const res = await get(`/wp-json/wp/v2/users/me/application-passwords/${appPassword.uuid}`, { method: 'DELETE', headers: { authorization: basic } });
      expect(res, 200, 'delete');
    });
  }
  const support = env.users?.[0];
  if (support) {
    await check(`login ${support.login} via wp-login.php; users/me as ${support.login}`, async () => {
      const s = await login(support.login, support.password);
      const n = (await (await get('/wp-admin/admin-ajax.php?action=rest-nonce', { headers: { cookie: s.cookie() } })).text()).trim();
      const res = await get('/wp-json/wp/v2/users/me?context=edit', { headers: { cookie: s.cookie(), 'x-wp-nonce': n } });
      expect(res, 200, 'users/me');
      const me = await res.json();
      if (me.slug !== support.login) throw new Error(`answered ${me.slug}`);
      return `roles ${me.roles.join(',')}`;
    });
  }
  const total = results.reduce((a, r) => a + r.ms, 0);
  passedTotal += results.length;
  failedTotal += failures;
  console.log(failures ? `  ${failures} check(s) FAILED` : `  all ${results.length} checks passed in ${(total / 1000).toFixed(2)} s`);
  return failures ? 1 : 0;
}
