// The small test harness of the browser end-to-end tests (playwright-core only, no test runner):
// named tests made of named steps, a numbered screenshot after every step (and on a failure), waits that
// fail with what was expected and what was seen, users logged in in their own browser contexts, and a
// watch over uncaught page errors and console errors in every page.
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Timeouts in ms; SPP_E2E_TIMEOUT_SCALE (e.g. 2) stretches all of them for a slow machine. */
const SCALE = Math.max(0.1, Number(process.env.SPP_E2E_TIMEOUT_SCALE ?? 1) || 1);
export const T = {
  /** a click, a fill, an element showing up after a REST call */
  ui: 15_000 * SCALE,
  /** a page load */
  nav: 30_000 * SCALE,
  /** something the (mock) Proxmox does: clone 3 s, start 1 s, guest agent 2 s, plus the UI's 2.5 s polling */
  proxmox: 45_000 * SCALE,
};

export class StepError extends Error {}

/** Polls `probe` until it returns a truthy value; else throws "<what>: <last seen>". */
export async function waitUntil(probe, { what, timeout = T.ui, interval = 150 }) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const r = await probe();
      if (r?.ok ?? r) return r;
      last = r?.seen ?? r;
    } catch (err) {
      last = `error: ${err.message.split('\n')[0]}`;
    }
    if (Date.now() > deadline) throw new Error(`${what} — not within ${Math.round(timeout / 1000)} s${last !== undefined ? ` (last seen: ${fmt(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the first element of `locator` is visible and its text matches `re`; returns the text. */
export async function expectText(locator, re, what, timeout = T.ui) {
  const r = await waitUntil(
    async () => {
      const first = locator.first();
      if (!(await first.isVisible())) return { ok: false, seen: '(not visible)' };
      const text = norm(await first.innerText());
      return { ok: re.test(text), seen: text, text };
    },
    { what: `${what}: expected text ${re}`, timeout },
  );
  return r.text;
}

export async function expectVisible(locator, what, timeout = T.ui) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`${what}: not visible within ${Math.round(timeout / 1000)} s`);
  }
}

export async function expectHidden(locator, what, timeout = T.ui) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch {
    throw new Error(`${what}: still visible after ${Math.round(timeout / 1000)} s`);
  }
}

export function norm(text) {
  return String(text ?? '').replace(/\s+/g, ' ').trim();
}

