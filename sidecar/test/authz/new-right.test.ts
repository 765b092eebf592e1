/**
 * A right added in one file reaches the sidecar without a further edit: a fixture puts one more right
 * into the contract's list (contract/src/rights-list.ts) and a sidecar loaded with it knows the right
 * everywhere rights are decided or shown: GET /me's catalog (which the wp-admin editor renders, see
 * blocks/test/admin.test.tsx), the rights a manager may grant, the bootstrap's "every right", and the
 * holder's own rights. (The authorization matrix iterates the same list.)
 */
import type { Harness as HarnessType } from '../support/harness';

const SNAPSHOT = { slug: 'deployments.snapshot', label: 'Take snapshots', description: 'Take and restore snapshots of a deployment.' };

let h: HarnessType;
beforeAll(async () => {
  const listFile = require.resolve('@spp/contract/dist/rights-list');
  const actual = jest.requireActual<{ RIGHTS: readonly object[] }>(listFile);
  jest.doMock(listFile, () => ({ RIGHTS: [...actual.RIGHTS, SNAPSHOT] }));
  let harness: typeof import('../support/harness') | undefined;
  jest.isolateModules(() => {
    harness = require('../support/harness') as typeof import('../support/harness');
  });
  h = await harness!.Harness.start();
});
afterAll(() => h.stop());

test('the catalog, granting, the bootstrap and the holder all know the new right', async () => {
  const boss = h.user(1, 'boss', [], ['manage_options']); // nobody holds rights.manage yet: the bootstrap
  const me = (await h.call(boss, 'GET', '/v1/me')).body;
  expect(me.catalog.rights).toContainEqual(SNAPSHOT);
  expect(me.rights).toContain(SNAPSHOT.slug);

  const alice = h.user(7, 'alice', ['portal.view']);
  const grant = await h.call(boss, 'PUT', '/v1/users/7', { rights: ['portal.view', SNAPSHOT.slug], ramLimitMb: null });
  expect(grant.status).toBe(200);
  expect([...grant.body.rights].sort()).toEqual([SNAPSHOT.slug, 'portal.view']);
  expect([...(await h.call(alice, 'GET', '/v1/me')).body.rights].sort()).toEqual([SNAPSHOT.slug, 'portal.view']);

  const unknown = await h.call(boss, 'PUT', '/v1/users/7', { rights: ['deployments.bogus'], ramLimitMb: null });
  expect(unknown.status).toBe(400);
  expect(JSON.stringify(unknown.body.data.params)).toContain(SNAPSHOT.slug); // the refusal lists the rights there are
});
