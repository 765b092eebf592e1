/**
 * Bulk seeding straight through SQL, one transaction per database: users with rights, deployments,
 * a few shares, and audit rows whose hash chain is valid (computed with rowHash, continuing from the
 * chain's current head). Templates come from the sidecar's own seeding (ids 1..3).
 */
import { GENESIS_HASH, rowHash, AuditRowContent } from '../src/audit/audit-log';
import type { Db } from '../src/db/open';
import { SEED_TEMPLATES } from '../src/domain/templates';
import { VIEWER } from './common';

export const USERS = 200;
const HOUR = 3_600_000;

export interface SeedOptions {
  deployments: number;
  auditRows: number;
  /** How many rows are past their expiry (spread evenly over the table); the rest expire later or never. */
  due: number;
  /** STOPPED: expiry is DB work only (vm_stopped = 1). RUNNING: vm_stopped = 0, so the sweep stops the VM. */
  dueStatus: 'STOPPED' | 'RUNNING';
  now: number;
}

export interface Seeded {
  dueIds: number[];
  /** vmid of each due row, same order. */
  dueVmids: number[];
}

export const vmidOf = (id: number): number => 100_000 + id;

/** Same spread as seed(): every (n/due)-th id. */
export function dueIdList(n: number, due: number): number[] {
  const ids: number[] = [];
  if (due <= 0) return ids;
  const step = Math.floor(n / due);
  for (let k = 0; k < due; k++) ids.push(1 + k * step + Math.floor(step / 2));
  return ids;
}

export function seed(db: Db, o: SeedOptions): Seeded {
  const templates = db.prepare<[], { id: number; cores: number; memory_mb: number; disk_gb: number }>('SELECT id, cores, memory_mb, disk_gb FROM templates ORDER BY id').all();
  if (templates.length !== SEED_TEMPLATES.length) throw new Error(`expected ${SEED_TEMPLATES.length} seeded templates, found ${templates.length}`);
  const existing = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM deployments').get()?.n ?? 0;
  if (existing !== 0) throw new Error('seed() expects an empty deployments table');

  const dueIds = dueIdList(o.deployments, o.due);
  const dueSet = new Set(dueIds);

  db.transaction(() => {
    const user = db.prepare('INSERT INTO users (id, login, email, name, ram_limit_mb, deleted, updated_at) VALUES (?, ?, ?, ?, NULL, 0, ?)');
    const right = db.prepare('INSERT INTO user_rights (user_id, right_slug) VALUES (?, ?)');
    user.run(VIEWER.id, VIEWER.login, VIEWER.email, VIEWER.name, o.now);
    for (const r of ['portal.view', 'deployments.manage_all', 'deployments.start', 'deployments.stop', 'deployments.prolong', 'deployments.delete']) right.run(VIEWER.id, r);
    for (let id = 2; id <= USERS; id++) {
      user.run(id, `support${id}`, `support${id}@example.com`, `Support Person ${id}`, o.now);
      right.run(id, 'portal.view');
      right.run(id, 'deployments.create');
    }

    const dep = db.prepare(
      `INSERT INTO deployments (id, name, status, template_id, owner_id, vmid, node, cores, memory_mb, disk_gb, ip_addresses, never_expires, expires_at,
         pending_action, vm_stopped, last_error, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pve-01', ?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?)`,
    );
    const share = db.prepare('INSERT INTO shares (deployment_id, user_id, created_by, created_at) VALUES (?, ?, ?, ?)');
    for (let id = 1; id <= o.deployments; id++) {
      const t = templates[id % templates.length] as (typeof templates)[number];
      const owner = 1 + (id % USERS);
      const created = o.now - (o.deployments - id) * 60_000;
      let status: string;
      let neverExpires = 0;
      let expiresAt: number | null;
      if (dueSet.has(id)) {
        status = o.dueStatus;
        expiresAt = o.now - HOUR - id;
      } else {
        // 40% running, 30% stopped (expiring in 1..168 h), 20% never-expire, 10% already expired (VM stopped).
        const bucket = id % 10;
        status = bucket < 4 ? 'RUNNING' : bucket < 7 ? 'STOPPED' : bucket < 9 ? (bucket === 7 ? 'STOPPED' : 'RUNNING') : 'EXPIRED';
        if (bucket === 7 || bucket === 8) {
          neverExpires = 1;
          expiresAt = null;
        } else if (bucket === 9) {
          expiresAt = o.now - 48 * HOUR - id;
        } else {
          expiresAt = o.now + (1 + (id % 168)) * HOUR;
        }
      }
      const running = status === 'RUNNING';
      const ips = running ? `["10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}","fd00::${id.toString(16)}"]` : '[]';
      dep.run(id, `bench-${id}`, status, t.id, owner, vmidOf(id), t.cores, t.memory_mb, t.disk_gb, ips, neverExpires, expiresAt, running ? 0 : 1, created, created);
      if (id % 100 === 0) share.run(id, owner === USERS ? 2 : owner + 1, owner, created); // 1% shared with one other person
    }

    const head = db.prepare<[], { hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get()?.hash ?? GENESIS_HASH;
    const audit = db.prepare(
      `INSERT INTO audit_log (at, actor_id, actor_login, action, target_type, target_id, deployment_id, result, status, details, ip, user_agent, prev_hash, hash)
       VALUES (@at, @actor_id, @actor_login, @action, @target_type, @target_id, @deployment_id, @result, @status, @details, @ip, @user_agent, @prev_hash, @hash)`,
    );
    const actions = ['deployment.create', 'deployment.start', 'deployment.stop', 'deployment.prolong', 'deployment.refresh_ips', 'share.add'];
    let prev = head;
    for (let k = 0; k < o.auditRows; k++) {
      const depId = 1 + (k % Math.max(1, o.deployments));
      const actorId = 1 + (k % USERS);
      const row: AuditRowContent = {
        at: new Date(o.now - (o.auditRows - k) * 1000).toISOString(),
        actor_id: actorId,
        actor_login: actorId === 1 ? VIEWER.login : `support${actorId}`,
        action: actions[k % actions.length] as string,
        target_type: 'deployment',
        target_id: String(depId),
        deployment_id: depId,
        result: 'ok',
        status: 200,
        details: JSON.stringify({ name: `bench-${depId}`, vmid: vmidOf(depId) }),
        ip: '192.0.2.10',
        user_agent: 'WordPress/6.8; https://portal.example.com',
      };
      const hash = rowHash(prev, row);
      audit.run({ ...row, prev_hash: prev, hash });
      prev = hash;
    }
  })();

  return { dueIds, dueVmids: dueIds.map(vmidOf) };
}

/** Puts the due rows back to "due" after a sweep expired them, so every timed sweep does the same work. */
export function reseedDue(db: Db, s: Seeded, status: 'STOPPED' | 'RUNNING', now: number): void {
  const up = db.prepare('UPDATE deployments SET status = ?, expires_at = ?, vm_stopped = ?, pending_action = NULL, last_error = NULL, updated_at = ? WHERE id = ?');
  db.transaction(() => {
    for (const id of s.dueIds) up.run(status, now - HOUR - id, status === 'RUNNING' ? 0 : 1, now, id);
  })();
}
