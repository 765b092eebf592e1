/**
 * Bad input, route by route (api.md): every body, every query and every path id of the contract, sent
 * correctly signed by a caller who holds every right, is a 400 `spp_invalid_param` whose `data.params`
 * names exactly the offending fields (a key may be a path into its field, `rights.1`), and changes
 * nothing: no table row, no setting, no VM in the mock. audit_log is included: api.md asks for no audit
 * row on a 400 (the sidecar audits 401, 403, 409, 429 and 5xx), so none may appear.
 * The base bodies and queries the table varies are checked to be accepted at the end, so every
 * refusal below is caused by the one thing a case changes.
 * Last, the write-only Proxmox token secret: never in a response, an audit row, a log line or the
 * bytes of the data folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Answer, Harness, SYSTEM, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { jsonLogger } from '../../src/logger';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** Deployment 1: template 3 (no maximum TTL), 8 h. Deployment 2: template 1 (maximum 72 h), created with 72 h. */
const D1 = 1;
const D2 = 2;
const KB100 = 'a'.repeat(100_000);

async function setup(h: Harness): Promise<TestUser> {
  const admin = h.user(1, 'admin', ALL_RIGHTS);
  h.user(8, 'bob', ['portal.view']);
  h.user(9, 'carol', []); // in the directory, but cannot open the portal
  const one = await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name: 'fixture-one', ttlHours: 8 });
  const two = await h.call(admin, 'POST', '/v1/deployments', { templateId: 1, name: 'fixture-two', ttlHours: 72 });
  expect([one.status, one.body?.id, two.status, two.body?.id]).toEqual([201, D1, 201, D2]);
  await h.idle();
  expect(h.sidecar.mock.vms()).toHaveLength(2);
  return admin;
}

// ---------------------------------------------------------------------------------------------
// Case model
// ---------------------------------------------------------------------------------------------

type Who = 'admin' | 'system';
/** A field `data.params` must name; an array means "one of these" where api.md leaves the choice open. */
type Field = string | readonly string[];

interface Case {
  title: string;
  who: Who;
  method: string;
  path: string;
  /** The exact bytes sent (signed); undefined sends no body. */
  body?: string;
  contentType?: string;
  fields: readonly Field[];
}

type Bad = readonly [label: string, value: unknown];

const fieldsLabel = (fields: readonly Field[]) => fields.map((f) => (typeof f === 'string' ? f : f.join('|'))).join(', ');
const make = (c: Omit<Case, 'title'> & { what: string }): Case => {
  const { what, ...rest } = c;
  return { ...rest, title: `${c.method} ${c.path.length > 80 ? `${c.path.slice(0, 77)}...` : c.path} · ${what} → 400 [${fieldsLabel(c.fields)}]` };
};

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

interface BodyRoute {
  who: Who;
  method: string;
  path: string;
  base: Record<string, unknown>;
  required: readonly string[];
  bad: Record<string, readonly Bad[]>;
  /** Cases beyond one wrong field, as [what, body, fields]. */
  extra?: ReadonlyArray<readonly [string, unknown, readonly Field[]]>;
  /** Send every shape variant (non-object JSON, broken JSON) instead of one of each. */
  allShapes?: boolean;
}

const NOT_OBJECTS: readonly Bad[] = [
  ['an array', []],
  ['null', null],
  ['a number', 42],
  ['a string', 'templateId=3'],
  ['a boolean', true],
];
const BROKEN_JSON: ReadonlyArray<readonly [string, string]> = [
  ['an unterminated object', '{"templateId":3,'],
  ['a trailing comma', '{"templateId":3,"name":"x",}'],
  ['single quotes', "{'templateId':3,'name':'x'}"],
  ['two objects', '{"templateId":3}{"name":"x"}'],
  ['NaN', '{"templateId":NaN,"name":"x"}'],
  ['plain text', 'hello'],
];

/** Non-object JSON and broken JSON: the body as a whole is wrong. */
function shapeCases(r: { who: Who; method: string; path: string }, all: boolean, requiresBody: boolean): Case[] {
  const out: Case[] = [];
  if (requiresBody) out.push(make({ ...r, what: 'no body at all', fields: ['body'] }));
  for (const [label, value] of all ? NOT_OBJECTS : NOT_OBJECTS.slice(0, 2)) {
    out.push(make({ ...r, what: `JSON ${label} instead of an object`, body: JSON.stringify(value), fields: ['body'] }));
  }
  for (const [label, bytes] of all ? BROKEN_JSON : BROKEN_JSON.slice(0, 1)) {
    out.push(make({ ...r, what: `invalid JSON (${label}), signed`, body: bytes, fields: ['body'] }));
  }
  return out;
}

