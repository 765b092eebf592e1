/**
 * Who keeps access (issue 9, items 3 and 10): the bootstrap ends for good, a network's sub-site
 * administrator is no installation administrator, a user WordPress removed (or who lost their role) is
 * out at once and a signed request never brings them back, rights granted through the bootstrap last only
 * while the granter is an administrator, no rights holder disappears without an audit row, and the
 * deployments of a removed user stay until an administrator hands them over.
 */
import { Harness, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS, Right } from '@spp/contract';
import { UsersRepo } from '../../src/repositories/users-repo';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

type Actor = TestUser & { network?: boolean; member?: boolean };

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(() => h.stop());

const person = (id: number, login: string, extra: Partial<Actor> = {}): Actor => ({ id, login, email: `${login}@example.com`, name: login, caps: [], ...extra });
const me = async (a: Actor) => h.call(a, 'GET', '/v1/me');
const rightsOf = (id: number) => h.portal.users.rights(id).sort();
const grant = (by: Actor, id: number, rights: Right[]) => h.call(by, 'PUT', `/v1/users/${id}`, { rights });
const actions = (action: string) => h.auditRows().filter((r) => r.action === action);

describe('the bootstrap: who administers the installation, and that it never reopens', () => {
  test.each([
    ['a single site administrator', { caps: ['manage_options'] }, true],
    ['a single site editor', { caps: [] }, false],
    ["a network's super admin", { caps: ['manage_options', 'manage_network_options'], network: true }, true],
    ["a network's sub-site administrator", { caps: ['manage_options'], network: true }, false],
    ['a super admin without a role on this site', { caps: ['manage_options', 'manage_network_options'], network: true, member: false }, 'refused'],
    ['a single site administrator without a role (cannot be: refused)', { caps: ['manage_options'], member: false }, 'refused'],
  ] as const)('%s: bootstrap %s', async (_label, extra, expected) => {
    const r = await me(person(5, "who", { ...extra, caps: [...extra.caps] }));
    if (expected === 'refused') {
      expect(r.status).toBe(403);
      return;
    }
    expect(r.status).toBe(200);
    expect(r.body.bootstrap).toBe(expected);
    expect(r.body.rights.length).toBe(expected ? ALL_RIGHTS.length : 0);
  });

  test('ends with the first grant of Manage rights and stays ended when no holder is left', async () => {
    const admin = person(1, 'admin', { caps: ['manage_options'] });
    h.user(2, 'bob', []);
    expect((await grant(admin, 2, ['rights.manage'])).status).toBe(200);
    expect((await me(admin)).body.bootstrap).toBe(false);
    expect((await h.call(SYSTEM, 'DELETE', '/v1/directory/users/2')).status).toBe(200);
    expect(h.portal.users.countHolders('rights.manage')).toBe(0);
    const after = await me(admin);
    expect(after.body).toMatchObject({ bootstrap: false, rights: [] });
    // A restarted sidecar reads the same: the end is stored, not inferred from who holds what.
    expect(new UsersRepo(h.portal.db).bootstrapEnded()).toBe(true);
  });
});

