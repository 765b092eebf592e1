/**
 * SPP_PROXMOX_HOSTS: the operator's list of Proxmox hosts. The settings cannot name another host, and a
 * host changed behind the API gets no client, so the portal never connects there (no probing either).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { simulatorClient } from '../support/simulator-client';
import { createTls } from '../../simulator/x509';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostAllowList } from '../../src/proxmox/host-allow-list';
import { loadConfig } from '../../src/config';
import { Harness } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { SettingsRepo } from '../../src/repositories/settings-repo';
import { writeTx } from '../../src/db/open';
import { Simulator, startSimulator } from '../../simulator';
import type { SettingsService } from '../../src/domain/settings';
import { ProxmoxConnection } from '../../src/domain/proxmox-connection';

const list = HostAllowList.parse('pve1.example.com, pve2.example.com:8006, *.lab.example.com, 10.0.0.5, [fd00::5]:8006') as HostAllowList;

test.each<[string, boolean]>([
  ['https://pve1.example.com:8006', true],
  ['https://PVE1.example.com', true],
  ['https://pve2.example.com:8006', true],
  ['https://pve2.example.com:8007', false],
  ['https://a.lab.example.com:8006', true],
  ['https://a.b.lab.example.com:8006', true],
  ['https://lab.example.com:8006', false],
  ['https://evil-lab.example.com:8006', false],
  ['https://pve1.example.com.evil.net:8006', false],
  ['https://10.0.0.5:8006', true],
  ['https://10.0.0.50:8006', false],
  ['https://[fd00::5]:8006', true],
  ['https://127.0.0.1:8006', false],
  ['https://169.254.169.254', false],
  ['not a url', false],
])('%s allowed: %s', (url, allowed) => {
  expect(list.allows(url)).toBe(allowed);
});

test('unset or empty allows every host; a bad entry stops the sidecar with its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spp-allow-'));
  expect(HostAllowList.parse(undefined)).toBeNull();
  expect(HostAllowList.parse(' ')).toBeNull();
  expect(() => loadConfig({ SPP_PROXMOX_HOSTS: 'pve1, https://x', SPP_DATA_DIR: dir, SPP_SIGNING_KEYS: `k1:${'a'.repeat(64)}` }, '/tmp')).toThrow(/SPP_PROXMOX_HOSTS: 'https:\/\/x' is not host/);
  expect(loadConfig({ SPP_PROXMOX_HOSTS: 'pve1:8006', SPP_DATA_DIR: dir, SPP_SIGNING_KEYS: `k1:${'a'.repeat(64)}` }, '/tmp').proxmoxHosts?.toString()).toBe('pve1:8006');
  rmSync(dir, { recursive: true, force: true });
});

describe('with an allow-list', () => {
  let sim: Simulator;
  let other: Simulator;
  let h: Harness;
  beforeAll(async () => {
    [sim, other] = await Promise.all([startSimulator({ unauthorizedDelayMs: 0, host: '127.0.0.1' }), startSimulator({ unauthorizedDelayMs: 0, host: '127.0.0.2' })]);
    h = await Harness.start({ proxmoxHosts: HostAllowList.parse(`127.0.0.1:${new URL(sim.url).port}`) as HostAllowList, httpProxmox: { timeoutMs: 1_000, retryDelaysMs: [] } });
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([sim.close(), other.close()]);
  });

  test('the settings may name only allowed hosts; one set behind the API is never connected to', async () => {
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    const refused = await h.call(admin, 'PUT', '/v1/settings', { mode: 'http', baseUrl: other.url, tokenId: other.token.id, tokenSecret: other.token.secret, node: other.node, tlsCaPem: other.caPem });
    expect(refused.status).toBe(400);
    expect(refused.body.data.params.baseUrl).toMatch(/SPP_PROXMOX_HOSTS/);
    const ok = await h.call(admin, 'PUT', '/v1/settings', { mode: 'http', baseUrl: sim.url, tokenId: sim.token.id, tokenSecret: sim.token.secret, node: sim.node, tlsCaPem: sim.caPem });
    expect(ok.status).toBe(200);
    expect((await h.call(admin, 'POST', '/v1/settings/test')).body).toMatchObject({ ok: true });

    const repo = new SettingsRepo(h.portal.db);
    writeTx(h.portal.db, () => repo.set('baseUrl', JSON.stringify(other.url)));
    expect((await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 1024 })).status).toBe(200); // re-reads the settings
    const test = await h.call(admin, 'POST', '/v1/settings/test');
    expect(test.body).toMatchObject({ ok: false });
    await h.sidecar.services.reconciler.run().catch(() => undefined);
    expect(other.connections().accepted + other.connections().refusedHandshakes).toBe(0);
  });

  test('no client is made for a host the list does not name, whatever the settings say', () => {
    const view = { mode: 'http', baseUrl: other.url, tokenId: other.token.id, tokenSecretSet: true, node: other.node, tlsCaPem: other.caPem, tlsFingerprintSha256: '', defaultUserRamLimitMb: 0, globalRamLimitMb: 0, auditRetentionDays: 0 };
    const settings = { view: () => view, generation: () => 1, tokenSecret: () => other.token.secret } as unknown as SettingsService;
    const connection = new ProxmoxConnection(settings, h.sidecar.mock, {}, list);
    expect(() => connection.client()).toThrow(/does not allow/);
  });
});

test('a server that is not Proxmox: its status is reported, none of its texts', async () => {
  const material = createTls('web', ['127.0.0.1']);
  const server = createServer({ key: material.keyPem, cert: material.certPem }, (_req, res) => {
    res.writeHead(404, 'Internal-Wiki-Page-Title', { 'Content-Type': 'text/html' });
    res.end('<html>internal admin panel of 10.0.0.1</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sim = await startSimulator({ unauthorizedDelayMs: 0 }); // only for a token to send
  const px = simulatorClient(sim, { baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, trust: { caPem: material.caPem, fingerprintSha256: '' }, retryDelaysMs: [] });
  try {
    const err = await px.version().catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/did not answer as Proxmox VE does \(HTTP 404\)/);
    expect((err as Error).message).not.toMatch(/Wiki|admin panel|10\.0\.0\.1/);
  } finally {
    await px.close();
    await sim.close();
    server.close();
  }
});
