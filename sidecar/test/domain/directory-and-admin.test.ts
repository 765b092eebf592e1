import { Harness, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';

describe('user directory, templates and settings administration', () => {
  let h: Harness;
  let admin: TestUser;
  beforeEach(async () => {
    h = await Harness.start();
    admin = h.user(1, 'admin', ALL_RIGHTS);
  });
  afterEach(() => h.stop());

  it('a user synced from WordPress can be granted rights and shared with before opening the portal', async () => {
    expect((await h.call(SYSTEM, 'PUT', '/v1/directory/users/42', { login: 'béa', email: 'bea@example.com', name: "Béa O'Neil" })).status).toBe(200);
    expect((await h.call(admin, 'PUT', '/v1/directory/users/43', { login: 'x' })).status).toBe(403);
    const users = await h.call(admin, 'GET', '/v1/users?search=b%C3%A9a');
    expect(users.body).toEqual([{ id: 42, login: 'béa', email: 'bea@example.com', name: "Béa O'Neil", ramLimitMb: null, rights: [] }]);
    expect(users.headers.get('x-wp-total')).toBe('1');
    const c = await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name: 'for-bea' });
    const refused = await h.call(admin, 'POST', `/v1/deployments/${c.body.id}/shares`, { user: 'bea@example.com' });
    expect(refused.status).toBe(400);
    expect(refused.body.data.params.user).toMatch(/whether they may open the portal/); // no more said: sharing must not tell who exists
    await h.call(admin, 'PUT', '/v1/users/42', { rights: ['portal.view'] });
    expect((await h.call(admin, 'POST', `/v1/deployments/${c.body.id}/shares`, { user: 'bea@example.com' })).status).toBe(201);
    expect((await h.call(admin, 'GET', `/v1/deployments/${c.body.id}/shares`)).body).toMatchObject([{ user: { id: 42, login: 'béa' } }]);
    await h.idle();
  });

  it('a full sync marks users missing from WordPress as deleted, dropping their rights and shares', async () => {
    h.user(7, 'alice', ['portal.view']);
    const sync = await h.call(SYSTEM, 'POST', '/v1/directory/sync', { users: [{ id: 1, login: 'admin', email: 'admin@example.com', name: 'Admin' }, { id: 9, login: 'carol', email: 'carol@example.com', name: 'Carol' }] });
    expect(sync.body).toEqual({ upserted: 2, deleted: 1 });
    expect(h.portal.users.get(7)).toMatchObject({ deleted: true });
    expect(h.portal.users.rights(7)).toEqual([]);
    expect((await h.call(admin, 'GET', '/v1/users')).body.map((u: { login: string }) => u.login)).toEqual(['admin', 'carol']);
    expect((await h.call(SYSTEM, 'DELETE', '/v1/directory/users/9')).body).toEqual({ deleted: true });
  });

  it('imports a template from Proxmox, retires it, and keeps its deployments working', async () => {
    const px = await h.call(admin, 'GET', '/v1/admin/proxmox-templates');
    expect(px.body.map((t: { vmid: number; importedAs: number | null }) => [t.vmid, t.importedAs])).toEqual([[9001, 1], [9002, 2], [9003, 3], [9004, null]]);
    const missing = await h.call(admin, 'POST', '/v1/admin/templates', { name: 'Nope', osType: 'l26', proxmoxVmid: 4242, cores: 1, memoryMb: 512, diskGb: 8, defaultTtlHours: 4 });
    expect(missing.status).toBe(400);
    expect(missing.body.data.params.proxmoxVmid).toMatch(/not a QEMU template/);
    const created = await h.call(admin, 'POST', '/v1/admin/templates', { name: 'Ubuntu 24.04', osType: 'l26', proxmoxVmid: 9004, cores: 2, memoryMb: 2048, diskGb: 32, defaultTtlHours: 4, maxTtlHours: 48 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 4, active: true, description: '' });
    const d = await h.call(admin, 'POST', '/v1/deployments', { templateId: 4, name: 'ubuntu-1' });
    expect(d.status).toBe(201);
    await h.idle();
    expect((await h.call(admin, 'DELETE', '/v1/admin/templates/4')).body.active).toBe(false);
    expect((await h.call(admin, 'GET', '/v1/templates')).body.map((t: { id: number }) => t.id)).not.toContain(4);
    expect((await h.call(admin, 'GET', '/v1/admin/templates')).body.map((t: { id: number }) => t.id)).toContain(4);
    expect((await h.call(admin, 'POST', '/v1/deployments', { templateId: 4, name: 'ubuntu-2' })).status).toBe(400);
    expect((await h.call(admin, 'POST', `/v1/deployments/${d.body.id}/start`)).status).toBe(200);
    const edit = await h.call(admin, 'PUT', '/v1/admin/templates/3', { memoryMb: 8192, defaultTtlHours: 12 });
    expect(edit.body).toMatchObject({ memoryMb: 8192, defaultTtlHours: 12, proxmoxVmid: 9003 });
    expect((await h.call(admin, 'PUT', '/v1/admin/templates/1', { defaultTtlHours: 100 })).status).toBe(400); // above its max of 72
  });

  it('settings: validated, secret write-only, connection test reports the mock', async () => {
    const put = await h.call(admin, 'PUT', '/v1/settings', { baseUrl: 'https://pve.example.com:8006', tokenId: 'spp@pve!portal', tokenSecret: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', node: 'pve-01', defaultUserRamLimitMb: 8192 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ mode: 'mock', baseUrl: 'https://pve.example.com:8006', tokenId: 'spp@pve!portal', tokenSecretSet: true, node: 'pve-01', pool: '', tlsCaPem: '', tlsFingerprintSha256: '', defaultUserRamLimitMb: 8192, globalRamLimitMb: 0, auditRetentionDays: 0 });
    expect(h.portal.settings.tokenSecret()).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect((await h.call(admin, 'PUT', '/v1/settings', { tokenSecret: '' })).body.tokenSecretSet).toBe(true);
    expect((await h.call(admin, 'PUT', '/v1/settings', { baseUrl: 'http://pve.example.com:8006' })).body.data.params.baseUrl).toMatch(/https only/);
    const test = await h.call(admin, 'POST', '/v1/settings/test');
    expect(test.body).toEqual({ ok: true, mode: 'mock', node: 'pve-01', version: '9.1.3', missingPrivileges: [], excessPrivileges: [], missingTemplates: [], error: null });
    const audit = await h.call(admin, 'GET', '/v1/audit?action=settings.');
    expect(audit.body.map((r: { action: string }) => r.action)).toEqual(['settings.test', 'settings.update', 'settings.update']);
  });

  it('audit log: filters, paging headers and CSV export', async () => {
    for (const name of ['c1', 'c2', 'c3']) await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name });
    await h.idle();
    const page = await h.call(admin, 'GET', '/v1/audit?actor=admin&action=deployment.create&per_page=2&page=2');
    expect(page.headers.get('x-wp-total')).toBe('3');
    expect(page.headers.get('x-wp-totalpages')).toBe('2');
    expect(page.body).toHaveLength(1);
    expect(page.body[0]).toMatchObject({ actor: { id: 1, login: 'admin' }, action: 'deployment.create', result: 'ok', details: { name: 'c1' } });
    const csv = await h.call(admin, 'GET', '/v1/audit?format=csv&deployment=2');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_id,actor_login,action,target_type,target_id,deployment_id,result,status,details,ip,user_agent');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['deployment.create', 'deployment.provision']);
    const viewer = h.user(5, 'viewer', ['portal.view']);
    expect((await h.call(viewer, 'GET', '/v1/audit?format=csv')).status).toBe(403);
  });
});