function bodyCases(r: BodyRoute): Case[] {
  const at = { who: r.who, method: r.method, path: r.path };
  const out: Case[] = [];
  for (const f of r.required) {
    const rest = { ...r.base };
    delete rest[f];
    out.push(make({ ...at, what: `without ${f}`, body: JSON.stringify(rest), fields: [f] }));
  }
  for (const [f, list] of Object.entries(r.bad)) {
    for (const [label, value] of list) out.push(make({ ...at, what: `${f}: ${label}`, body: JSON.stringify({ ...r.base, [f]: value }), fields: [f] }));
  }
  out.push(make({ ...at, what: 'an unknown field', body: JSON.stringify({ ...r.base, unexpectedField: 1 }), fields: ['unexpectedField'] }));
  for (const [what, body, fields] of r.extra ?? []) out.push(make({ ...at, what, body: JSON.stringify(body), fields }));
  out.push(...shapeCases(at, r.allShapes === true, true));
  return out;
}

const notAString: readonly Bad[] = [
  ['a number', 42],
  ['null', null],
  ['an array', ['x']],
  ['an object', { value: 'x' }],
];
const notABoolean: readonly Bad[] = [
  ["the string 'true'", 'true'],
  ['the number 1', 1],
  ['null', null],
];
const wholeNumberBad = (zero: boolean): Bad[] => [
  ...(zero ? [['0', 0] as const] : []),
  ['-1', -1],
  ['1.5 (fractional)', 1.5],
  ['a numeric string', '8'],
  ['true', true],
  ['1e20 (absurd)', 1e20],
];
const ttlBad: readonly Bad[] = [
  ['0', 0],
  ['-1', -1],
  ['-8760', -8760],
  ['1.5 (fractional)', 1.5],
  ['a numeric string', '8'],
  ['8761 (over the 8760 h ceiling)', 8761],
  ['1e9 (absurd)', 1e9],
  ['true', true],
  ['an array', [8]],
];

const CREATE: BodyRoute = {
  who: 'admin',
  method: 'POST',
  path: '/v1/deployments',
  base: { templateId: 3, name: 'fresh-name', ttlHours: 8 },
  required: ['templateId', 'name'],
  bad: {
    templateId: [...wholeNumberBad(true), ['null', null], ['an array', [3]], ['2147483648 (over 32 bits)', 2_147_483_648]],
    name: [
      ...notAString,
      ['empty', ''],
      ['a leading hyphen', '-repro'],
      ['a trailing hyphen', 'repro-'],
      ['an underscore', 'repro_4711'],
      ['a space', 'repro 4711'],
      ['a dot', 'repro.4711'],
      ['a slash', 'repro/4711'],
      ['a non-ASCII letter', 'repro-ä'],
      ['64 characters', 'a'.repeat(64)],
      ['100 kB', KB100],
    ],
    ttlHours: ttlBad,
    neverExpires: notABoolean,
  },
  extra: [
    ['ttlHours and neverExpires together', { templateId: 3, name: 'fresh-name', ttlHours: 8, neverExpires: true }, [['ttlHours', 'neverExpires']]],
    ['ttlHours over the template maximum (73 > 72)', { templateId: 1, name: 'fresh-name', ttlHours: 73 }, ['ttlHours']],
    ['never-expire on a template with a maximum', { templateId: 1, name: 'fresh-name', neverExpires: true }, ['neverExpires']],
    ['a templateId that names no template', { templateId: 999, name: 'fresh-name', ttlHours: 8 }, ['templateId']],
    ['sizes: cores', { templateId: 3, name: 'fresh-name', cores: 2 }, ['cores']],
    ['sizes: memoryMb', { templateId: 3, name: 'fresh-name', memoryMb: 1024 }, ['memoryMb']],
    ['sizes: diskGb', { templateId: 3, name: 'fresh-name', diskGb: 10 }, ['diskGb']],
    ['sizes: all three', { templateId: 3, name: 'fresh-name', cores: 64, memoryMb: 262_144, diskGb: 4096 }, ['cores', 'memoryMb', 'diskGb']],
    ['placement: vmid and node', { templateId: 3, name: 'fresh-name', vmid: 4711, node: 'pve-02' }, ['vmid', 'node']],
    ['two wrong fields at once', { templateId: 'three', name: 'not a label' }, ['templateId', 'name']],
    ['an empty object', {}, ['templateId', 'name']],
  ],
  allShapes: true,
};

const PROLONG: BodyRoute = {
  who: 'admin',
  method: 'POST',
  path: `/v1/deployments/${D1}/prolong`,
  base: { ttlHours: 1 },
  required: [],
  bad: { ttlHours: ttlBad, neverExpires: notABoolean },
  extra: [
    ['an empty object', {}, [['ttlHours', 'neverExpires']]],
    ['neverExpires: false alone', { neverExpires: false }, [['ttlHours', 'neverExpires']]],
    ['ttlHours and neverExpires together', { ttlHours: 8, neverExpires: true }, [['ttlHours', 'neverExpires']]],
    ['sizes: memoryMb', { ttlHours: 1, memoryMb: 1024 }, ['memoryMb']],
  ],
};

