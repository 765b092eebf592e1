/** Key/value settings rows; the meaning and defaults of each key live in domain/settings.ts. */
import type { Db } from '../db/open';

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  all(): Map<string, string> {
    return new Map(this.db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings').all().map((r) => [r.key, r.value]));
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
