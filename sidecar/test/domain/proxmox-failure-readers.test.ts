/**
 * A Proxmox failure in two readings (issue 9, item 11): whoever manages the settings reads the detail
 * (host, port, codes, what to fix), everyone else a sentence that says what to do. Generated: every kind
 * of failure × every surface that carries one (an action's 502, the deployment's lastError after a user
 * action, after provisioning, after the expiry stop) × both readers; the audit row keeps the detail.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { ProxmoxError, ProxmoxErrorKind } from '../../src/proxmox/client';
import { whatToDo } from '../../src/domain/proxmox-failure';

const KINDS: ProxmoxErrorKind[] = ['unauthorized', 'forbidden', 'not_found', 'already_exists', 'locked', 'timeout', 'tls', 'unreachable', 'task_failed', 'not_configured', 'failed'];
/** What the client puts in its messages (see proxmox/http): where Proxmox is, and the low-level codes. */
const INTERNALS = ['pve-internal.example', '8006', 'ECONNREFUSED', 'HTTP 596', '10.20.30.40'];
const planted = (kind: ProxmoxErrorKind) => new ProxmoxError(kind, `POST https://pve-internal.example:8006/api2/json/x failed: ECONNREFUSED 10.20.30.40 (HTTP 596)`);
const slug = (kind: string) => kind.replace(/_/g, '-');
const LINUX = 3;
const HOUR = 3_600_000;

let h: Harness;
let admin: TestUser;
let support: TestUser;
beforeAll(async () => {
  h = await Harness.start();
  admin = h.user(1, 'admin', ALL_RIGHTS);
  support = h.user(7, 'support', ALL_RIGHTS.filter((r) => r !== 'settings.manage'));
  expect((await h.call(admin, 'PUT', '/v1/settings', { defaultUserRamLimitMb: 0, globalRamLimitMb: 0 })).status).toBe(200); // 0: no limit
});
afterAll(() => h.stop());
afterEach(() => h.sidecar.mock.clearFaults());

/** The failure on every call of the operation until the case ends (retries and fallbacks meet it too). */
function failAlways(operation: 'start' | 'clone' | 'shutdown' | 'stop', kind: ProxmoxErrorKind): void {
  for (let i = 0; i < 10; i++) h.sidecar.mock.failNext(operation, planted(kind));
}

function expectPlain(text: string, kind: ProxmoxErrorKind): void {
  for (const internal of INTERNALS) expect(text).not.toContain(internal);
  expect(text).toContain(whatToDo(kind));
}

function expectDetail(text: string): void {
  expect(text).toContain('pve-internal.example:8006');
}

async function lastErrors(id: number): Promise<{ admin: string; support: string }> {
  const [a, s] = await Promise.all([h.call(admin, 'GET', `/v1/deployments/${id}`), h.call(support, 'GET', `/v1/deployments/${id}`)]);
  return { admin: a.body.lastError, support: s.body.lastError };
}

async function stopped(name: string): Promise<number> {
  const c = await h.call(support, 'POST', '/v1/deployments', { templateId: LINUX, name, ttlHours: 2 });
  expect(c.status).toBe(201);
  await h.idle();
  return c.body.id;
}

function auditDetail(id: number, action: string): string {
  const row = h.auditRows().filter((r) => r.deployment_id === id && r.action === action).pop();
  return row?.details ?? '';
}

describe.each(KINDS)('a %s failure', (kind) => {
  test('of an action: the 502 and lastError are plain for support, detailed for the settings manager; the audit keeps the detail', async () => {
    const id = await stopped(`start-${slug(kind)}`);
    failAlways('start', kind);
    const asSupport = await h.call(support, 'POST', `/v1/deployments/${id}/start`);
    expect(asSupport.status).toBe(502);
    expect(asSupport.body.data.proxmox).toBe(kind);
    expectPlain(asSupport.body.message, kind);
    const seen = await lastErrors(id);
    expectPlain(seen.support, kind);
    expectDetail(seen.admin);
    expectDetail(auditDetail(id, 'deployment.start'));

    const asAdmin = await h.call(admin, 'POST', `/v1/deployments/${id}/start`);
    expect(asAdmin.status).toBe(502);
    expectDetail(asAdmin.body.message);
  });

  test('while provisioning: the FAILED deployment tells each reader their way', async () => {
    failAlways('clone', kind);
    const c = await h.call(support, 'POST', '/v1/deployments', { templateId: LINUX, name: `clone-${slug(kind)}`, ttlHours: 2 });
    await h.idle();
    const seen = await lastErrors(c.body.id);
    if (kind === 'already_exists') {
      // Taken VMIDs are retried with the next one; what is left to say is the portal's own sentence.
      expect(seen.admin).toMatch(/^no free VMID found after \d+ attempts/);
      expect(seen.support).toBe(whatToDo(kind));
      return;
    }
    expectPlain(seen.support, kind);
    expectDetail(seen.admin);
    expectDetail(auditDetail(c.body.id, 'deployment.provision'));
  });

  test('of the expiry stop: lastError, and the prolong that needs the stop', async () => {
    const id = await stopped(`expiry-${slug(kind)}`);
    expect((await h.call(support, 'POST', `/v1/deployments/${id}/start`)).status).toBe(200);
    await h.idle();
    h.advance(2 * HOUR + 1);
    failAlways('shutdown', kind);
    failAlways('stop', kind);
    await h.sidecar.services.expiry.sweep();
    const seen = await lastErrors(id);
    expectPlain(seen.support, kind);
    expectDetail(seen.admin);
    const prolong = await h.call(support, 'POST', `/v1/deployments/${id}/prolong`, { ttlHours: 1 });
    expect(prolong.status).toBe(502);
    expectPlain(prolong.body.message, kind);
    expectDetail(auditDetail(id, 'deployment.prolong'));
    h.sidecar.mock.clearFaults();
    await h.sidecar.services.expiry.sweep(); // stopped now, so later sweeps meet only their own case
    expect(await lastErrors(id)).toEqual({ admin: null, support: null });
  });
});

test('a lastError written before the two readings existed shows the detail to the settings manager only', async () => {
  const id = await stopped('legacy');
  h.portal.db.prepare("UPDATE deployments SET last_error = 'old detail at pve-internal.example:8006', last_error_detail = NULL WHERE id = ?").run(id);
  // Migration 4 moved such texts into last_error_detail; what it leaves for everyone names nothing internal.
  const { MIGRATIONS } = await import('../../src/db/migrations');
  const v4 = MIGRATIONS.find((m) => m.version === 4)!.sql;
  h.portal.db.exec(v4.replace(/ALTER TABLE[^;]*;/, ''));
  const seen = await lastErrors(id);
  expectDetail(seen.admin);
  for (const internal of INTERNALS) expect(seen.support).not.toContain(internal);
});
