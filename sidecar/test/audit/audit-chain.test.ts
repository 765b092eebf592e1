import { runAuditVerify } from '../support/audit-verify-cli';
import { Harness } from '../support/harness';
import { ALL_RIGHTS } from '@spp/contract';
import { verifyAuditChain } from '../../src/audit/audit-verify';

describe('the audit chain', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
    const admin = h.user(1, 'admin', ALL_RIGHTS);
    for (const name of ['a1', 'a2', 'a3']) await h.call(admin, 'POST', '/v1/deployments', { templateId: 3, name });
    await h.idle();
    expect(verifyAuditChain(h.portal.db)).toEqual({ ok: true, rows: 6, archived: 0 });
  });
  afterEach(() => h.stop());

  /** What an attacker with the database file could do: drop the guards and change rows. */
  function tamper(sql: string): void {
    h.portal.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    h.portal.db.exec(sql);
  }

  it('is append-only for the sidecar itself', () => {
    expect(() => h.portal.db.exec("UPDATE audit_log SET result = 'ok' WHERE id = 1")).toThrow(/append-only/);
    expect(() => h.portal.db.exec('DELETE FROM audit_log WHERE id = 1')).toThrow(/append-only/);
  });

  it('detects an edited row', () => {
    tamper(`UPDATE audit_log SET details = '{"name":"innocent"}' WHERE id = 3`);
    expect(verifyAuditChain(h.portal.db)).toMatchObject({ ok: false, badId: 3, reason: expect.stringMatching(/edited/) });
  });

  it('detects a deleted row in the middle', () => {
    tamper('DELETE FROM audit_log WHERE id = 2');
    expect(verifyAuditChain(h.portal.db)).toMatchObject({ ok: false, badId: 3 });
  });

  it('detects a deleted last row', () => {
    tamper('DELETE FROM audit_log WHERE id = 6');
    expect(verifyAuditChain(h.portal.db)).toMatchObject({ ok: false, reason: expect.stringMatching(/removed from the end/) });
  });

  it('detects a row rewritten with a recomputed hash but not its successors', () => {
    // Re-hashing one row is not enough: the next row still points at the old hash.
    const { rowHash } = jest.requireActual('../../src/audit/audit-log') as typeof import('../../src/audit/audit-log');
    const row = h.portal.db.prepare('SELECT * FROM audit_log WHERE id = 2').get() as Parameters<typeof rowHash>[1] & { prev_hash: string };
    const forged = { ...row, action: 'deployment.nothing' };
    tamper(`UPDATE audit_log SET action = 'deployment.nothing', hash = '${rowHash(row.prev_hash, forged)}' WHERE id = 2`);
    expect(verifyAuditChain(h.portal.db)).toMatchObject({ ok: false, badId: 3 });
  });

  it('npm run audit:verify (the built CLI) reports intact and tampered logs', () => {
    const run = () => runAuditVerify(h.dir);
    expect(run()).toEqual({ code: 0, out: 'audit log intact: 6 rows, hash chain verified\n' });
    tamper("UPDATE audit_log SET actor_login = 'mallory' WHERE id = 4");
    const tampered = run();
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/TAMPERED: row 4 was edited/);
  });
});
