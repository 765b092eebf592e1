/**
 * Every request body and query the sidecar accepts, as strict schemas: unknown fields are refused,
 * sizes are never accepted from a request, strings are bounded.
 */
import { TOKEN_ID, TOKEN_ID_MAX } from '../proxmox/credentials';
import { z } from 'zod';
import { RIGHTS, USER_FIELD_LIMITS, STATUSES, isStatus } from '@spp/contract';
import { MAX_TTL_HOURS_WITHOUT_LIMIT } from '../domain/deployments/ttl';
import { AUDIT_RETENTION_DAYS } from '../audit/audit-retention';

const rightSlugs = RIGHTS.map((r) => r.slug) as unknown as [string, ...string[]];

const id = z.number({ invalid_type_error: 'Must be a number.', required_error: 'Required.' }).int('Must be a whole number.').positive('Must be positive.').max(2_147_483_647, 'Too large.');
const idParam = z.string().regex(/^[1-9][0-9]{0,9}$/, 'Must be a positive whole number.').transform(Number);
const text = (max: number) => z.string({ invalid_type_error: 'Must be a string.', required_error: 'Required.' }).max(max, `At most ${max} characters.`);
const mb = z.number({ invalid_type_error: 'Must be a number.' }).int('Must be a whole number of MB.').min(0, 'Must not be negative.').max(16_777_216, 'Too large.');

/** The VM's name in Proxmox, so a DNS label. */
export const dnsLabel = z
  .string({ invalid_type_error: 'Must be a string.', required_error: 'Required.' })
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'Use 1–63 letters, digits and hyphens, starting and ending with a letter or digit.');

const ttlHours = z
  .number({ invalid_type_error: 'Must be a number.' })
  .int('Must be a whole number of hours.')
  .min(1, 'Must be at least 1 hour.')
  .max(MAX_TTL_HOURS_WITHOUT_LIMIT, `Must be at most ${MAX_TTL_HOURS_WITHOUT_LIMIT} hours.`);

const ttlChoice = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object({ ...shape, ttlHours: ttlHours.optional(), neverExpires: z.boolean({ invalid_type_error: 'Must be true or false.' }).optional() })
    .strict()
    .superRefine((v, ctx) => {
      if (v.ttlHours !== undefined && v.neverExpires === true) {
        ctx.addIssue({ code: 'custom', path: ['neverExpires'], message: 'Give either ttlHours or neverExpires, not both.' });
      }
    });

export const createDeploymentBody = ttlChoice({ templateId: id, name: dnsLabel });

export const prolongBody = ttlChoice({}).superRefine((v, ctx) => {
  if (v.ttlHours === undefined && v.neverExpires !== true) ctx.addIssue({ code: 'custom', path: ['ttlHours'], message: 'Give ttlHours, or neverExpires: true.' });
});

export const emptyBody = z.object({}).strict();

export const handOverBody = z.object({ userId: id }).strict();

export const shareBody = z.object({ user: text(100).min(1, 'Give a login or e-mail address.') }).strict();

const perPage = z.string().regex(/^[0-9]{1,3}$/, 'Must be a whole number from 1 to 100.').transform(Number).pipe(z.number().min(1, 'Must be from 1 to 100.').max(100, 'Must be from 1 to 100.'));
const page = z.string().regex(/^[0-9]{1,6}$/, 'Must be a whole number from 1.').transform(Number).pipe(z.number().min(1, 'Must be 1 or more.'));
const paging = { page: page.optional(), per_page: perPage.optional() };

/** `status=RUNNING,STOPPED`: one query value, so one message for the parameter, not per position. */
const statusList = z
  .string()
  .max(200)
  .transform((s) => s.split(',').filter((x) => x !== ''))
  .refine((xs) => xs.every(isStatus), `Use one or more of ${STATUSES.join(', ')}, separated by commas.`)
  .transform((xs) => xs.filter(isStatus));

export const listDeploymentsQuery = z
  .object({
    ...paging,
    status: statusList.optional(),
    search: text(100).optional(),
  })
  .strict();

export const usersQuery = z.object({ ...paging, search: text(100).optional() }).strict();

const isoDate = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a date, e.g. 2026-11-23T08:00:00Z.');

export const auditQuery = z
  .object({
    ...paging,
    actor: text(60).min(1).optional(),
    action: text(60).min(1).optional(),
    deployment: idParam.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    format: z.enum(['json', 'csv'], { errorMap: () => ({ message: "Use 'json' or 'csv'." }) }).optional(),
  })
  .strict();

export const noQuery = z.object({}).strict();

export const idParams = z.object({ id: idParam }).strict();
export const shareParams = z.object({ id: idParam, userId: idParam }).strict();