/** Prolong cases on deployment 2, whose template allows at most 72 h and whose expiry is already 72 h away. */
const PROLONG_LIMITED: Case[] = [
  make({ who: 'admin', method: 'POST', path: `/v1/deployments/${D2}/prolong`, what: 'expiry would lie past the template maximum (already at 72 h)', body: JSON.stringify({ ttlHours: 1 }), fields: ['ttlHours'] }),
  make({ who: 'admin', method: 'POST', path: `/v1/deployments/${D2}/prolong`, what: 'ttlHours over the template maximum (73 > 72)', body: JSON.stringify({ ttlHours: 73 }), fields: ['ttlHours'] }),
  make({ who: 'admin', method: 'POST', path: `/v1/deployments/${D2}/prolong`, what: 'never-expire on a template with a maximum', body: JSON.stringify({ neverExpires: true }), fields: ['neverExpires'] }),
];

const SHARE: BodyRoute = {
  who: 'admin',
  method: 'POST',
  path: `/v1/deployments/${D1}/shares`,
  base: { user: 'bob' },
  required: ['user'],
  bad: { user: [...notAString, ['empty', ''], ['100 kB', KB100]] },
  extra: [
    ['a login nobody has', { user: 'nobody-here' }, ['user']],
    ['a user without portal.view', { user: 'carol' }, ['user']],
    ['a user id instead of a login', { user: 8, userId: 8 }, ['user', 'userId']],
  ],
};

const SETTINGS_BASE = {
  mode: 'mock',
  baseUrl: 'https://pve.example.com:8006',
  tokenId: 'spp@pve!portal',
  tokenSecret: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  node: 'pve-02',
  tlsCaPem: '',
  tlsFingerprintSha256: '',
  defaultUserRamLimitMb: 8192,
  globalRamLimitMb: 65_536,
  auditRetentionDays: 90,
};

const mbBad: readonly Bad[] = [
  ['-1', -1],
  ['1.5 (fractional)', 1.5],
  ['a numeric string', '8192'],
  ['true', true],
  ['1e20 (absurd)', 1e20],
];

const SETTINGS: BodyRoute = {
  who: 'admin',
  method: 'PUT',
  path: '/v1/settings',
  base: SETTINGS_BASE,
  required: [],
  bad: {
    mode: [['an unknown mode', 'kvm'], ['a number', 1], ['null', null]],
    baseUrl: [
      ['http (https only)', 'http://pve.example.com:8006'],
      ['no scheme', 'pve.example.com:8006'],
      ['ftp', 'ftp://pve.example.com'],
      ['a scheme alone', 'https://'],
      ['a number', 8006],
      ['100 kB', `https://${KB100}.example.com`],
    ],
    tokenId: [['a number', 42], ['null', null], ['100 kB', KB100]],
    tokenSecret: [['a number', 42], ['null', null], ['100 kB', KB100]],
    node: [['a number', 1], ['a space', 'pve 01'], ['a slash', 'pve/01'], ['100 kB', KB100]],
    tlsCaPem: [['not PEM', 'just some text'], ['a number', 42], ['100 kB', KB100]],
    tlsFingerprintSha256: [
      ['two pairs', 'AB:CD'],
      ['a SHA-1 pin (20 pairs)', Array.from({ length: 20 }, () => 'AB').join(':')],
      ['not hex', Array.from({ length: 32 }, () => 'ZZ').join(':')],
      ['a number', 42],
    ],
    defaultUserRamLimitMb: mbBad,
    globalRamLimitMb: mbBad,
    auditRetentionDays: [['0 < days < 30', 29], ['past ten years', 3651], ['fractional', 30.5], ['a numeric string', '90'], ['null', null]],
  },
  extra: [['the read-only tokenSecretSet', { ...SETTINGS_BASE, tokenSecretSet: true }, ['tokenSecretSet']]],
};

const TEMPLATE_BASE = {
  name: 'Extra Template',
  description: 'An extra template.',
  osType: 'l26',
  proxmoxVmid: 9003,
  cores: 2,
  memoryMb: 2048,
  diskGb: 16,
  defaultTtlHours: 8,
  maxTtlHours: 72,
  active: true,
};

const templateBad: Record<string, readonly Bad[]> = {
  name: [...notAString, ['empty', ''], ['100 kB', KB100]],
  description: [['a number', 42], ['null', null], ['100 kB', KB100]],
  osType: [['a number', 26], ['empty', ''], ['a space', 'Linux 2.6'], ['100 kB', KB100]],
  proxmoxVmid: [['99 (below 100)', 99], ['-1', -1], ['1.5 (fractional)', 1.5], ['a numeric string', '9003'], ['1e20 (absurd)', 1e20]],
  cores: wholeNumberBad(true),
  memoryMb: wholeNumberBad(true),
  diskGb: wholeNumberBad(true),
  defaultTtlHours: ttlBad,
  maxTtlHours: ttlBad,
  active: notABoolean,
};

const CREATE_TEMPLATE: BodyRoute = {
  who: 'admin',
  method: 'POST',
  path: '/v1/admin/templates',
  base: TEMPLATE_BASE,
  required: ['name', 'osType', 'proxmoxVmid', 'cores', 'memoryMb', 'diskGb', 'defaultTtlHours'],
  bad: templateBad,
  extra: [
    ['defaultTtlHours over maxTtlHours', { ...TEMPLATE_BASE, defaultTtlHours: 100, maxTtlHours: 72 }, [['defaultTtlHours', 'maxTtlHours']]],
    ['a proxmoxVmid that is no template on the node', { ...TEMPLATE_BASE, proxmoxVmid: 123_456 }, ['proxmoxVmid']],
    ['an id', { ...TEMPLATE_BASE, id: 42 }, ['id']],
  ],
};