function fmt(v) {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/**
 * One WordPress version's run: screenshots into `dir` (emptied first), tests counted, problems listed,
 * and every page watched. Pages are created through `login` (or `newUserPage`) so nothing escapes the watch.
 */
export class Run {
  constructor({ browser, baseUrl, version, dir, root, log = console.log }) {
    Object.assign(this, { browser, baseUrl, version, dir, root, log });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    this.shotNo = 0;
    this.passed = 0;
    this.failed = 0;
    this.problems = [];
    this.current = '(setup)';
    /** console errors that a step announced (e.g. the browser's "Failed to load resource" for a refused request) */
    this.allowed = [];
    /** console errors and page errors: { who, where, kind, text, url } */
    this.jsErrors = [];
    this.ignored = [];
    this.contexts = [];
    /** controls without an accessible name, by where they are: { who, where, path, text } */
    this.unnamed = new Map();
    this.namesChecked = { snapshots: 0, controls: 0 };
  }

  /** A test: its steps run in order; the first failing step fails it. Returns whether it passed. */
  async test(title, fn) {
    this.log(`\n  ${title}`);
    const t0 = performance.now();
    try {
      await fn();
      this.passed++;
      this.log(`  ✔ ${title} (${secs(t0)})`);
      return true;
    } catch (err) {
      this.failed++;
      const msg = err instanceof StepError ? err.message : `${title}: ${err.stack ?? err}`;
      this.problems.push(`WordPress ${this.version}: ${msg}`);
      this.log(`  ✘ ${title} (${secs(t0)})\n      ${msg.replace(/\n/g, '\n      ')}`);
      return false;
    }
  }

  /** A test that is not run because an earlier one it needs failed. */
  skip(title, because) {
    this.failed++;
    const msg = `${title}: not run, because ${because} failed`;
    this.problems.push(`WordPress ${this.version}: ${msg}`);
    this.log(`\n  ✘ ${msg}`);
  }

  /** A step: on success a screenshot `NN-name.png` of `page`; on failure `NN-name-FAILED.png` and a StepError naming both. */
  async step(page, name, fn) {
    this.current = name;
    const t0 = performance.now();
    try {
      const result = await fn();
      await this.checkNames(page);
      const shot = await this.screenshot(page, name);
      this.log(`    ✓ ${name} (${secs(t0)})${shot ? `  ${shot}` : ''}`);
      return result;
    } catch (err) {
      const shot = await this.screenshot(page, `${name}-FAILED`);
      const where = page ? ` [${page.__sppWho ?? 'page'} at ${safeUrl(page)}]` : '';
      throw new StepError(`step "${name}" failed${where}: ${err.message.split('\n').slice(0, 6).join('\n')}${shot ? `\n(screenshot ${shot})` : ''}`);
    }
  }

  /**
   * Records every control of the plugin's UI (the portal's and the admin app's roots and any open dialog)
   * that has no accessible name, as the browser's accessibility tree computes it.
   */
  async checkNames(page) {
    if (!page || page.isClosed()) return;
    const roots = [
      ['portal', page.locator('[data-spp-portal]')],
      ['admin page', page.locator('#spp-admin-root')],
      ['dialog', page.locator('.components-modal__screen-overlay')],
    ];
    for (const [label, root] of roots) {
      for (const el of await root.all()) {
        let tree;
        try {
          tree = await el.ariaSnapshotJSON({ timeout: T.ui });
        } catch {
          continue; // gone meanwhile
        }
        this.namesChecked.snapshots++;
        walk(tree, [label], (path, node, named) => {
          if (named) {
            this.namesChecked.controls++;
            return;
          }
          const key = `${path.join(' > ')} > ${node.role}`;
          if (!this.unnamed.has(key)) this.unnamed.set(key, { who: page.__sppWho, where: this.current, path: key, text: node.text ?? '' });
        });
      }
    }
  }

  async screenshot(page, name) {
    if (!page || page.isClosed()) return null;
    const file = join(this.dir, `${String(++this.shotNo).padStart(2, '0')}-${name}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: T.ui, animations: 'disabled' });
      return relative(this.root, file);
    } catch (err) {
      this.log(`      (screenshot ${name} failed: ${err.message.split('\n')[0]})`);
      return null;
    }
  }

  /** Runs `fn` while console errors matching `re` are expected (at most `max` of them), e.g. a refused request. */
  async allowingConsole(re, fn, max = 1) {
    const entry = { re, left: max };
    this.allowed.push(entry);
    try {
      return await fn();
    } finally {
      this.allowed.splice(this.allowed.indexOf(entry), 1);
    }
  }

  /**
   * Logs `who` in on `page` (from newUserPage) through wp-login.php and goes straight on to `next` (a
   * path of the site). Subscribers would otherwise land on profile.php, whose core script (user-profile.js
   * of WordPress 6.8) throws on leaving the page — an error that is not the portal's.
   */
  async login(page, who, password, next) {
    await page.goto(`/wp-login.php?redirect_to=${encodeURIComponent(this.baseUrl + next)}`);
    await page.getByLabel('Username or Email Address').fill(who);
    await page.getByLabel('Password', { exact: true }).fill(password);
    const target = new URL(this.baseUrl + next);
    await Promise.all([
      page.waitForURL((u) => u.pathname === target.pathname && u.search === target.search, { timeout: T.nav }),
      page.getByRole('button', { name: 'Log In' }).click(),
    ]);
    return page;
  }

  async newUserPage(who) {
    const context = await this.browser.newContext({
      baseURL: this.baseUrl,
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(T.ui);
    context.setDefaultNavigationTimeout(T.nav);
    this.contexts.push(context);
    const page = await context.newPage();
    page.__sppWho = who;
    page.on('pageerror', (err) => {
      this.jsErrors.push({ who, where: this.current, kind: 'uncaught error', text: String(err?.stack ?? err), url: safeUrl(page) });
    });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const url = msg.location()?.url ?? '';
      const allowance = this.allowed.find((a) => a.left > 0 && a.re.test(text));
      if (allowance) {
        allowance.left--;
        this.ignored.push({ who, where: this.current, text, url });
        return;
      }
      this.jsErrors.push({ who, where: this.current, kind: 'console error', text, url: url || safeUrl(page) });
    });
    return page;
  }

  async closeContexts() {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => {});
  }
}

/** Roles that must carry an accessible name (WAI-ARIA: name required, or a control one operates). */
const NAMED_ROLES = new Set([
  'button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'spinbutton', 'slider', 'switch',
  'tab', 'tabpanel', 'menuitem', 'dialog', 'alertdialog', 'meter', 'progressbar', 'img', 'radiogroup', 'tree', 'grid',
]);

function walk(nodes, path, report) {
  for (const node of Array.isArray(nodes) ? nodes : [nodes]) {
    if (!node || typeof node !== 'object' || node.role === 'text') continue;
    if (NAMED_ROLES.has(node.role)) report(path, node, String(node.name ?? '').trim() !== '');
    const here = node.name ? `${node.role} "${String(node.name).slice(0, 40)}"` : node.role;
    if (node.children) walk(node.children, [...path, here], report);
  }
}

function safeUrl(page) {
  try {
    return page.url();
  } catch {
    return '?';
  }
}

function secs(t0) {
  return `${((performance.now() - t0) / 1000).toFixed(1)} s`;
}
