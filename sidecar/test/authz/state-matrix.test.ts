/**
 * The state matrix, generated like the authorization matrix: every deployment action × every status a
 * caller can see × idle or busy (a Proxmox action under way) × the caller's relation (owner, shared with,
 * manager of all). For each case the `can` the sidecar sends must say exactly what the route then does:
 * `true` — the action goes through; `false` — a refusal (403, 409) that changes nothing.
 */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS, Right, STATUSES, Status } from '@spp/contract';

const LINUX = 3;
const ACTIONS = {
  start: { method: 'POST', path: (id: number) => `/v1/deployments/${id}/start`, body: undefined },
  stop: { method: 'POST', path: (id: number) => `/v1/deployments/${id}/stop`, body: undefined },
  prolong: { method: 'POST', path: (id: number) => `/v1/deployments/${id}/prolong`, body: { ttlHours: 1 } },
  refreshIps: { method: 'POST', path: (id: number) => `/v1/deployments/${id}/refresh-ips`, body: undefined },
  delete: { method: 'DELETE', path: (id: number) => `/v1/deployments/${id}`, body: undefined },
  share: { method: 'POST', path: (id: number) => `/v1/deployments/${id}/shares`, body: { user: 'dana' } },
} as const;
type Action = keyof typeof ACTIONS;

const VISIBLE: Status[] = STATUSES.filter((s) => s !== 'DELETED');
const RELATIONS = ['owner', 'shared', 'manager'] as const;
const CASES = (Object.keys(ACTIONS) as Action[]).flatMap((action) =>
  VISIBLE.flatMap((status) => [false, true].flatMap((busy) => RELATIONS.map((relation) => ({ action, status, busy, relation })))),
);

let h: Harness;
let olga: TestUser;
const callers: Record<(typeof RELATIONS)[number], () => TestUser> = { owner: () => olga, shared: () => sam, manager: () => mia };
let sam: TestUser;
let mia: TestUser;
let n = 0;

beforeAll(async () => {
  h = await Harness.start();
  const everyone: Right[] = ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all');
  olga = h.user(2, 'olga', everyone);
  sam = h.user(3, 'sam', everyone);
  mia = h.user(4, 'mia', ['portal.view', 'deployments.manage_all']);
  h.user(5, 'dana', ['portal.view']);
  expect((await h.call(h.user(1, 'admin', ALL_RIGHTS), 'PUT', '/v1/settings', { defaultUserRamLimitMb: 0 })).status).toBe(200);
});
afterAll(() => h.stop());

/** A deployment of olga's, shared with sam, forced into the case's state (its VM in the matching power state). */
async function deploymentIn(status: Status, busy: boolean): Promise<number> {
  const c = await h.call(olga, 'POST', '/v1/deployments', { templateId: LINUX, name: `state-${++n}`, ttlHours: 4 });
  expect(c.status).toBe(201);
  await h.idle();
  const id = c.body.id as number;
  expect((await h.call(olga, 'POST', `/v1/deployments/${id}/shares`, { user: 'sam' })).status).toBe(201);
  if (status === 'RUNNING') expect((await h.call(olga, 'POST', `/v1/deployments/${id}/start`)).status).toBe(200);
  await h.idle();
  h.portal.db
    .prepare('UPDATE deployments SET status = ?, pending_action = ?, vm_stopped = ? WHERE id = ?')
    .run(status, busy ? 'stop' : null, status === 'RUNNING' ? 0 : 1, id);
  return id;
}

const snapshot = (id: number) => {
  const { updatedAt: _u, ...rest } = h.portal.deployments.get(id) as NonNullable<ReturnType<typeof h.portal.deployments.get>>;
  return { row: rest, shares: h.portal.shares.list(id).map((s) => s.userId) };
};

test.each(CASES)('$action on $status (busy: $busy) as $relation', async ({ action, status, busy, relation }) => {
  const id = await deploymentIn(status, busy);
  const caller = callers[relation]();
  const seen = await h.call(caller, 'GET', `/v1/deployments/${id}`);
  expect(seen.status).toBe(200);
  const allowed = seen.body.can[action] as boolean;
  const before = snapshot(id);
  const { method, path, body } = ACTIONS[action];
  const answer = await h.call(caller, method, path(id), body);
  await h.idle();
  if (allowed) {
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: expect.any(Number) });
    expect([200, 201]).toContain(answer.status);
  } else {
    expect([403, 409]).toContain(answer.status);
    expect(snapshot(id)).toEqual(before);
  }
});
