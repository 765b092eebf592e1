/**
 * Audit retention (issue 9, item 4): rows older than the chosen retention move to archive files and a
 * signed checkpoint, the chain left in the database still verifies, and every way of abusing the
 * checkpoint (forging one, editing an archive, deleting rows without one) is caught.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runAuditVerify } from '../support/audit-verify-cli';
import { Harness, TestUser } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { openDatabase, writeTx } from '../../src/db/open';
import { AuditLog } from '../../src/audit/audit-log';
import { SidecarProcess } from '../support/sidecar-process';
import { waitFor } from '@spp/tools';
import { checkpointsOf, verifyAuditArchives, verifyAuditChain } from '../../src/audit/audit-verify';
import { AUDIT_ARCHIVE_BATCH, AUDIT_ARCHIVE_DIR, AUDIT_RETENTION_DAYS } from '../../src/audit/audit-retention';
import { AUDIT_KEY_FILE, signCheckpoint } from '../../src/audit/audit-checkpoint';
import { readKeyFile } from '../../src/domain/key-file';

const DAY = 86_400_000;
let h: Harness;
let admin: TestUser;
let key: Buffer;
const archiveDir = () => join(h.dir, AUDIT_ARCHIVE_DIR);
const retention = () => h.sidecar.services.auditRetention;
const actions = () => h.auditRows().map((r) => r.action);

/** `n` rows that stand for everyday activity, written in one transaction. */
function activity(n: number, action = 'deployment.start'): void {
  writeTx(h.portal.db, () => {
    for (let i = 0; i < n; i++) h.portal.audit.append({ actor: null, action, result: 'ok', details: { i } });
  });
}

/** Archives until nothing is due, as the sweep does over its ticks. */
function archiveAll(): number[] {
  const batches: number[] = [];
  for (;;) {
    const out = retention().archiveDue();
    expect(out).not.toHaveProperty('refused');
    if (out.archived === 0) return batches;
    batches.push(out.archived);
  }
}

beforeEach(async () => {
  h = await Harness.start();
  admin = h.user(1, 'admin', ALL_RIGHTS);
  key = readKeyFile(join(h.dir, AUDIT_KEY_FILE), false);
});
afterEach(() => h.stop());

describe('the retention setting', () => {
  test.each([
    [29, 400],
    [AUDIT_RETENTION_DAYS.min, 200],
    [AUDIT_RETENTION_DAYS.max, 200],
    [AUDIT_RETENTION_DAYS.max + 1, 400],
    [30.5, 400],
    [-1, 400],
    ['90', 400],
    [0, 200],
  ])('%p days → %i', async (days, status) => {
    const before = h.portal.settings.view();
    const put = await h.call(admin, 'PUT', '/v1/settings', { auditRetentionDays: days });
    expect(put.status).toBe(status);
    if (status === 400) {
      expect(put.body.data.params.auditRetentionDays).toMatch(/Must be/);
      expect(h.portal.settings.view()).toEqual(before);
    } else {
      expect(put.body.auditRetentionDays).toBe(days);
    }
  });

  test('keeps every row by default, however old', () => {
    activity(10);
    h.advance(20 * 365 * DAY);
    expect(retention().archiveDue()).toEqual({ archived: 0 });
    expect(checkpointsOf(h.portal.db)).toHaveLength(0);
  });
});

