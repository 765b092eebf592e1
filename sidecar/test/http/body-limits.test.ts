/**
 * Per-route body limits: bodies are read before the signature check, so any logged-in user could make the
 * sidecar read and parse megabytes; only the directory sync (system actor) may send a large body.
 */
import { Harness, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS, BODY_LIMITS } from '@spp/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let h: Harness;
let alice: TestUser;
beforeAll(async () => {
  h = await Harness.start();
  alice = h.user(7, 'alice', ALL_RIGHTS);
});
afterAll(() => h.stop());

test.each([
  ['POST', '/v1/deployments'],
  ['PUT', '/v1/settings'],
  ['POST', '/v1/deployments/1/shares'],
  ['PUT', '/v1/users/7'],
  ['POST', '/v1/admin/templates'],
])('%s %s refuses a body over 256 KB before reading on, and nothing is written', async (method, path) => {
  const before = h.auditRows().length;
  const r = await h.call(alice, method, path, { name: 'x'.repeat(BODY_LIMITS.other) });
  expect(r.status).toBe(400);
  expect(r.body.data.params).toEqual({ body: 'Too large.' });
  expect(h.auditRows().length).toBe(before);
});

test('a directory sync of 20,000 users (about 2 MB) is read whole', async () => {
  const users = Array.from({ length: 20_000 }, (_, i) => ({ id: 1000 + i, login: `user${i}`, email: `user${i}@example.com`, name: `User Number ${i} of the Support Team`.padEnd(60, '.') }));
  const body = JSON.stringify({ users });
  expect(body.length).toBeGreaterThan(2 * BODY_LIMITS.other * 4);
  const r = await h.call(SYSTEM, 'POST', '/v1/directory/sync', body);
  expect(r.status).toBe(200);
});

test('WordPress forwards at most what the sidecar reads on the routes it forwards', () => {
  // The plugin's limit is generated from the contract (npm run generate:php); this reads what it got.
  const php = readFileSync(join(__dirname, '../../../plugin/includes/class-spp-contract.php'), 'utf8');
  const match = /const MAX_BODY_BYTES = (\d+);/.exec(php);
  expect(Number(match?.[1])).toBe(BODY_LIMITS.other);
});