const UPDATE_TEMPLATE: BodyRoute = {
  who: 'admin',
  method: 'PUT',
  path: '/v1/admin/templates/2',
  base: { name: 'Renamed Template', defaultTtlHours: 12 },
  required: [],
  bad: templateBad,
  extra: [
    // Template 2 allows at most 168 h and defaults to 8 h.
    ['defaultTtlHours over the stored maxTtlHours (169 > 168)', { defaultTtlHours: 169 }, [['defaultTtlHours', 'maxTtlHours']]],
    ['maxTtlHours under the stored defaultTtlHours (4 < 8)', { maxTtlHours: 4 }, [['defaultTtlHours', 'maxTtlHours']]],
    ['a proxmoxVmid that is no template on the node', { proxmoxVmid: 123_456 }, ['proxmoxVmid']],
  ],
};

const USER_RIGHTS: BodyRoute = {
  who: 'admin',
  method: 'PUT',
  path: '/v1/users/8',
  base: { rights: ['portal.view', 'deployments.create'], ramLimitMb: null },
  required: ['rights'],
  bad: {
    rights: [
      ['a string instead of a list', 'portal.view'],
      ['null', null],
      ['an object', { 'portal.view': true }],
      ['an unknown right', ['portal.view', 'deployments.everything']],
      ['a label instead of a slug', ['View the portal']],
      ['a number in the list', [1]],
      ['null in the list', [null]],
      ['1000 entries', Array.from({ length: 1000 }, () => 'portal.view')],
    ],
    ramLimitMb: mbBad,
  },
};

const DIRECTORY_UPSERT: BodyRoute = {
  who: 'system',
  method: 'PUT',
  path: '/v1/directory/users/20',
  base: { login: 'dave', email: 'dave@example.com', name: 'Dave Support' },
  required: ['login'],
  bad: {
    login: [...notAString, ['empty', ''], ['100 kB', KB100]],
    email: [['a number', 42], ['null', null], ['100 kB', KB100]],
    name: [['a number', 42], ['null', null], ['100 kB', KB100]],
  },
  extra: [
    ['an id in the body', { login: 'dave', id: 20 }, ['id']],
    ['rights in the body', { login: 'dave', rights: ['rights.manage'] }, ['rights']],
  ],
};

const entry = { id: 20, login: 'dave', email: 'dave@example.com', name: 'Dave Support' };
const DIRECTORY_SYNC: BodyRoute = {
  who: 'system',
  method: 'POST',
  path: '/v1/directory/sync',
  base: { users: [entry] },
  required: ['users'],
  bad: {
    users: [
      ['a string', 'dave'],
      ['null', null],
      ['an object', { 20: entry }],
    ],
  },
  extra: [
    ['an entry without id', { users: [{ login: 'dave' }] }, ['users.0.id']],
    ['an entry with a string id', { users: [{ ...entry, id: '20' }] }, ['users.0.id']],
    ['an entry with id 0', { users: [{ ...entry, id: 0 }] }, ['users.0.id']],
    ['an entry with a fractional id', { users: [{ ...entry, id: 20.5 }] }, ['users.0.id']],
    ['an entry with id -1', { users: [{ ...entry, id: -1 }] }, ['users.0.id']],
    ['an entry without login', { users: [{ id: 20 }] }, ['users.0.login']],
    ['an entry with a 100 kB login', { users: [{ ...entry, login: KB100 }] }, ['users.0.login']],
    ['an entry with a numeric email', { users: [{ ...entry, email: 7 }] }, ['users.0.email']],
    ['a second entry that is wrong', { users: [entry, { id: 21 }] }, ['users.1.login']],
    ['a null entry', { users: [null] }, ['users.0']],
    ['an entry with an unknown field', { users: [{ ...entry, rights: ['rights.manage'] }] }, ['users.0.rights']],
  ],
};

/** Routes without a body in api.md: a body, if sent, must still be JSON and an empty object. */
const EMPTY_BODY_ROUTES: ReadonlyArray<{ who: Who; method: string; path: string }> = [
  { who: 'admin', method: 'POST', path: `/v1/deployments/${D1}/start` },
  { who: 'admin', method: 'POST', path: `/v1/deployments/${D1}/stop` },
  { who: 'admin', method: 'POST', path: `/v1/deployments/${D1}/refresh-ips` },
  { who: 'admin', method: 'DELETE', path: `/v1/deployments/${D1}` },
  { who: 'admin', method: 'POST', path: '/v1/settings/test' },
  { who: 'admin', method: 'DELETE', path: '/v1/admin/templates/2' },
  { who: 'system', method: 'DELETE', path: '/v1/directory/users/8' },
  { who: 'admin', method: 'DELETE', path: `/v1/deployments/${D1}/shares/8` },
];

function emptyBodyCases(): Case[] {
  const out: Case[] = [];
  for (const r of EMPTY_BODY_ROUTES) {
    out.push(make({ ...r, what: 'an unknown field', body: JSON.stringify({ force: true }), fields: ['force'] }));
    out.push(...shapeCases(r, false, false));
  }
  return out;
}