describe('archiving', () => {
  beforeEach(async () => {
    expect((await h.call(admin, 'PUT', '/v1/settings', { auditRetentionDays: 30 })).status).toBe(200);
  });

  test('moves rows older than the retention to a signed archive; the rest of the chain still verifies', async () => {
    activity(20);
    h.advance(20 * DAY);
    activity(5, 'deployment.stop'); // 10 days younger than the cutoff, once 31 days have passed
    h.advance(11 * DAY);
    const oldRows = h.auditRows().filter((r) => r.action !== 'deployment.stop');

    const out = retention().archiveDue();
    expect(out).toMatchObject({ archived: oldRows.length });
    expect(actions().filter((a) => a !== 'audit.archive')).toEqual(Array(5).fill('deployment.stop'));
    const archiveRow = h.auditRows().at(-1)!;
    expect(archiveRow.action).toBe('audit.archive');
    expect(JSON.parse(archiveRow.details)).toMatchObject({ rows: oldRows.length, retentionDays: 30, file: expect.stringMatching(/^audit-archive\/audit-0+1-0+21\.jsonl$/) });

    expect(verifyAuditChain(h.portal.db, key)).toEqual({ ok: true, rows: 6, archived: oldRows.length });
    const lines = readFileSync(join(archiveDir(), readdirSync(archiveDir())[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number });
    expect(lines.map((l) => l.id)).toEqual(oldRows.map((r) => r.id));
    expect(await verifyAuditArchives(checkpointsOf(h.portal.db), archiveDir())).toEqual({ verified: [expect.any(String)], absent: [], bad: null });
    expect(retention().archiveDue()).toEqual({ archived: 0 }); // nothing more is due
  });

  test('a backlog goes in batches, one file each, and every later row chains on (the hundredth sweep, after pauses)', async () => {
    activity(AUDIT_ARCHIVE_BATCH * 2 + 7);
    h.advance(31 * DAY);
    expect(archiveAll()).toEqual([AUDIT_ARCHIVE_BATCH, AUDIT_ARCHIVE_BATCH, 8]); // the batches' own audit.archive rows are young: they wait their turn
    for (let sweep = 0; sweep < 100; sweep++) {
      await h.call(admin, 'GET', '/v1/deployments');
      activity(3);
      h.advance(DAY);
      archiveAll();
    }
    const report = verifyAuditChain(h.portal.db, key);
    expect(report).toMatchObject({ ok: true });
    const archives = await verifyAuditArchives(checkpointsOf(h.portal.db), archiveDir());
    expect(archives.bad).toBeNull();
    expect(archives.verified).toHaveLength(checkpointsOf(h.portal.db).length);
    expect(readdirSync(archiveDir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Nothing younger than 30 days was archived, and nothing older is left.
    const ats = h.portal.db.prepare('SELECT at FROM audit_log').pluck().all() as string[];
    expect(ats.every((at) => Date.parse(at) >= h.now - 31 * DAY)).toBe(true);
  });

  test('archiving everything leaves a chain that starts at the checkpoint', () => {
    activity(3);
    h.advance(31 * DAY);
    archiveAll();
    expect(actions()).toEqual(['audit.archive']);
    activity(2);
    expect(verifyAuditChain(h.portal.db, key)).toMatchObject({ ok: true, rows: 3 });
  });

  test('a file left by a crash between writing it and the checkpoint is written again', async () => {
    activity(4);
    h.advance(31 * DAY);
    mkdirSync(archiveDir(), { recursive: true });
    writeFileSync(join(archiveDir(), 'audit-000000000001-000000000005.jsonl'), 'half a line');
    writeFileSync(join(archiveDir(), '.audit-000000000001-000000000005.jsonl.tmp'), 'half a line');
    expect(retention().archiveDue()).toMatchObject({ archived: 5, file: 'audit-000000000001-000000000005.jsonl' });
    expect((await verifyAuditArchives(checkpointsOf(h.portal.db), archiveDir())).verified).toHaveLength(1);
    expect(existsSync(join(archiveDir(), '.audit-000000000001-000000000005.jsonl.tmp'))).toBe(false);
  });

  test('rows due that are not an intact chain stay where they are, as evidence', () => {
    activity(4);
    h.advance(31 * DAY);
    h.portal.db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{}' WHERE id = 3");
    expect(retention().archiveDue()).toEqual({ archived: 0, refused: 'row 3 was edited after it was written' });
    expect(h.auditRows()).toHaveLength(5);
    expect(existsSync(archiveDir())).toBe(false);
  });
});

describe('what the checkpoint stops', () => {
  beforeEach(async () => {
    await h.call(admin, 'PUT', '/v1/settings', { auditRetentionDays: 30 });
    activity(6);
  });

  test('rows no checkpoint covers cannot be deleted, and checkpoints cannot be changed', () => {
    h.advance(31 * DAY);
    retention().archiveDue();
    activity(1);
    const last = h.auditRows().at(-1)!.id;
    expect(() => h.portal.db.prepare('DELETE FROM audit_log WHERE id = ?').run(last)).toThrow(/only rows an audit checkpoint archived/);
    expect(() => h.portal.db.exec('UPDATE audit_checkpoints SET through_id = through_id + 100')).toThrow(/append-only/);
    expect(() => h.portal.db.exec('DELETE FROM audit_checkpoints')).toThrow(/append-only/);
  });

  test('a checkpoint forged with SQL lets rows be deleted, but audit:verify catches it', () => {
    const row = h.portal.db.prepare('SELECT * FROM audit_log WHERE id = 4').get() as { hash: string; at: string };
    const forged = signCheckpoint(Buffer.alloc(32, 7), {
      from_id: 1, from_prev_hash: '0'.repeat(64), through_id: 4, through_hash: row.hash, rows: 4,
      first_at: row.at, last_at: row.at, archive_file: 'nowhere.jsonl', archive_sha256: '0'.repeat(64), created_at: row.at,
    });
    h.portal.db.prepare(
      `INSERT INTO audit_checkpoints (from_id, from_prev_hash, through_id, through_hash, rows, first_at, last_at, archive_file, archive_sha256, created_at, signature)
       VALUES (@from_id, @from_prev_hash, @through_id, @through_hash, @rows, @first_at, @last_at, @archive_file, @archive_sha256, @created_at, @signature)`,
    ).run(forged);
    h.portal.db.exec('DELETE FROM audit_log WHERE id <= 4');
    expect(verifyAuditChain(h.portal.db, key)).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed with this portal's audit key/) });
    expect(verifyAuditChain(h.portal.db, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/without the audit key/) });
  });

  test('an edited archive file, or one cut short, is caught; a moved one is reported as not checked', async () => {
    h.advance(31 * DAY);
    retention().archiveDue();
    const [checkpoint] = checkpointsOf(h.portal.db);
    const file = join(archiveDir(), checkpoint!.archive_file);
    const original = readFileSync(file, 'utf8');

    writeFileSync(file, original.replace('"i\\":2', '"i\\":9'));
    expect((await verifyAuditArchives([checkpoint!], archiveDir())).bad).toEqual({ file: checkpoint!.archive_file, reason: expect.stringMatching(/SHA-256 .* \(row 4 was edited after it was written\)/) });

    writeFileSync(file, original.split('\n').slice(0, 3).join('\n') + '\n');
    expect((await verifyAuditArchives([checkpoint!], archiveDir())).bad?.reason).toMatch(/SHA-256/);

    rmSync(file);
    expect(await verifyAuditArchives([checkpoint!], archiveDir())).toEqual({ verified: [], absent: [checkpoint!.archive_file], bad: null });
    expect(verifyAuditChain(h.portal.db, key)).toMatchObject({ ok: true }); // the database's chain does not need the file
  });

  test('npm run audit:verify (the built CLI) checks checkpoints and archive files', () => {
    h.advance(31 * DAY);
    retention().archiveDue();
    const run = () => runAuditVerify(h.dir);
    expect(run()).toEqual({ code: 0, out: 'audit log intact: 1 rows, hash chain verified from 1 signed checkpoint(s) of 7 archived rows; 1 archive file(s) verified\n' });
    const file = join(archiveDir(), checkpointsOf(h.portal.db)[0]!.archive_file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('deployment.start', 'deployment.stopp'));
    expect(run()).toMatchObject({ code: 1, out: expect.stringMatching(/^audit archive TAMPERED: audit-archive\/audit-0+1-0+7\.jsonl: its SHA-256/) });
  });
});

describe('the running sidecar', () => {
  test('archives on its sweep timer, and the chain goes on across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spp-retention-'));
    // Forty days of history, written before the sidecar ever ran here.
    const seed = openDatabase(join(dir, 'portal.sqlite'));
    const past = new AuditLog(seed, () => Date.now() - 40 * DAY);
    writeTx(seed, () => {
      for (let i = 0; i < 25; i++) past.append({ actor: null, action: 'deployment.start', result: 'ok', details: { i } });
    });
    seed.close();
    const proc = await SidecarProcess.start(dir, { SPP_EXPIRY_SWEEP_SECONDS: '1', SPP_RECONCILE_SECONDS: '3600' });
    try {
      const ADMIN = { id: 1, login: 'admin', email: 'admin@example.com', name: 'Admin', caps: ['manage_options'] };
      expect((await proc.call(ADMIN, 'PUT', '/v1/settings', { auditRetentionDays: 30 })).status).toBe(200);
      const read = () => new Database(join(dir, 'portal.sqlite'), { readonly: true });
      const checkpoint = await waitFor('the sweep to archive', () => {
        const db = read();
        try {
          return checkpointsOf(db)[0];
        } finally {
          db.close();
        }
      }, { timeoutMs: 15_000 });
      expect(checkpoint).toMatchObject({ from_id: 1, through_id: 25, rows: 25 });
      expect(proc.log()).toContain('audit rows archived');

      await proc.stop();
      await proc.restart();
      expect((await proc.call(ADMIN, 'PUT', '/v1/settings', { auditRetentionDays: 365 })).status).toBe(200);
      const db = read();
      try {
        const auditKey = readKeyFile(join(dir, AUDIT_KEY_FILE), false);
        expect(verifyAuditChain(db, auditKey)).toEqual({ ok: true, rows: 3, archived: 25 }); // settings, audit.archive, settings
        expect(await verifyAuditArchives(checkpointsOf(db), join(dir, AUDIT_ARCHIVE_DIR))).toMatchObject({ verified: [checkpoint!.archive_file], bad: null });
      } finally {
        db.close();
      }
    } finally {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
