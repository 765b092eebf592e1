/**
 * Replay protection without a write per request: nonces live in memory, survive a clean restart in
 * their file, and after a crash the window is anchored so nothing signed before it is accepted after.
 * Reads write nothing to either database, however many.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Harness, TestUser, signedHeaders, KEY_HEX } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { NONCE_TTL_MS, ReplayGuard } from '../../src/auth/replay-guard';
import { SidecarProcess } from '../support/sidecar-process';
import { readAnswer } from '../support/harness';

const NOW = Date.parse('2026-11-23T08:00:00.400Z');
const nonce = (i: number) => i.toString(16).padStart(32, '0');

describe('the guard', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'spp-replay-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = () => join(dir, 'nonces.sqlite');

  test('a clean restart keeps the window: a replay stays refused, a fresh request passes at once', () => {
    const first = ReplayGuard.open(file(), NOW);
    expect(first.acceptsFrom).toBe(0);
    expect(first.remember(nonce(1), NOW, NOW / 1000)).toBe(true);
    first.close(NOW + 1_000);
    const second = ReplayGuard.open(file(), NOW + 2_000);
    expect(second.acceptsFrom).toBe(0);
    expect(second.remember(nonce(1), NOW + 2_000, NOW / 1000)).toMatch(/already used/);
    expect(second.remember(nonce(2), NOW + 2_000, (NOW + 2_000) / 1000)).toBe(true);
    second.close(NOW + 3_000);
  });

  test('after a crash nothing signed before the restart passes, and everything signed from the next second does', () => {
    const crashed = ReplayGuard.open(file(), NOW);
    expect(crashed.remember(nonce(1), NOW, Math.floor(NOW / 1000))).toBe(true);
    // No close(): the process died. The next start finds the shutdown unclean.
    const restarted = ReplayGuard.open(file(), NOW + 300);
    expect(restarted.acceptsFrom).toBe(Math.floor((NOW + 300) / 1000) * 1000 + 1000);
    expect(restarted.remember(nonce(1), NOW + 400, Math.floor(NOW / 1000))).toMatch(/signed before the sidecar restarted/);
    expect(restarted.remember(nonce(3), NOW + 500, Math.floor((NOW + 500) / 1000))).toMatch(/signed before the sidecar restarted/); // same second as the start
    expect(restarted.remember(nonce(4), NOW + 700, restarted.acceptsFrom / 1000)).toBe(true);
    restarted.close(NOW + 800);
    // That shutdown was clean, but what the crash closed stays closed: the anchor is kept.
    const again = ReplayGuard.open(file(), NOW + 900);
    expect(again.acceptsFrom).toBe(restarted.acceptsFrom);
    expect(again.remember(nonce(1), NOW + 1_000, Math.floor(NOW / 1000))).toMatch(/signed before the sidecar restarted/);
    again.close(NOW + 1_100);
  });

  test('nonces older than the window are forgotten, and the held count is bounded', () => {
    const guard = new ReplayGuard(new Database(':memory:'), NOW, 3);
    for (let i = 0; i < 3; i++) expect(guard.remember(nonce(i), NOW + i, NOW / 1000)).toBe(true);
    expect(guard.remember(nonce(9), NOW + 10, NOW / 1000)).toMatch(/Too many signed requests/);
    expect(guard.remember(nonce(9), NOW + NONCE_TTL_MS + 5, (NOW + NONCE_TTL_MS) / 1000)).toBe(true);
    expect(guard.size).toBe(1); // the three old ones went
  });
});

describe('the running sidecar', () => {
  test('a hundred signed reads write nothing to either database', async () => {
    const h = await Harness.start();
    try {
      const alice: TestUser = h.user(7, 'alice', ALL_RIGHTS);
      await h.call(alice, 'GET', '/v1/me'); // the first call of a user may record them in the directory
      const portalDb = new Database(join(h.dir, 'portal.sqlite'), { readonly: true });
      const noncesDb = new Database(join(h.dir, 'nonces.sqlite'), { readonly: true });
      const versions = () => [portalDb.pragma('data_version', { simple: true }), noncesDb.pragma('data_version', { simple: true })];
      const before = versions();
      for (let i = 0; i < 100; i++) {
        for (const path of ['/v1/me', '/v1/deployments', '/v1/templates', '/v1/quota']) expect((await h.call(alice, 'GET', path)).status).toBe(200);
      }
      expect(versions()).toEqual(before);
      portalDb.close();
      noncesDb.close();
    } finally {
      await h.stop();
    }
  });

  test('SIGKILL, restart: the request signed before it is refused, new ones pass once /healthz says ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spp-replay-proc-'));
    const proc = await SidecarProcess.start(dir, { SPP_RECONCILE_SECONDS: '3600' });
    try {
      const admin = { id: 1, login: 'admin', email: 'admin@example.com', name: 'Admin', caps: ['manage_options'] };
      const send = (headers: Record<string, string>) => fetch(`${proc.baseUrl}/v1/me`, { headers }).then(readAnswer);
      const captured = signedHeaders(admin, 'GET', '/v1/me', Buffer.alloc(0), Math.floor(Date.now() / 1000), 'k1', KEY_HEX);
      expect((await send(captured)).status).toBe(200);
      expect((await send(captured)).status).toBe(401); // a replay, as before
      await proc.kill();
      await proc.restart(); // waits for /healthz to answer ok
      const replayed = await send(captured);
      expect(replayed.status).toBe(401);
      expect(replayed.body.message).toMatch(/signed before the sidecar restarted|already used/);
      for (let i = 0; i < 20; i++) expect((await proc.call(admin, 'GET', '/v1/me')).status).toBe(200);
      // A clean stop keeps the window: the captured request stays refused after it too.
      await proc.stop();
      await proc.restart();
      expect((await send(captured)).status).toBe(401);
      expect((await proc.call(admin, 'GET', '/v1/me')).status).toBe(200);
    } finally {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
