/**
 * The simulator's wire format, in both PVE modes: envelope, every error form (401 with an empty body, 403 as
 * reason phrase, 400 with the `errors` map, 500, 501) and Proxmox's loose typing of outputs.
 */
import { request } from 'node:https';
import { type Simulator, startSimulator } from '../../simulator';
import { type Call, enc, pveClient, tokenHeader, waitTask } from './pve-http';

describe.each(['9.1', '8.4'] as const)('PVE %s wire format', (version) => {
  let sim: Simulator;
  let call: Call;
  const messageInBody = version === '9.1';

  beforeAll(async () => {
    sim = await startSimulator({ version, unauthorizedDelayMs: 0 });
    call = pveClient(sim);
  });
  afterAll(() => sim.close());

  /** The body of an error in this mode: message only from 9.1 on. */
  const errorBody = (message: string, errors?: Record<string, string>): Record<string, unknown> => ({
    data: null,
    ...(errors ? { errors } : {}),
    ...(messageInBody ? { message: `${message}\n` } : {}),
  });

  test('success: 200 {"data":...} as application/json;charset=UTF-8, Proxmox server header', async () => {
    const r = await call('GET', '/version');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(r.headers['server']).toBe('pve-api-daemon/3.0');
    expect(r.json.data.release).toBe(version);
    expect(r.json.data.version).toMatch(new RegExp(`^${version.replace('.', '\\.')}\\.\\d+$`));
    expect(typeof r.json.data.repoid).toBe('string');
  });

  test('401: "No ticket" without credentials, "Authentication failed!" for a wrong secret or unknown token; empty body', async () => {
    const none = await call('GET', '/version', { auth: null });
    expect([none.status, none.reason, none.text]).toEqual([401, 'No ticket', '']);
    expect(none.headers['content-type']).toBeUndefined();
    const wrong = await call('GET', '/version', { auth: tokenHeader(sim.token.id, 'nope') });
    expect([wrong.status, wrong.reason, wrong.text]).toEqual([401, 'Authentication failed!', '']);
    const unknown = await call('GET', '/version', { auth: tokenHeader('other@pve!x', sim.token.secret) });
    expect([unknown.status, unknown.reason]).toEqual([401, 'Authentication failed!']);
    const garbage = await call('GET', '/version', { auth: 'PVEAPIToken=garbage' });
    expect([garbage.status, garbage.reason]).toEqual([401, 'Authentication failed!']);
    const bearer = await call('GET', '/version', { auth: 'Bearer abc' });
    expect([bearer.status, bearer.reason]).toEqual([401, 'No ticket']);
    // the secret is split off at the last '=' and the value is URI-unescaped, like PVE's parser
    const escaped = await call('GET', '/version', { auth: `PVEAPIToken=${enc(sim.token.id)}=${sim.token.secret}` });
    expect(escaped.status).toBe(200);
  });

  test('500: a missing VM is "Configuration file ... does not exist" in the reason phrase', async () => {
    const r = await call('GET', '/nodes/pve/qemu/999/config');
    const msg = "Configuration file 'nodes/pve/qemu-server/999.conf' does not exist";
    expect([r.status, r.reason]).toEqual([500, msg]);
    expect(r.json).toEqual(errorBody(msg));
  });

  test('501: unknown path or method → "Method \'GET /foo\' not implemented"', async () => {
    const r = await call('GET', '/foo');
    expect([r.status, r.reason]).toEqual([501, "Method 'GET /foo' not implemented"]);
    expect(r.json).toEqual(errorBody("Method 'GET /foo' not implemented"));
    const wrongMethod = await call('PATCH', '/nodes/pve/qemu/9001/config');
    expect([wrongMethod.status, wrongMethod.reason]).toEqual([501, "Method 'PATCH /nodes/pve/qemu/9001/config' not implemented"]);
  });

  test('501: any body on GET or DELETE is "Unexpected content for method"', async () => {
    const del = await call('DELETE', '/nodes/pve/qemu/9003', { form: { purge: 1 } });
    expect([del.status, del.reason, del.text]).toEqual([501, "Unexpected content for method 'DELETE'", '']);
    const get = await new Promise<{ status?: number; reason?: string }>((resolve, reject) => {
      const u = new URL(sim.url);
      const req = request(
        { host: u.hostname, port: u.port, method: 'GET', path: '/api2/json/version', ca: sim.caPem, headers: { Authorization: tokenHeader(sim.token.id, sim.token.secret), 'Content-Length': 3 } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, reason: res.statusMessage }));
        },
      );
      req.on('error', reject);
      req.end('a=1');
    });
    expect(get).toEqual({ status: 501, reason: "Unexpected content for method 'GET'" });
    expect(sim.vms().some((v) => v.vmid === 9003)).toBe(true);
  });

  test("400: booleans must be 1/0 — 'true' is refused with type check ('boolean')", async () => {
    const r = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { newid: 150, full: 'true' } });
    expect([r.status, r.reason]).toEqual([400, 'Parameter verification failed.']);
    expect(r.json).toEqual(errorBody('Parameter verification failed.', { full: "type check ('boolean') failed - got 'true'" }));
    expect(sim.vms().some((v) => v.vmid === 150)).toBe(false);
  });

  test('400: missing required, unknown property, integer type, minimum, enum, format, all in one errors map', async () => {
    const clone = await call('POST', '/nodes/pve/qemu/9001/clone', { form: { name: 'x', bogus: 1 } });
    expect(clone.status).toBe(400);
    expect(clone.json.errors).toEqual({
      newid: 'property is missing and it is not optional',
      bogus: 'property is not defined in schema and the schema does not allow additional properties',
    });
    const cfg = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { cores: 0, memory: 'lots', onboot: 2, name: 'not a dns name' } });
    expect(cfg.status).toBe(400);
    expect(cfg.json.errors).toEqual({
      cores: 'value must have a minimum value of 1',
      memory: "invalid format - format error\nmemory.current: type check ('integer') failed - got 'lots'\n",
      onboot: "type check ('boolean') failed - got '2'",
      name: 'invalid format - value does not look like a valid DNS name\n',
    });
    const res = await call('GET', '/cluster/resources', { query: { type: 'pool' } });
    expect(res.json.errors).toEqual({ type: "value 'pool' does not have a value in the enumeration 'vm, storage, node, sdn'" });
    const vmid = await call('GET', '/nodes/pve/qemu/abc/status/current');
    expect(vmid.json.errors).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
    const low = await call('GET', '/cluster/nextid', { query: { vmid: 99 } });
    expect(low.json.errors).toEqual({ vmid: 'invalid format - value does not look like a valid VM ID\n' });
    const tags = await call('PUT', '/nodes/pve/qemu/9001/config', { form: { tags: 'ok;b@d' } });
    expect(tags.json.errors).toEqual({ tags: 'invalid format - invalid characters in tag\n' });
  });

  test('400: a path parameter repeated with another value', async () => {
    const r = await call('GET', '/nodes/pve/qemu/9001/config', { query: { vmid: 9002 } });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual({ vmid: 'duplicate parameter (already defined in URI) with conflicting values!' });
  });

  test('JSON bodies accept JSON booleans; the query string is merged over the body', async () => {
    const vm = 160 + (version === '9.1' ? 0 : 1);
    const clone = await call('POST', '/nodes/pve/qemu/9003/clone', { json: { newid: vm, full: true, name: 'json-body' } });
    expect(clone.status).toBe(200);
    expect(clone.json.data).toMatch(/^UPID:pve:.*:qmclone:9003:spp@pve!portal:$/);
    await waitTask(call, 'pve', clone.json.data);
    const put = await call('PUT', '/nodes/pve/qemu/' + vm + '/config', { form: { name: 'from-body', cores: 3 }, query: { name: 'from-query' } });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ data: null });
    const cfg = await call('GET', `/nodes/pve/qemu/${vm}/config`);
    expect(cfg.json.data.name).toBe('from-query');
    const bad = await call('PUT', `/nodes/pve/qemu/${vm}/config`, { json: { cores: true } });
    expect(bad.json.errors).toEqual({ cores: "type check ('integer') failed - got JSON::PP::Boolean" });
  });

  test('loose typing: config memory is a string, cores a number, booleans 1/0; nextid is a string', async () => {
    const cfg = await call('GET', '/nodes/pve/qemu/9001/config');
    expect(cfg.json.data).toMatchObject({ name: 'pbx-test-appliance', cores: 2, memory: '2048', template: 1, sockets: 1 });
    expect(cfg.json.data.scsi0).toMatch(/^local-lvm:base-9001-disk-0,.*size=16G/);
    expect(cfg.json.data.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0/);
    expect(cfg.json.data.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(cfg.json.data).not.toHaveProperty('lock');
    const next = await call('GET', '/cluster/nextid');
    expect(typeof next.json.data).toBe('string');
  });

  test('lists: template:1 only on templates, lock only when set; /cluster/resources always has template 0|1', async () => {
    sim.lockVm(9002, 'backup');
    try {
      const list = await call('GET', '/nodes/pve/qemu');
      const byId = new Map<number, any>(list.json.data.map((v: any) => [v.vmid, v]));
      expect(byId.get(9001)).toMatchObject({ template: 1, status: 'stopped', name: 'pbx-test-appliance' });
      expect(byId.get(9001)).not.toHaveProperty('lock');
      expect(byId.get(9002).lock).toBe('backup');
      const res = await call('GET', '/cluster/resources', { query: { type: 'vm' } });
      for (const item of res.json.data) {
        expect(item.type).toBe('qemu');
        expect(item.id).toBe(`qemu/${item.vmid}`);
        expect([0, 1]).toContain(item.template);
      }
      const cur = await call('GET', '/nodes/pve/qemu/9002/status/current');
      expect(cur.json.data).toMatchObject({ vmid: 9002, status: 'stopped', qmpstatus: 'stopped', lock: 'backup', template: 1, agent: 1, ha: { managed: 0 } });
      expect(cur.json.data).not.toHaveProperty('pid');
    } finally {
      sim.lockVm(9002, null);
    }
  });

  test('node-level reads: /nodes carries the certificate fingerprint, node status needs Sys.Audit', async () => {
    const nodes = await call('GET', '/nodes');
    expect(nodes.json.data).toEqual([expect.objectContaining({ node: 'pve', status: 'online', ssl_fingerprint: sim.certFingerprint256 })]);
    expect(sim.certFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const status = await call('GET', '/nodes/pve/status');
    expect(status.json.data.pveversion).toMatch(new RegExp(`^pve-manager/${version.replace('.', '\\.')}`));
    expect(status.json.data.memory.total).toBeGreaterThan(0);
    expect(status.json.data.loadavg.every((x: unknown) => typeof x === 'string')).toBe(true);
    const other = await call('GET', '/nodes/pve2/status');
    expect([other.status, other.reason]).toEqual([500, "hostname lookup 'pve2' failed - failed to get address info for: pve2: Name or service not known"]);
  });

  test('every request is recorded with its status', async () => {
    await call('GET', '/cluster/nextid', { query: { vmid: 4242 } });
    const last = sim.requests().at(-1);
    expect(last).toEqual({ method: 'GET', path: '/cluster/nextid', query: { vmid: '4242' }, body: null, status: 200, tokenId: 'spp@pve!portal' });
  });
});

test('unauthorized responses are delayed (Proxmox: 3 s, configurable)', async () => {
  const sim = await startSimulator({ unauthorizedDelayMs: 300 });
  try {
    const call = pveClient(sim);
    const t0 = Date.now();
    const r = await call('GET', '/version', { auth: null });
    expect(r.status).toBe(401);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    const t1 = Date.now();
    expect((await call('GET', '/version')).status).toBe(200);
    expect(Date.now() - t1).toBeLessThan(250);
  } finally {
    await sim.close();
  }
});

test('8.4 mode can opt into message bodies and 9.1 out of them', async () => {
  const a = await startSimulator({ version: '8.4', errorMessageInBody: true, unauthorizedDelayMs: 0 });
  const b = await startSimulator({ version: '9.1', errorMessageInBody: false, unauthorizedDelayMs: 0 });
  try {
    expect((await pveClient(a)('GET', '/foo')).json).toEqual({ data: null, message: "Method 'GET /foo' not implemented\n" });
    expect((await pveClient(b)('GET', '/foo')).json).toEqual({ data: null });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