/** Not JSON at all, whatever the content type says. */
const CONTENT_CASES: Case[] = [
  make({ who: 'admin', method: 'POST', path: '/v1/deployments', what: 'a form-encoded body (application/x-www-form-urlencoded)', body: 'templateId=3&name=form-post&ttlHours=8', contentType: 'application/x-www-form-urlencoded', fields: ['body'] }),
  make({ who: 'admin', method: 'POST', path: '/v1/deployments', what: 'a form-encoded body labelled application/json', body: 'templateId=3&name=form-post&ttlHours=8', fields: ['body'] }),
  make({ who: 'admin', method: 'PUT', path: '/v1/settings', what: 'a YAML body (text/yaml)', body: 'mode: mock\nnode: pve-02\n', contentType: 'text/yaml', fields: ['body'] }),
  make({ who: 'admin', method: 'POST', path: '/v1/deployments', what: 'a body over the 8 MB limit (9 MB)', body: `{"templateId":3,"name":"${'a'.repeat(9 * 1024 * 1024)}"}`, fields: ['body'] }),
];

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

const PAGING_BAD: ReadonlyArray<readonly [string, string]> = [
  ['page=0', 'page=0'],
  ['page=-1', 'page=-1'],
  ['page=x', 'page=x'],
  ['page=1.5', 'page=1.5'],
  ['page=1e3', 'page=1e3'],
  ['page given twice', 'page=1&page=2'],
  ['per_page=0', 'per_page=0'],
  ['per_page=-1', 'per_page=-1'],
  ['per_page=101', 'per_page=101'],
  ['per_page=1000', 'per_page=1000'],
  ['per_page=x', 'per_page=x'],
  ['per_page=2.5', 'per_page=2.5'],
  ['per_page empty', 'per_page='],
];

interface QueryRoute {
  path: string;
  bad: ReadonlyArray<readonly [label: string, query: string, fields: readonly Field[]]>;
}

const paged = (): QueryRoute['bad'] => PAGING_BAD.map(([label, q]) => [label, q, [q.startsWith('page') ? 'page' : 'per_page']] as const);
const SEARCH_5K = `search=${'s'.repeat(5000)}`;

const QUERY_ROUTES: QueryRoute[] = [
  {
    path: '/v1/deployments',
    bad: [
      ...paged(),
      ['status=BOGUS', 'status=BOGUS', ['status']],
      ['status=RUNNING,BOGUS', 'status=RUNNING,BOGUS', ['status']],
      ['search of 5000 characters', SEARCH_5K, ['search']],
      ['an unknown parameter', 'owner=7', ['owner']],
      ['two wrong parameters', 'page=0&per_page=0', ['page', 'per_page']],
    ],
  },
  {
    path: '/v1/audit',
    bad: [
      ...paged(),
      ['deployment=abc', 'deployment=abc', ['deployment']],
      ['deployment=0', 'deployment=0', ['deployment']],
      ['deployment=-1', 'deployment=-1', ['deployment']],
      ['deployment=1.5', 'deployment=1.5', ['deployment']],
      ['deployment of 20 digits', `deployment=${'9'.repeat(20)}`, ['deployment']],
      ['from=yesterday', 'from=yesterday', ['from']],
      ['from with month 13', 'from=2026-13-45T00:00:00Z', ['from']],
      ['to=not-a-date', 'to=not-a-date', ['to']],
      ['format=xml', 'format=xml', ['format']],
      ['actor of 5000 characters', `actor=${'x'.repeat(5000)}`, ['actor']],
      ['action of 5000 characters', `action=${'x'.repeat(5000)}`, ['action']],
      ['an unknown parameter', 'user=1', ['user']],
    ],
  },
  {
    path: '/v1/users',
    bad: [...paged(), ['search of 5000 characters', SEARCH_5K, ['search']], ['an unknown parameter', 'right=rights.manage', ['right']]],
  },
  // Routes without a query in api.md: any parameter but WordPress's own `_…` ones is unknown.
  ...['/v1/me', '/v1/templates', '/v1/quota', `/v1/deployments/${D1}`, `/v1/deployments/${D1}/shares`, '/v1/settings', '/v1/admin/templates', '/v1/admin/proxmox-templates'].map((path) => ({
    path,
    bad: [['an unknown parameter', 'foo=1', ['foo']] as const],
  })),
];

function queryCases(): Case[] {
  return QUERY_ROUTES.flatMap((r) => r.bad.map(([label, q, fields]) => make({ who: 'admin', method: 'GET', path: `${r.path}?${q}`, what: label, fields })));
}

// ---------------------------------------------------------------------------------------------
// Path ids
// ---------------------------------------------------------------------------------------------

const BAD_IDS: ReadonlyArray<readonly [string, string]> = [
  ['abc', 'abc'],
  ['-1', '-1'],
  ['0', '0'],
  ['1e3', '1e3'],
  ['1.5', '1.5'],
  ['0x10', '0x10'],
  ['1abc', '1abc'],
  ['" 1" (space)', '%201'],
  ['11 digits', '9'.repeat(11)],
  ['20 digits', '9'.repeat(20)],
  ['Infinity', 'Infinity'],
];

