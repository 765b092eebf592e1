/** Sharing does not tell who exists, nor who may open the portal: one answer for "cannot share with this person". */
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';

let h: Harness;
let alice: TestUser;
let id: number;
beforeAll(async () => {
  h = await Harness.start();
  alice = h.user(7, 'alice', ALL_RIGHTS.filter((r) => r !== 'deployments.manage_all'));
  h.user(8, 'bob', ['portal.view']);
  h.user(9, 'carol', []); // exists, may not open the portal
  const c = await h.call(alice, 'POST', '/v1/deployments', { templateId: 3, name: 'private', ttlHours: 1 });
  id = c.body.id;
  await h.idle();
});
afterAll(() => h.stop());

test('an unknown login, an unknown address and a user without the portal get the same answer', async () => {
  const answers = [];
  for (const user of ['nobody', 'nobody@example.com', 'carol', 'carol@example.com']) {
    const r = await h.call(alice, 'POST', `/v1/deployments/${id}/shares`, { user });
    answers.push(`${r.status} ${r.text}`);
  }
  expect(new Set(answers).size).toBe(1);
  expect(answers[0]).toMatch(/^400 /);
  expect(answers[0]).not.toMatch(/carol|View the portal/);
  expect((await h.call(alice, 'POST', `/v1/deployments/${id}/shares`, { user: 'bob@example.com' })).status).toBe(201);
  expect(h.portal.shares.list(id).map((s) => s.userId)).toEqual([8]);
});
