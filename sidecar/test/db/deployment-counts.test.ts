/**
 * deployment_counts (migration 2) answers the list totals; it is kept by triggers, so after any mix of
 * inserts and status changes every total must equal a plain COUNT over the deployments table, and a
 * database migrated from version 1 with rows in it must start with the right counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, Db } from '../../src/db/open';
import { MIGRATIONS } from '../../src/db/migrations';
import { DeploymentsRepo, Viewer } from '../../src/repositories/deployments-repo';
import { LISTED_STATUSES, STATUSES, Status } from '@spp/contract';

const NOW = Date.parse('2026-11-23T08:00:00Z');

function seedBase(db: Database.Database): void {
  db.prepare("INSERT INTO templates (id, name, description, os_type, proxmox_vmid, cores, memory_mb, disk_gb, default_ttl_hours, max_ttl_hours, active, created_at, updated_at) VALUES (1, 'T', '', 'l26', 9001, 1, 512, 8, 8, NULL, 1, 0, 0)").run();
  for (let u = 1; u <= 4; u++) db.prepare('INSERT INTO users (id, login, email, name, ram_limit_mb, deleted, updated_at) VALUES (?, ?, ?, ?, NULL, 0, 0)').run(u, `u${u}`, `u${u}@example.com`, `U${u}`);
}

function insertRaw(db: Database.Database, owner: number, status: Status): number {
  const info = db
    .prepare("INSERT INTO deployments (name, status, template_id, owner_id, node, cores, memory_mb, disk_gb, created_at, updated_at) VALUES (?, ?, 1, ?, 'pve', 1, 512, 8, 0, 0)")
    .run(`d-${Math.random().toString(36).slice(2)}`, status, owner);
  return Number(info.lastInsertRowid);
}

/** The slow truth: what the old COUNT(*) query answered. */
function truth(db: Db, viewer: Viewer, statuses: readonly Status[]): number {
  const wanted = statuses.length > 0 ? statuses : STATUSES;
  const rows = db
    .prepare<[], { id: number; owner_id: number; status: Status }>('SELECT id, owner_id, status FROM deployments')
    .all()
    .filter((d) => d.status !== 'DELETED' && wanted.includes(d.status));
  if (viewer.all) return rows.length;
  const shared = new Set(db.prepare<[number], { deployment_id: number }>('SELECT deployment_id FROM shares WHERE user_id = ?').all(viewer.id).map((r) => r.deployment_id));
  return rows.filter((d) => d.owner_id === viewer.id || shared.has(d.id)).length;
}

function expectTotalsAgree(db: Db): number {
  const repo = new DeploymentsRepo(db);
  let checked = 0;
  const filters: Status[][] = [[], ...STATUSES.map((s) => [s]), ['RUNNING', 'STOPPED'], ['DELETED', 'EXPIRED']];
  for (const viewer of [{ id: 1, all: true }, ...[1, 2, 3, 4].map((id) => ({ id, all: false }))]) {
    for (const statuses of filters) {
      const { total } = repo.list(viewer, { statuses, search: '', limit: 5, offset: 0 });
      expect({ viewer, statuses, total }).toEqual({ viewer, statuses, total: truth(db, viewer, statuses) });
      checked++;
    }
  }
  return checked;
}

describe('deployment_counts', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'spp-counts-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stays equal to COUNT(*) through inserts, status changes and shares', () => {
    const db = openDatabase(join(dir, 'p.sqlite'));
    seedBase(db);
    const repo = new DeploymentsRepo(db);
    const ids: number[] = [];
    for (let k = 0; k < 60; k++) {
      ids.push(repo.insert({ name: `dep-${k}`, templateId: 1, ownerId: 1 + (k % 4), node: 'pve', cores: 1, memoryMb: 512, diskGb: 8, neverExpires: false, expiresAt: NOW }, NOW));
    }
    // Walk rows through statuses, including no-op updates and updates of other columns only.
    ids.forEach((id, k) => {
      const status = STATUSES[k % STATUSES.length] as Status;
      repo.update(id, NOW, { status });
      repo.update(id, NOW, { status });
      repo.update(id, NOW, { lastError: 'x' });
    });
    for (const [k, id] of ids.entries()) if (k % 7 === 0) db.prepare('INSERT INTO shares (deployment_id, user_id, created_by, created_at) VALUES (?, ?, 1, 0)').run(id, 1 + ((k + 1) % 4));
    expect(expectTotalsAgree(db)).toBeGreaterThan(40);
    // No negative or stray counter rows.
    expect(db.prepare('SELECT COUNT(*) AS n FROM deployment_counts WHERE n < 0').get()).toEqual({ n: 0 });
    expect(LISTED_STATUSES).not.toContain('DELETED');
    db.close();
  });

  it('is filled from the existing rows when a version-1 database is migrated', () => {
    const file = join(dir, 'old.sqlite');
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    const first = MIGRATIONS[0];
    if (!first || first.version !== 1) throw new Error('migration 1 expected first');
    v1.exec(first.sql);
    v1.pragma('user_version = 1');
    seedBase(v1);
    for (let k = 0; k < 40; k++) insertRaw(v1, 1 + (k % 3), STATUSES[k % STATUSES.length] as Status);
    v1.close();

    const db = openDatabase(file); // migrates to the current version
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.version);
    expect(expectTotalsAgree(db)).toBeGreaterThan(40);
    db.close();
  });
});