interface IdRoute {
  who: Who;
  method: string;
  path: (id: string) => string;
  body?: unknown;
  field: string;
}

const ID_ROUTES: IdRoute[] = [
  { who: 'admin', method: 'GET', path: (id) => `/v1/deployments/${id}`, field: 'id' },
  { who: 'admin', method: 'POST', path: (id) => `/v1/deployments/${id}/start`, field: 'id' },
  { who: 'admin', method: 'POST', path: (id) => `/v1/deployments/${id}/stop`, field: 'id' },
  { who: 'admin', method: 'POST', path: (id) => `/v1/deployments/${id}/prolong`, body: { ttlHours: 1 }, field: 'id' },
  { who: 'admin', method: 'POST', path: (id) => `/v1/deployments/${id}/refresh-ips`, field: 'id' },
  { who: 'admin', method: 'DELETE', path: (id) => `/v1/deployments/${id}`, field: 'id' },
  { who: 'admin', method: 'GET', path: (id) => `/v1/deployments/${id}/shares`, field: 'id' },
  { who: 'admin', method: 'POST', path: (id) => `/v1/deployments/${id}/shares`, body: { user: 'bob' }, field: 'id' },
  { who: 'admin', method: 'DELETE', path: (id) => `/v1/deployments/${id}/shares/8`, field: 'id' },
  { who: 'admin', method: 'DELETE', path: (id) => `/v1/deployments/${D1}/shares/${id}`, field: 'userId' },
  { who: 'admin', method: 'PUT', path: (id) => `/v1/admin/templates/${id}`, body: { name: 'Renamed Template' }, field: 'id' },
  { who: 'admin', method: 'DELETE', path: (id) => `/v1/admin/templates/${id}`, field: 'id' },
  { who: 'admin', method: 'PUT', path: (id) => `/v1/users/${id}`, body: { rights: ['portal.view'] }, field: 'id' },
  { who: 'system', method: 'PUT', path: (id) => `/v1/directory/users/${id}`, body: { login: 'dave' }, field: 'id' },
  { who: 'system', method: 'DELETE', path: (id) => `/v1/directory/users/${id}`, field: 'id' },
];