describe('revocation, one row per way a user can lose access', () => {
  // Each row: what happens, then what must hold. Alice owns a deployment and holds rights throughout.
  const ROWS: Array<{ event: string; act: (alice: Actor) => Promise<unknown>; afterwards: Partial<Actor>; removed: boolean; refused: boolean }> = [
    { event: 'WordPress deletes her', act: () => h.call(SYSTEM, 'DELETE', '/v1/directory/users/7'), afterwards: {}, removed: true, refused: true },
    { event: 'a full sync no longer lists her', act: () => h.call(SYSTEM, 'POST', '/v1/directory/sync', { users: [{ id: 1, login: 'admin', email: '', name: '' }] }), afterwards: {}, removed: true, refused: true },
    { event: 'she signs in with no role left on the site', act: (a) => me({ ...a, member: false }), afterwards: { member: false }, removed: true, refused: true },
    { event: 'she loses her role on one site of a network', act: (a) => me({ ...a, network: true, member: false }), afterwards: { network: true, member: false }, removed: false, refused: true },
    { event: 'she changes her e-mail address (no loss)', act: (a) => me({ ...a, email: 'new@example.com' }), afterwards: { email: 'new@example.com' }, removed: false, refused: false },
  ];

  test.each(ROWS)('$event', async ({ act, afterwards, removed, refused }) => {
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    const alice: Actor = h.user(7, 'alice', ['portal.view', 'deployments.create', 'deployments.start']);
    const d = await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'hers', ttlHours: 2 });
    expect(d.status).toBe(201);
    await h.idle();

    await act(alice);
    const next = await me({ ...alice, ...afterwards });
    expect(next.status).toBe(refused ? 403 : 200);
    // A second and a later request are refused the same way: a signed request never brings her back.
    expect((await me({ ...alice, ...afterwards })).status).toBe(refused ? 403 : 200);
    expect(h.portal.users.get(7)?.deleted).toBe(removed);
    expect(rightsOf(7)).toEqual(removed ? [] : ['deployments.create', 'deployments.start', 'portal.view']);
    if (removed) {
      expect(JSON.parse(actions('directory.delete').at(-1)!.details)).toMatchObject({ login: 'alice', rights: expect.arrayContaining(['portal.view']) });
      if (!refused) throw new Error('a removed user is refused');
    }
    if (refused) expect(h.auditRows().at(-1)).toMatchObject({ actor_id: 7, result: 'refused', status: 403 });

    // Her deployment stays, marked as a removed user's, for an administrator to hand over.
    const seen = await h.call(admin, 'GET', `/v1/deployments/${d.body.id}`);
    expect(seen.body.owner).toEqual({ id: 7, login: 'alice', name: alice.name, removed });
    if (!removed) return;
    expect((await h.call(admin, 'PUT', `/v1/deployments/${d.body.id}/owner`, { userId: 7 })).status).toBe(404); // not to a removed user
    const handed = await h.call(admin, 'PUT', `/v1/deployments/${d.body.id}/owner`, { userId: 1 });
    expect(handed.status).toBe(200);
    expect(handed.body.owner).toEqual({ id: 1, login: 'admin', name: expect.any(String), removed: false });
    expect(JSON.parse(actions('deployment.hand_over').at(-1)!.details)).toMatchObject({ from: { id: 7, removed: true }, to: { id: 1 } });

    // WordPress listing her again brings her back, with no rights: they were dropped, not parked.
    expect((await h.call(SYSTEM, 'PUT', '/v1/directory/users/7', { login: 'alice', email: 'alice@example.com', name: 'alice' })).status).toBe(200);
    const back = await me({ ...alice, member: true, network: undefined });
    expect(back.status).toBe(200);
    expect(back.body.rights).toEqual([]);
  });

  test('hand-over: only for Manage all deployments, to a live user, never while busy', async () => {
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    const alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
    h.user(8, 'bob', ['portal.view']);
    const d = await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'keep', ttlHours: 2 });
    await h.idle();
    const path = `/v1/deployments/${d.body.id}/owner`;
    expect((await h.call(alice, 'PUT', path, { userId: 8 })).status).toBe(403);
    expect((await h.call(admin, 'PUT', path, { userId: 999 })).status).toBe(404);
    expect((await h.call(admin, 'PUT', path, { userId: 'bob' })).status).toBe(400);
    expect((await h.call(admin, 'PUT', path, { userId: 8, extra: 1 })).status).toBe(400);
    expect((await h.call(admin, 'PUT', `/v1/deployments/999999/owner`, { userId: 8 })).status).toBe(404);
    h.portal.deployments.update(d.body.id, h.now, { pendingAction: 'start' });
    expect((await h.call(admin, 'PUT', path, { userId: 8 })).status).toBe(409);
    h.portal.deployments.update(d.body.id, h.now, { pendingAction: null });
    expect(h.portal.deployments.get(d.body.id)?.ownerId).toBe(7); // nothing changed by any refusal
    expect((await h.call(admin, 'PUT', path, { userId: 8 })).body.owner.id).toBe(8);
  });
});