const templateShape = {
  name: text(100).min(1, 'Required.'),
  description: text(1000),
  osType: z.string().regex(/^[a-z0-9]{1,16}$/, "Use Proxmox's ostype, e.g. l26 or win11."),
  proxmoxVmid: z.number({ invalid_type_error: 'Must be a number.' }).int().min(100, 'Proxmox VMIDs start at 100.').max(999_999_999, 'Too large.'),
  cores: z.number({ invalid_type_error: 'Must be a number.' }).int('Must be a whole number.').min(1, 'At least 1.').max(128, 'At most 128.'),
  memoryMb: z.number({ invalid_type_error: 'Must be a number.' }).int('Must be a whole number of MB.').min(64, 'At least 64 MB.').max(4_194_304, 'Too large.'),
  diskGb: z.number({ invalid_type_error: 'Must be a number.' }).int('Must be a whole number of GB.').min(1, 'At least 1 GB.').max(65_536, 'Too large.'),
  defaultTtlHours: ttlHours,
  maxTtlHours: ttlHours.nullable(),
  active: z.boolean({ invalid_type_error: 'Must be true or false.' }),
};

export const createTemplateBody = z.object({ ...templateShape, description: templateShape.description.default(''), maxTtlHours: templateShape.maxTtlHours.default(null), active: templateShape.active.default(true) }).strict();
export const updateTemplateBody = z.object(templateShape).partial().strict();

export const userRightsBody = z
  .object({
    rights: z.array(z.enum(rightSlugs, { errorMap: () => ({ message: `Unknown right; use ${rightSlugs.join(', ')}.` }) })).max(rightSlugs.length * 2),
    ramLimitMb: mb.nullable().optional(),
  })
  .strict();

const PEM_MAX = 65_536;
const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';
/**
 * A certificate block somewhere in the text. zod runs refinements even after `max` failed, so the length
 * is checked here first, and the search is linear (a backtracking pattern was quadratic on long input).
 */
function looksLikePem(s: string): boolean {
  if (s.length > PEM_MAX) return false;
  const begin = s.indexOf(PEM_BEGIN);
  return begin >= 0 && s.indexOf(PEM_END, begin + PEM_BEGIN.length + 1) > begin;
}

export const settingsBody = z
  .object({
    mode: z.enum(['mock', 'http'], { errorMap: () => ({ message: "Use 'mock' or 'http'." }) }),
    baseUrl: z
      .string()
      .max(300)
      .refine((s) => s === '' || /^https:\/\/[^\s/?#]+(:[0-9]{1,5})?\/?$/i.test(s), 'Must be https://host[:port], e.g. https://pve.example.com:8006 (https only).'),
    tokenId: z.string().max(TOKEN_ID_MAX).refine((s) => s === '' || (s.length <= TOKEN_ID_MAX && TOKEN_ID.test(s)), 'Must look like user@realm!tokenname.'),
    tokenSecret: z.string().max(200).refine((s) => s === '' || /^[0-9a-fA-F-]{8,200}$/.test(s), "Must be the token's secret (a UUID)."),
    node: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/, 'Must be a Proxmox node name.'),
    // Proxmox's pool ids (pve-poolid); '' for none.
    pool: z.string().max(64).regex(/^([A-Za-z0-9_][A-Za-z0-9._-]*)?$/, 'Must be a Proxmox pool id (letters, digits, . _ -), or empty for none.'),
    tlsCaPem: z.string().max(PEM_MAX).refine((s) => s.trim() === '' || looksLikePem(s), 'Must be PEM (-----BEGIN CERTIFICATE----- …).'),
    tlsFingerprintSha256: z.string().refine((s) => s === '' || /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(s), 'Must be 32 hex pairs separated by colons (AB:CD:…).'),
    defaultUserRamLimitMb: mb,
    globalRamLimitMb: mb,
    auditRetentionDays: z
      .number({ invalid_type_error: 'Must be a whole number of days.' })
      .int('Must be a whole number of days.')
      .refine(
        (d) => d === AUDIT_RETENTION_DAYS.keepAll || (d >= AUDIT_RETENTION_DAYS.min && d <= AUDIT_RETENTION_DAYS.max),
        `Must be 0 (keep every row) or ${AUDIT_RETENTION_DAYS.min} to ${AUDIT_RETENTION_DAYS.max} days.`,
      ),
  })
  .partial()
  .strict();

export const directoryUserBody = z
  .object({ login: text(USER_FIELD_LIMITS.login).min(1, 'Required.'), email: text(USER_FIELD_LIMITS.email).default(''), name: text(USER_FIELD_LIMITS.name).default('') })
  .strict();

export const directorySyncBody = z
  .object({ users: z.array(directoryUserBody.extend({ id })).max(100_000) })
  .strict();