function idCases(): Case[] {
  const out: Case[] = [];
  for (const r of ID_ROUTES) {
    for (const [label, id] of BAD_IDS) {
      out.push(make({ who: r.who, method: r.method, path: r.path(id), what: `${r.field} ${label}`, body: r.body === undefined ? undefined : JSON.stringify(r.body), fields: [r.field] }));
    }
  }
  out.push(make({ who: 'admin', method: 'DELETE', path: '/v1/deployments/abc/shares/xyz', what: 'both ids bad', fields: ['id', 'userId'] }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const BODY_ROUTES = [CREATE, PROLONG, SHARE, SETTINGS, CREATE_TEMPLATE, UPDATE_TEMPLATE, USER_RIGHTS, DIRECTORY_UPSERT, DIRECTORY_SYNC];
const CASES: Case[] = [...BODY_ROUTES.flatMap(bodyCases), ...PROLONG_LIMITED, ...emptyBodyCases(), ...CONTENT_CASES, ...queryCases(), ...idCases()];

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Every table (found, not listed, so a new one is covered), the settings as the service sees them, the mock's VMs. */
function snapshot(h: Harness) {
  const db = h.portal.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  const rows: Record<string, { count: number; sha256: string }> = {};
  for (const t of tables) {
    const columns = (db.prepare(`PRAGMA table_info("${t}")`).all() as unknown[]).length;
    const order = Array.from({ length: columns }, (_, i) => i + 1).join(', ');
    const all = db.prepare(`SELECT * FROM "${t}" ORDER BY ${order}`).all();
    rows[t] = { count: all.length, sha256: sha256(JSON.stringify(all)) };
  }
  return { rows, settings: h.portal.settings.view(), tokenSecret: sha256(h.portal.settings.tokenSecret()), vms: h.sidecar.mock.vms() };
}

function send(h: Harness, admin: TestUser, c: Case): Promise<Answer> {
  const actor = c.who === 'system' ? SYSTEM : admin;
  const contentType = c.contentType;
  return h.call(actor, c.method, c.path, c.body, contentType === undefined ? undefined : (hd) => void (hd['Content-Type'] = contentType));
}

/** A key names a field when it is the field, or a path into it (`rights.1`, `users.0.id`: which item is wrong). */
const names = (key: string, field: string) => key === field || key.startsWith(`${field}.`);

function expectParams(params: Record<string, unknown>, expected: readonly Field[]): void {
  const keys = Object.keys(params);
  const alternatives = (f: Field) => (typeof f === 'string' ? [f] : [...f]);
  const missing = expected.filter((f) => !alternatives(f).some((field) => keys.some((k) => names(k, field))));
  const extra = keys.filter((k) => !expected.some((f) => alternatives(f).some((field) => names(k, field))));
  // params is on both sides only so that a failure prints it.
  expect({ missing, extra, params }).toEqual({ missing: [], extra: [], params });
  const unexplained = Object.entries(params).filter(([, why]) => typeof why !== 'string' || why.trim() === '');
  expect(unexplained).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('bad inputs are a 400 spp_invalid_param naming each field, and change nothing', () => {
  let h: Harness;
  let admin: TestUser;

  beforeAll(async () => {
    h = await Harness.start();
    admin = await setup(h);
  });
  afterAll(() => h.stop());

  test('the table covers every body, query and path id of api.md', () => {
    const routes = new Set(CASES.map((c) => `${c.method} ${c.path.split('?')[0]?.replace(/\/v1\/(deployments|admin\/templates|users|directory\/users)\/[^/]+/, '/v1/$1/:id').replace(/\/shares\/[^/]+$/, '/shares/:userId')}`));
    expect([...routes].sort()).toEqual(
      [
        'DELETE /v1/admin/templates/:id',
        'DELETE /v1/deployments/:id',
        'DELETE /v1/deployments/:id/shares/:userId',
        'DELETE /v1/directory/users/:id',
        'GET /v1/admin/proxmox-templates',
        'GET /v1/admin/templates',
        'GET /v1/audit',
        'GET /v1/deployments',
        'GET /v1/deployments/:id',
        'GET /v1/deployments/:id/shares',
        'GET /v1/me',
        'GET /v1/quota',
        'GET /v1/settings',
        'GET /v1/templates',
        'GET /v1/users',
        'POST /v1/admin/templates',
        'POST /v1/deployments',
        'POST /v1/deployments/:id/prolong',
        'POST /v1/deployments/:id/refresh-ips',
        'POST /v1/deployments/:id/shares',
        'POST /v1/deployments/:id/start',
        'POST /v1/deployments/:id/stop',
        'POST /v1/directory/sync',
        'POST /v1/settings/test',
        'PUT /v1/admin/templates/:id',
        'PUT /v1/directory/users/:id',
        'PUT /v1/settings',
        'PUT /v1/users/:id',
      ].sort(),
    );
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
  });

  test.each(CASES)('$title', async (c) => {
    await h.idle();
    const before = snapshot(h);
    const res = await send(h, admin, c);
    await h.idle();

    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { code: 'spp_invalid_param', message: expect.any(String), data: { status: 400, params: expect.any(Object) } },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((res.body.message as string).trim()).not.toBe('');
    expectParams(res.body.data.params as Record<string, unknown>, c.fields);
    // A refusal never echoes a huge input back.
    expect(res.text.length).toBeLessThan(4096);

    expect(snapshot(h)).toEqual(before);
  });
});

describe('the base bodies and queries the table varies are accepted', () => {
  let h: Harness;
  let admin: TestUser;
  beforeEach(async () => {
    h = await Harness.start();
    admin = await setup(h);
  });
  afterEach(() => h.stop());

  const controls: ReadonlyArray<readonly [what: string, who: Who, method: string, path: string, body: unknown, status: number]> = [
    ...BODY_ROUTES.map((r) => ['the base body', r.who, r.method, r.path, r.base, r.method === 'POST' && r.path !== '/v1/directory/sync' && !r.path.endsWith('/prolong') ? 201 : 200] as const),
    ['ttlHours 1', 'admin', 'POST', '/v1/deployments', { templateId: 3, name: 'ttl-one', ttlHours: 1 }, 201],
    ['ttlHours 8760 without a template maximum', 'admin', 'POST', '/v1/deployments', { templateId: 3, name: 'ttl-max', ttlHours: 8760 }, 201],
    ['ttlHours 72 on a 72 h template', 'admin', 'POST', '/v1/deployments', { templateId: 1, name: 'ttl-72', ttlHours: 72 }, 201],
    ['never-expire without a template maximum', 'admin', 'POST', '/v1/deployments', { templateId: 3, name: 'forever', neverExpires: true }, 201],
    ['no TTL (the template default)', 'admin', 'POST', '/v1/deployments', { templateId: 3, name: 'default-ttl', neverExpires: false }, 201],
    ['a 63-character name', 'admin', 'POST', '/v1/deployments', { templateId: 3, name: `a${'-'.repeat(61)}z`, ttlHours: 1 }, 201],
    ['prolong to never-expire', 'admin', 'POST', `/v1/deployments/${D1}/prolong`, { neverExpires: true }, 200],
    ['share by e-mail', 'admin', 'POST', `/v1/deployments/${D1}/shares`, { user: 'bob@example.com' }, 201],
    ['an empty settings body', 'admin', 'PUT', '/v1/settings', {}, 200],
    ['rights cleared, RAM override 0', 'admin', 'PUT', '/v1/users/8', { rights: [], ramLimitMb: 0 }, 200],
    ['an empty directory', 'system', 'POST', '/v1/directory/sync', { users: [] }, 200],
    ['an empty object on start', 'admin', 'POST', `/v1/deployments/${D1}/start`, {}, 200],
    ['paging and every filter', 'admin', 'GET', '/v1/deployments?page=1&per_page=100&status=RUNNING,STOPPED&search=fixture&_locale=user', undefined, 200],
    ['paging and every filter', 'admin', 'GET', `/v1/audit?page=1&per_page=1&actor=admin&action=deployment.create&deployment=${D1}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&format=json&_locale=user`, undefined, 200],
    ['CSV', 'admin', 'GET', '/v1/audit?format=csv', undefined, 200],
    ['paging and search', 'admin', 'GET', '/v1/users?page=2&per_page=1&search=bob&_locale=user', undefined, 200],
    ["WordPress's own _locale", 'admin', 'GET', '/v1/me?_locale=user', undefined, 200],
    ['a well-formed id of no deployment is 404, not 400', 'admin', 'GET', '/v1/deployments/9999999999', undefined, 404],
  ];

  test.each(controls)('%s: %s %s %s', async (_what, who, method, path, body, status) => {
    const res = await h.call(who === 'system' ? SYSTEM : admin, method, path, body);
    await h.idle();
    expect({ status: res.status, params: res.body?.data?.params }).toEqual({ status, params: undefined });
  });
});

describe('the Proxmox token secret is write-only', () => {
  it('appears in no response, audit row, log line or file of the data folder', async () => {
    const lines: string[] = [];
    const h = await Harness.start({ log: jsonLogger((line) => lines.push(line)) });
    try {
      const admin = await setup(h);
      const secret = randomUUID();
      const rejectedWithOther = randomUUID(); // valid itself, sent with another field that is wrong
      const rejectedItself = `${randomUUID()}-NOT-HEX-zz`; // the secret field itself is wrong
      const tokenId = `spp@pve!t${randomUUID().slice(0, 8)}`;
      const answers: Answer[] = [];
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await h.call(admin, method, path, body);
        answers.push(res);
        return res;
      };

      const put = await call('PUT', '/v1/settings', { tokenSecret: secret, tokenId, baseUrl: 'https://pve.example.com:8006' });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ tokenSecretSet: true, tokenId });
      expect(put.body).not.toHaveProperty('tokenSecret');
      expect(h.portal.settings.tokenSecret()).toBe(secret); // stored, so the checks below are not vacuous

      const bad1 = await call('PUT', '/v1/settings', { tokenSecret: rejectedWithOther, baseUrl: 'http://pve.example.com' });
      expect([bad1.status, Object.keys(bad1.body.data.params as object)]).toEqual([400, ['baseUrl']]);
      const bad2 = await call('PUT', '/v1/settings', { tokenSecret: rejectedItself });
      expect([bad2.status, Object.keys(bad2.body.data.params as object)]).toEqual([400, ['tokenSecret']]);
      expect(h.portal.settings.tokenSecret()).toBe(secret);

      // Empty or absent keeps the stored secret.
      expect((await call('PUT', '/v1/settings', { tokenSecret: '' })).body.tokenSecretSet).toBe(true);
      expect((await call('PUT', '/v1/settings', { node: 'pve-02' })).body.tokenSecretSet).toBe(true);
      expect(h.portal.settings.tokenSecret()).toBe(secret);

      const got = await call('GET', '/v1/settings');
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ tokenSecretSet: true, tokenId });
      expect(got.body).not.toHaveProperty('tokenSecret');
      expect((await call('POST', '/v1/settings/test')).status).toBe(200);
      expect((await call('GET', '/v1/audit?per_page=100')).status).toBe(200);
      expect((await call('GET', '/v1/audit?format=csv')).status).toBe(200);
      await h.idle();

      const secrets = [secret, rejectedWithOther, rejectedItself];
      const leaks = (where: string, text: string) => secrets.filter((s) => text.includes(s)).map((s) => `${where}: ${s === secret ? 'stored secret' : 'rejected secret'}`);

      // The audit log records the change, without the value.
      const audit = h.auditRows();
      const updates = audit.filter((r) => r.action === 'settings.update');
      expect(updates.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse((updates[0] as (typeof updates)[number]).details)).toMatchObject({ changed: expect.arrayContaining(['tokenSecret', 'tokenId']), tokenId });

      const found = [
        ...answers.flatMap((a, i) => leaks(`response ${i}`, a.text + JSON.stringify([...a.headers]))),
        ...leaks('audit rows', JSON.stringify(audit)),
        ...leaks('log', lines.join('')),
      ];

      // The data folder's bytes: the database and its WAL hold the token id in plain text (so the search
      // works on them), but never a secret; again after a checkpoint moves the WAL into the database.
      const scan = (label: string) => {
        const files = readdirSync(h.dir);
        expect(files).toEqual(expect.arrayContaining(['portal.sqlite', 'portal.sqlite-wal']));
        const bytes = files.map((f) => [f, readFileSync(join(h.dir, f))] as const);
        expect(bytes.some(([f, b]) => f.startsWith('portal.sqlite') && b.includes(tokenId))).toBe(true);
        for (const [f, b] of bytes) for (const s of secrets) if (b.includes(s)) found.push(`${label} ${f}: ${s === secret ? 'stored secret' : 'rejected secret'}`);
      };
      scan('file');
      h.portal.db.pragma('wal_checkpoint(TRUNCATE)');
      scan('file after checkpoint');

      expect(found).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
