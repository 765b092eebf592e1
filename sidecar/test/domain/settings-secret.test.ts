/**
 * The API token secret goes only where it was entered for. A holder of "Manage Proxmox settings" who is
 * not a WordPress administrator must not be able to send the stored secret to a host of their choice:
 * changing the base URL, token id or TLS trust needs the secret again in the same request, and a seal
 * whose destination was changed behind the API does not open.
 */
import { join } from 'node:path';
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { SettingsService } from '../../src/domain/settings';
import { SettingsRepo } from '../../src/repositories/settings-repo';
import { SecretBox } from '../../src/domain/secret-box';
import { writeTx } from '../../src/db/open';
import { Simulator, startSimulator } from '../../simulator';

let legit: Simulator;
let attacker: Simulator;
let h: Harness;
let admin: TestUser;
let ops: TestUser;

beforeAll(async () => {
  [legit, attacker] = await Promise.all([startSimulator({ unauthorizedDelayMs: 0 }), startSimulator({ unauthorizedDelayMs: 0 })]);
});
afterAll(async () => {
  await Promise.all([legit.close(), attacker.close()]);
});
beforeEach(async () => {
  h = await Harness.start({ httpProxmox: { timeoutMs: 1_000, retryDelaysMs: [] } });
  admin = h.user(1, 'admin', ALL_RIGHTS);
  ops = h.user(2, 'ops', ['portal.view', 'settings.manage']); // not a WordPress administrator
  const put = await h.call(admin, 'PUT', '/v1/settings', { mode: 'http', baseUrl: legit.url, tokenId: legit.token.id, tokenSecret: legit.token.secret, node: legit.node, tlsFingerprintSha256: legit.certFingerprint256 });
  expect(put.status).toBe(200);
  expect((await h.call(admin, 'POST', '/v1/settings/test')).body).toMatchObject({ ok: true });
});
afterEach(() => h.stop());

/** Every way to change where the secret goes, alone and as the attack of the report (host and pin together). */
const MOVES: Array<[string, () => Record<string, string>]> = [
  ['base URL and pin to their host', () => ({ baseUrl: attacker.url, tlsFingerprintSha256: attacker.certFingerprint256 })],
  ['base URL and CA of their host', () => ({ baseUrl: attacker.url, tlsFingerprintSha256: '', tlsCaPem: attacker.caPem })],
  ['base URL only', () => ({ baseUrl: attacker.url })],
  ['token id', () => ({ tokenId: 'spp@pve!other' })],
  ['pin only', () => ({ tlsFingerprintSha256: attacker.certFingerprint256 })],
  ['CA only', () => ({ tlsCaPem: attacker.caPem })],
];

test.each(MOVES)('changing the %s without the secret is refused; nothing changes and the secret never leaves', async (_what, move) => {
  const before = h.portal.settings.view();
  const put = await h.call(ops, 'PUT', '/v1/settings', move());
  expect(put.status).toBe(400);
  expect(Object.keys(put.body.data.params)).toEqual(['tokenSecret']);
  expect(h.portal.settings.view()).toEqual(before);
  const refusal = h.auditRows().filter((r) => r.action === 'settings.update').at(-1);
  expect(refusal).toMatchObject({ result: 'refused', status: 400, actor_id: ops.id });
  // Neither the admin's Test connection nor the background reconcile reaches another host.
  expect((await h.call(ops, 'POST', '/v1/settings/test')).body).toMatchObject({ ok: true });
  await h.sidecar.services.reconciler.run();
  expect(attacker.connections().accepted + attacker.connections().refusedHandshakes).toBe(0);
});

test('with the secret in the same request the destination changes, and only that secret is sent there', async () => {
  const put = await h.call(ops, 'PUT', '/v1/settings', { baseUrl: attacker.url, tlsFingerprintSha256: attacker.certFingerprint256, tokenId: attacker.token.id, tokenSecret: attacker.token.secret });
  expect(put.body).toMatchObject({ baseUrl: attacker.url, tokenSecretSet: true });
  expect((await h.call(ops, 'POST', '/v1/settings/test')).body).toMatchObject({ ok: true });
  expect(attacker.requests().every((r) => r.tokenId === attacker.token.id)).toBe(true);
});

test('settings that do not move the secret keep it', async () => {
  const put = await h.call(ops, 'PUT', '/v1/settings', { node: legit.node, defaultUserRamLimitMb: 4096, globalRamLimitMb: 65536, mode: 'http' });
  expect(put.body).toMatchObject({ tokenSecretSet: true, defaultUserRamLimitMb: 4096 });
  expect(h.portal.settings.tokenSecret()).toBe(legit.token.secret);
});

function freshService(): SettingsService {
  return new SettingsService(h.portal.db, new SettingsRepo(h.portal.db), SecretBox.fromKeyFile(join(h.dir, 'settings.key')), h.portal.audit);
}

test('a destination changed behind the API (in the database) leaves the sealed secret unusable', async () => {
  const repo = new SettingsRepo(h.portal.db);
  writeTx(h.portal.db, () => {
    repo.set('baseUrl', JSON.stringify(attacker.url));
    repo.set('tlsFingerprintSha256', JSON.stringify(attacker.certFingerprint256));
  });
  const tampered = freshService();
  expect(tampered.tokenSecret()).toBe('');
  expect(tampered.view().tokenSecretSet).toBe(false);
  writeTx(h.portal.db, () => {
    repo.set('baseUrl', JSON.stringify(`${legit.url}/`)); // the same origin, spelt otherwise
    repo.set('tlsFingerprintSha256', JSON.stringify(legit.certFingerprint256.replace(/:/g, '').toLowerCase()));
  });
  expect(freshService().tokenSecret()).toBe(legit.token.secret);
});

test('a secret stored before seals were bound is bound at start to the destination it is used with', () => {
  const box = SecretBox.fromKeyFile(join(h.dir, 'settings.key'));
  const repo = new SettingsRepo(h.portal.db);
  writeTx(h.portal.db, () => repo.set('tokenSecretSealed', box.seal(legit.token.secret)));
  const upgraded = freshService();
  upgraded.bindLegacySecret();
  const stored = repo.all().get('tokenSecretSealed') ?? '';
  expect(stored.startsWith('v2:')).toBe(true);
  expect(upgraded.tokenSecret()).toBe(legit.token.secret);
  writeTx(h.portal.db, () => repo.set('tokenId', JSON.stringify('spp@pve!elsewhere')));
  expect(freshService().tokenSecret()).toBe('');
});