describe('rights granted through the bootstrap last while the granter is an administrator', () => {
  test.each([
    ['demoted (signs without manage_options)', async (admin: Actor) => me({ ...admin, caps: [] }), 200],
    ['deleted in WordPress', async () => h.call(SYSTEM, 'DELETE', '/v1/directory/users/1'), 403],
  ] as const)('the granter is %s: the rights they granted go, audited; rights confirmed by a holder stay', async (_label, demote, adminAfter) => {
    const admin = person(1, 'admin', { caps: ['manage_options'] });
    expect((await me(admin)).body.bootstrap).toBe(true);
    h.user(2, 'bob', []);
    h.user(3, 'carol', []);
    h.user(4, 'dave', []);
    expect((await grant(admin, 3, ['portal.view', 'deployments.create'])).status).toBe(200);
    expect((await grant(admin, 4, ['portal.view'])).status).toBe(200);
    expect((await grant(admin, 2, ['rights.manage', 'portal.view'])).status).toBe(200); // ends the bootstrap
    // Bob (a holder now, not through the bootstrap) confirms dave's rights: they are his grant from here on.
    const bob = person(2, 'bob');
    expect((await grant(bob, 4, ['portal.view', 'deployments.create'])).status).toBe(200);

    await demote(admin);
    expect(rightsOf(3)).toEqual([]);
    expect(rightsOf(2)).toEqual([]);
    expect(rightsOf(4)).toEqual(['deployments.create', 'portal.view']);
    const revoked = actions('rights.revoke_bootstrap').map((r) => JSON.parse(r.details));
    expect(revoked).toEqual(expect.arrayContaining([expect.objectContaining({ granterId: 1, rights: expect.arrayContaining(['portal.view', 'deployments.create']) }), expect.objectContaining({ granterId: 1, rights: expect.arrayContaining(['rights.manage']) })]));
    const after = await me(admin);
    expect(after.status).toBe(adminAfter);
    if (adminAfter === 200) expect(after.body).toMatchObject({ bootstrap: false, rights: [] }); // it does not reopen
  });
});

describe('npm run grant-rights: the way back in once nobody can manage rights', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(__dirname, '../../dist/src/cli/grant-rights.js'), ...args], { env: { ...process.env, SPP_DATA_DIR: h.dir }, encoding: 'utf8' });

  test('gives Manage rights to a directory user, audited; refuses unknown users and rights without a change', async () => {
    const admin = person(1, 'admin', { caps: ['manage_options'] });
    h.user(2, 'bob', ['rights.manage']); // ends the bootstrap
    h.user(3, 'carol', ['portal.view']);
    expect((await h.call(SYSTEM, 'DELETE', '/v1/directory/users/2')).status).toBe(200);
    expect((await me(admin)).body).toMatchObject({ bootstrap: false, rights: [] }); // locked out

    const before = h.auditRows().length;
    expect(run(['nobody'])).toMatchObject({ status: 1, stderr: expect.stringContaining("No user 'nobody'") });
    expect(run(['carol', 'rights.everything'])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown: rights.everything') });
    expect(run([])).toMatchObject({ status: 2 });
    expect(h.auditRows().length).toBe(before);
    expect(rightsOf(3)).toEqual(['portal.view']);

    const ok = run(['carol@example.com']);
    expect(ok).toMatchObject({ status: 0, stdout: 'carol@example.com: portal.view → portal.view, rights.manage\n' });
    expect(rightsOf(3)).toEqual(['portal.view', 'rights.manage']);
    expect(JSON.parse(actions('rights.update').at(-1)!.details)).toMatchObject({ via: 'npm run grant-rights', after: ['portal.view', 'rights.manage'] });
    expect((await h.call(person(3, 'carol'), 'GET', '/v1/users')).status).toBe(200); // carol manages rights now
  });
});
