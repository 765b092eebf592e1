/**
 * Versioned schema migrations. Each runs once, in order, inside one transaction with the
 * `user_version` bump, so a database is always at exactly one known version.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,              -- the WordPress user id
        login TEXT NOT NULL,
        email TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        ram_limit_mb INTEGER,                -- per-user override; NULL = the default
        deleted INTEGER NOT NULL DEFAULT 0,  -- kept so owners and audit rows still resolve
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX users_login ON users(login COLLATE NOCASE);
      CREATE INDEX users_email ON users(email COLLATE NOCASE);

      CREATE TABLE user_rights (
        user_id INTEGER NOT NULL REFERENCES users(id),
        right_slug TEXT NOT NULL,
        PRIMARY KEY (user_id, right_slug)
      ) WITHOUT ROWID;
      CREATE INDEX user_rights_slug ON user_rights(right_slug);

      CREATE TABLE templates (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        os_type TEXT NOT NULL,
        proxmox_vmid INTEGER NOT NULL,
        cores INTEGER NOT NULL,
        memory_mb INTEGER NOT NULL,
        disk_gb INTEGER NOT NULL,
        default_ttl_hours INTEGER NOT NULL,
        max_ttl_hours INTEGER,               -- NULL = no maximum (8760 bounds one prolong step)
        active INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE deployments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        template_id INTEGER NOT NULL REFERENCES templates(id),
        owner_id INTEGER NOT NULL REFERENCES users(id),
        vmid INTEGER,
        node TEXT NOT NULL,
        cores INTEGER NOT NULL,
        memory_mb INTEGER NOT NULL,
        disk_gb INTEGER NOT NULL,
        ip_addresses TEXT NOT NULL DEFAULT '[]',
        never_expires INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER,                  -- ms since epoch; NULL when never_expires
        pending_action TEXT,                 -- a Proxmox action under way; refuses a second one
        vm_stopped INTEGER NOT NULL DEFAULT 1, -- last known power state, so expiry can retry a failed stop
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX deployments_owner ON deployments(owner_id, id);
      CREATE INDEX deployments_status ON deployments(status, id);
      -- One VMID belongs to one live deployment; the reservation races are settled by this index.
      CREATE UNIQUE INDEX deployments_vmid ON deployments(vmid) WHERE vmid IS NOT NULL AND status NOT IN ('DELETED', 'FAILED');
      -- The sweep reads only deployments that can expire, so its cost follows the expired count, not the total.
      CREATE INDEX deployments_due ON deployments(expires_at) WHERE status IN ('STOPPED', 'RUNNING') AND never_expires = 0;
      CREATE INDEX deployments_unstopped_expired ON deployments(id) WHERE status = 'EXPIRED' AND vm_stopped = 0;

      CREATE TABLE shares (
        deployment_id INTEGER NOT NULL REFERENCES deployments(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_by INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (deployment_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX shares_user ON shares(user_id, deployment_id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- AUTOINCREMENT: ids are never reused, so a deleted last row shows as a gap to audit:verify.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor_id INTEGER,
        actor_login TEXT,
        action TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        deployment_id INTEGER,
        result TEXT NOT NULL,
        status INTEGER,
        details TEXT NOT NULL,
        ip TEXT,
        user_agent TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_actor ON audit_log(actor_id, id);
      CREATE INDEX audit_action ON audit_log(action, id);
      CREATE INDEX audit_deployment ON audit_log(deployment_id, id);
      CREATE INDEX audit_at ON audit_log(at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 2,
    sql: `
      -- Page totals (X-WP-Total) without counting every row on each list request: the counts per owner and
      -- status are kept by triggers in the same transaction as the change, so they can never drift.
      CREATE TABLE deployment_counts (
        owner_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (owner_id, status)
      ) WITHOUT ROWID;
      INSERT INTO deployment_counts (owner_id, status, n) SELECT owner_id, status, COUNT(*) FROM deployments GROUP BY owner_id, status;

      CREATE TRIGGER deployment_counts_insert AFTER INSERT ON deployments BEGIN
        INSERT INTO deployment_counts (owner_id, status, n) VALUES (NEW.owner_id, NEW.status, 1)
          ON CONFLICT (owner_id, status) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER deployment_counts_update AFTER UPDATE OF owner_id, status ON deployments
        WHEN OLD.owner_id <> NEW.owner_id OR OLD.status <> NEW.status BEGIN
        UPDATE deployment_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND status = OLD.status;
        INSERT INTO deployment_counts (owner_id, status, n) VALUES (NEW.owner_id, NEW.status, 1)
          ON CONFLICT (owner_id, status) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER deployment_counts_delete AFTER DELETE ON deployments BEGIN
        UPDATE deployment_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND status = OLD.status;
      END;
    `,
  },
  {
    version: 3,
    sql: `
      -- Provisioning records its step before each Proxmox call, so a restarted sidecar knows whether a
      -- clone may have been sent for the reserved VMID (resume it) or not (clone again).
      ALTER TABLE deployments ADD COLUMN provision_step TEXT;
    `,
  },
  {
    version: 4,
    sql: `
      -- A Proxmox failure in two readings: last_error for everyone (what to do), last_error_detail for
      -- those who manage the Proxmox settings (host, port, codes). Older rows held the detail only.
      ALTER TABLE deployments ADD COLUMN last_error_detail TEXT;
      UPDATE deployments SET last_error_detail = last_error,
        last_error = 'The last action in Proxmox failed. Please try again; if it fails again, tell your portal administrator.'
        WHERE last_error IS NOT NULL;
    `,
  },
  {
    version: 5,
    sql: `
      -- Facts about the portal itself. bootstrap_ended_at: once somebody held 'Manage rights', WordPress
      -- administrators never get every right by default again, even when no holder is left.
      CREATE TABLE portal_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO portal_state (key, value)
        SELECT 'bootstrap_ended_at', CAST(CAST(strftime('%s', 'now') AS INTEGER) * 1000 AS TEXT)
        WHERE EXISTS (SELECT 1 FROM user_rights WHERE right_slug = 'rights.manage');
      -- A right granted by an administrator acting through the bootstrap lasts as long as they stay one.
      ALTER TABLE user_rights ADD COLUMN granted_in_bootstrap_by INTEGER;
      CREATE INDEX user_rights_bootstrap ON user_rights(granted_in_bootstrap_by) WHERE granted_in_bootstrap_by IS NOT NULL;
    `,
  },
  {
    version: 6,
    sql: `
      -- Audit retention: rows older than the chosen retention move to an archive file in the data folder;
      -- a checkpoint, signed with the data folder's audit key, records where the chain continues (the last
      -- archived row's hash) and the file's SHA-256, so the chain left in the database stays verifiable.
      CREATE TABLE audit_checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        from_id INTEGER NOT NULL,
        from_prev_hash TEXT NOT NULL,
        through_id INTEGER NOT NULL,
        through_hash TEXT NOT NULL,
        rows INTEGER NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        archive_file TEXT NOT NULL,
        archive_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        signature TEXT NOT NULL
      );
      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
      CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
      -- Only rows a checkpoint covers may leave the log (audit:verify checks the checkpoint's signature).
      DROP TRIGGER audit_log_no_delete;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE through_id >= OLD.id) BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only: only rows an audit checkpoint archived may be removed');
      END;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`The database is at schema version ${current}, newer than this sidecar (${SCHEMA_VERSION}). Upgrade the sidecar.`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
