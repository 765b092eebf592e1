/** Template administration: approve (from a Proxmox template), edit the policy, retire. Retired templates take no new deployments; old ones keep working. */
import { AUDIT_ACTION, type ProxmoxTemplate, type Template, type TemplateFields, type ImportableTemplate } from '@spp/contract';
import { DEMO_TEMPLATES } from '../proxmox/demo-proxmox';
import { invalidParams, notFound } from '../http/api-error';
import { writeTx } from '../db/open';
import type { Caller } from './access';
import type { Portal } from './portal';
import { proxmoxFailure } from './proxmox-failure';
import { MAX_TTL_HOURS_WITHOUT_LIMIT } from './deployments/ttl';

/** The demo node's template (demo-proxmox.ts) as an approved template: its VMID and sizes, the portal's policy. */
const approved = (t: (typeof DEMO_TEMPLATES)[number], policy: Pick<TemplateFields, 'name' | 'description' | 'defaultTtlHours' | 'maxTtlHours'>): TemplateFields => ({
  ...policy,
  osType: t.osType,
  proxmoxVmid: t.vmid,
  cores: t.cores,
  memoryMb: t.memoryMb,
  diskGb: t.diskGb,
  active: true,
});

const [PBX, WINDOWS, LINUX] = DEMO_TEMPLATES;

export const SEED_TEMPLATES: TemplateFields[] = [
  approved(PBX, { name: 'Turnkey PBX Test Appliance', description: 'TurnKey PBX (Asterisk/FreePBX) for reproducing telephony issues.', defaultTtlHours: 8, maxTtlHours: 72 }),
  approved(WINDOWS, { name: 'Windows Support Client', description: 'Windows 11 client with the support tool set, for remote sessions and reproductions.', defaultTtlHours: 8, maxTtlHours: 168 }),
  approved(LINUX, { name: 'Linux Utility VM', description: 'Debian with network and diagnostic tools (tcpdump, sipp, curl).', defaultTtlHours: 24, maxTtlHours: null }),
];

/** Seeds the three approved templates into a new database. */
export function seedTemplates(portal: Portal): void {
  writeTx(portal.db, () => {
    if (portal.templates.count() > 0) return;
    for (const t of SEED_TEMPLATES) portal.templates.insert(t, portal.clock());
  });
}

function checkPolicy(t: TemplateFields): void {
  const max = t.maxTtlHours ?? MAX_TTL_HOURS_WITHOUT_LIMIT;
  if (t.defaultTtlHours > max) throw invalidParams({ defaultTtlHours: `Must not exceed the maximum TTL (${max} hours).` });
}

async function requireProxmoxTemplate(portal: Portal, vmid: number): Promise<void> {
  let found: ProxmoxTemplate[];
  try {
    found = await portal.proxmox().listTemplates();
  } catch (err) {
    throw proxmoxFailure(err, 'list its templates');
  }
  if (!found.some((t) => t.vmid === vmid)) {
    throw invalidParams({ proxmoxVmid: `VMID ${vmid} is not a QEMU template on node '${portal.proxmox().node}'.` });
  }
}

export async function createTemplate(portal: Portal, caller: Caller, fields: TemplateFields): Promise<Template> {
  checkPolicy(fields);
  await requireProxmoxTemplate(portal, fields.proxmoxVmid);
  const id = writeTx(portal.db, () => {
    const id = portal.templates.insert(fields, portal.clock());
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.create_admin_template, target: { type: 'template', id }, result: 'ok', status: 201, details: { ...fields } });
    return id;
  });
  return portal.templates.get(id) as Template;
}

export async function updateTemplate(portal: Portal, caller: Caller, id: number, change: Partial<TemplateFields>): Promise<Template> {
  const current = portal.templates.get(id);
  if (!current) throw notFound('template');
  const { id: _id, ...currentFields } = current;
  const next: TemplateFields = { ...currentFields, ...change };
  checkPolicy(next);
  if (next.proxmoxVmid !== current.proxmoxVmid) await requireProxmoxTemplate(portal, next.proxmoxVmid);
  writeTx(portal.db, () => {
    if (!portal.templates.get(id)) throw notFound('template');
    portal.templates.update(id, next, portal.clock());
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.update_admin_template, target: { type: 'template', id }, result: 'ok', status: 200, details: { ...change } });
  });
  return portal.templates.get(id) as Template;
}

export function retireTemplate(portal: Portal, caller: Caller, id: number): Template {
  writeTx(portal.db, () => {
    const t = portal.templates.get(id);
    if (!t) throw notFound('template');
    const { id: _id, ...fields } = t;
    portal.templates.update(id, { ...fields, active: false }, portal.clock());
    portal.audit.append({ actor: caller.actor, action: AUDIT_ACTION.retire_admin_template, target: { type: 'template', id }, result: 'ok', status: 200, details: { name: t.name } });
  });
  return portal.templates.get(id) as Template;
}

/** The node's QEMU templates, each marked with the approved template that already uses it. */
export async function proxmoxTemplates(portal: Portal): Promise<ImportableTemplate[]> {
  let found: ProxmoxTemplate[];
  try {
    found = await portal.proxmox().listTemplates();
  } catch (err) {
    throw proxmoxFailure(err, 'list its templates');
  }
  const approved = portal.templates.list(false);
  return found.map((t) => ({ ...t, importedAs: approved.find((a) => a.proxmoxVmid === t.vmid)?.id ?? null }));
}
