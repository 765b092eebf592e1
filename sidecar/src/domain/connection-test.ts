/** Settings → Test connection: reaches Proxmox, reports its version, the privileges the token lacks, and which approved templates are missing on the node. */
import { AUDIT_ACTION, type ConnectionReport } from '@spp/contract';
import { writeTx } from '../db/open';
import { ProxmoxError } from '../proxmox/client';
import type { Caller } from './access';
import type { Portal } from './portal';
import { describeProxmoxError } from './proxmox-failure';



export async function testConnection(portal: Portal, caller: Caller): Promise<ConnectionReport> {
  const settings = portal.settings.view();
  const report: ConnectionReport = { ok: false, mode: settings.mode, node: settings.node, version: null, missingPrivileges: [], excessPrivileges: [], missingTemplates: [], error: null };
  try {
    const px = portal.proxmox();
    report.version = (await px.version()).version;
    const approved = portal.templates.list(true);
    const privileges = await px.privilegeReport({ pool: settings.pool, templateVmids: approved.map((t) => t.proxmoxVmid) });
    report.missingPrivileges = privileges.missing;
    report.excessPrivileges = privileges.excess;
    const onNode = new Set((await px.listTemplates()).map((t) => t.vmid));
    report.missingTemplates = approved
      .filter((t) => !onNode.has(t.proxmoxVmid))
      .map((t) => ({ id: t.id, name: t.name, proxmoxVmid: t.proxmoxVmid }));
    report.ok = report.missingPrivileges.length === 0 && report.missingTemplates.length === 0;
  } catch (err) {
    if (!(err instanceof ProxmoxError)) throw err;
    report.error = describeProxmoxError(err);
  }
  writeTx(portal.db, () =>
    portal.audit.append({
      actor: caller.actor,
      action: AUDIT_ACTION.test_settings,
      target: { type: 'settings', id: 'proxmox' },
      result: report.ok ? 'ok' : 'failed',
      status: 200,
      details: { version: report.version, missingPrivileges: report.missingPrivileges, excessPrivileges: report.excessPrivileges, missingTemplates: report.missingTemplates.map((t) => t.proxmoxVmid), error: report.error },
    }),
  );
  return report;
}
