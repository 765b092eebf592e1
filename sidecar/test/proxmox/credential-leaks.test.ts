/**
 * The token secret never reaches an answer, an audit row, a deployment's lastError or a log line, whichever
 * error source carries it: Proxmox's reason phrase, its error body, a task's exit status and log, an error
 * from building the request, a token id Proxmox would not have made. Each source is planted with the secret.
 */
import { Harness, TestUser } from '../support/harness';
import { simulatorClient } from '../support/simulator-client';
import { ALL_RIGHTS } from '@spp/contract';
import { ProxmoxError } from '../../src/proxmox/client';
import { redactCredentials } from '../../src/proxmox/credentials';
import type { Logger } from '../../src/logger';
import { jsonLogger } from '../../src/logger';
import { Fault, Simulator, startSimulator } from '../../simulator';

const LINUX = 3;
let sim: Simulator;
let h: Harness;
let admin: TestUser;
const lines: string[] = [];
const log: Logger = jsonLogger((l) => lines.push(l));

beforeAll(async () => {
  sim = await startSimulator({ version: '9.1', unauthorizedDelayMs: 0, timings: { cloneMs: 10, startMs: 5, stopMs: 5, shutdownMs: 5, deleteMs: 5, configMs: 2, agentDelayMs: 0 }, serializeCloneLocks: true });
  h = await Harness.start({ log, httpProxmox: { timeoutMs: 1_000, retryDelaysMs: [], taskPollMs: 5 } });
  admin = h.user(1, 'admin', ALL_RIGHTS);
  expect((await h.call(admin, 'PUT', '/v1/settings', { mode: 'http', baseUrl: sim.url, tokenId: sim.token.id, tokenSecret: sim.token.secret, node: sim.node, tlsCaPem: sim.caPem, defaultUserRamLimitMb: 0 })).status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await sim.close();
});

const header = () => `PVEAPIToken=${sim.token.id}=${sim.token.secret}`;
/** Every place a secret could end up that someone other than the sidecar reads. */
function leaks(answers: string[]): string[] {
  const places = [...answers.map((a) => `answer: ${a}`), ...h.auditRows().map((r) => `audit: ${JSON.stringify(r)}`), ...lines.map((l) => `log: ${l}`)];
  for (const d of h.portal.deployments.list({ id: 1, manageAll: true } as never, { statuses: [], search: '', limit: 1000, offset: 0 }).rows) places.push(`lastError: ${d.lastError ?? ''}`);
  return places.filter((p) => p.includes(sim.token.secret));
}

const SOURCES: Array<[string, () => Fault]> = [
  ['the reason phrase (and 9.1 body) of a start', () => ({ method: 'POST', path: /\/status\/start$/, status: 500, message: `start refused for ${header()}` })],
  ['the bare secret in the reason phrase', () => ({ method: 'POST', path: /\/status\/start$/, status: 500, message: `bad token secret ${sim.token.secret}` })],
  ['a task exit status', () => ({ method: 'POST', path: /\/status\/start$/, taskExit: `TASK ERROR: auth ${header()}` })],
];

test.each(SOURCES)('planted in %s, it appears nowhere', async (_where, fault) => {
  const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: LINUX, name: `leak-${h.now++}`, ttlHours: 1 });
  await h.idle();
  sim.inject(fault());
  const start = await h.call(admin, 'POST', `/v1/deployments/${c.body.id}/start`);
  expect(start.status).toBe(502);
  expect(start.text).toMatch(/redacted/);
  const test = await h.call(admin, 'POST', '/v1/settings/test');
  await h.sidecar.services.reconciler.run();
  expect(leaks([start.text, test.text])).toEqual([]);
});

test('an error from building the request (a secret no header can carry) does not quote it', async () => {
  for (const secret of [`${sim.token.secret}\u0000`, `${sim.token.secret}\r\nX: 1`, `a ${sim.token.secret}`]) {
    let err: unknown;
    try {
      await simulatorClient(sim, { tokenSecret: secret }).version();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProxmoxError);
    expect((err as ProxmoxError).kind).toBe('not_configured');
    expect((err as Error).message).not.toContain(sim.token.secret);
  }
});

test('token ids Proxmox would not make are refused at the settings (control characters first)', async () => {
  for (const tokenId of ['spp@pve\u0000!portal', 'spp\u0007@pve!portal', 'spp@pve!por tal', 'spp@p/ve!portal', 'a@b!c', `${'u'.repeat(130)}@pve!portal`]) {
    const put = await h.call(admin, 'PUT', '/v1/settings', { tokenId, tokenSecret: sim.token.secret });
    expect([tokenId, put.status, Object.keys(put.body.data?.params ?? {})]).toEqual([tokenId, 400, ['tokenId']]);
  }
  expect(h.portal.settings.view().tokenId).toBe(sim.token.id);
});

test('the redaction step', () => {
  expect(redactCredentials('Invalid header "PVEAPIToken=spp@pve\u0000!portal=3f6c-aa", x')).toBe('Invalid header "PVEAPIToken=[redacted]", x');
  expect(redactCredentials('authorization: PVEAPIToken spp@pve!portal=3f6c')).toBe('authorization: PVEAPIToken=[redacted]');
  expect(redactCredentials('nothing here')).toBe('nothing here');
});

test('a CA field longer than allowed is refused by its length, with no pattern run over it', async () => {
  // Beginnings without an end: a backtracking pattern over this was quadratic (seconds per request).
  // About 190 KB: over the field's 64 KB, under the route's 256 KB body limit, so the field check is what refuses it.
  const huge = '-----BEGIN CERTIFICATE-----'.repeat(7_000);
  const put = await h.call(admin, 'PUT', '/v1/settings', { tlsCaPem: huge, tokenSecret: sim.token.secret });
  expect(put.status).toBe(400);
  expect(Object.keys(put.body.data.params)).toEqual(['tlsCaPem']);
});
