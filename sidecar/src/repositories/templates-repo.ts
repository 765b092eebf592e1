/** Approved templates: the only way to provision, with the sizes and TTL policy a deployment copies. */
import type { Db } from '../db/open';

import type { Template, TemplateFields } from '@spp/contract';


interface TemplateRow {
  id: number;
  name: string;
  description: string;
  os_type: string;
  proxmox_vmid: number;
  cores: number;
  memory_mb: number;
  disk_gb: number;
  default_ttl_hours: number;
  max_ttl_hours: number | null;
  active: number;
}

const toTemplate = (r: TemplateRow): Template => ({
  id: r.id,
  name: r.name,
  description: r.description,
  osType: r.os_type,
  proxmoxVmid: r.proxmox_vmid,
  cores: r.cores,
  memoryMb: r.memory_mb,
  diskGb: r.disk_gb,
  defaultTtlHours: r.default_ttl_hours,
  maxTtlHours: r.max_ttl_hours,
  active: r.active === 1,
});

const toRow = (t: TemplateFields) => ({
  name: t.name,
  description: t.description,
  os_type: t.osType,
  proxmox_vmid: t.proxmoxVmid,
  cores: t.cores,
  memory_mb: t.memoryMb,
  disk_gb: t.diskGb,
  default_ttl_hours: t.defaultTtlHours,
  max_ttl_hours: t.maxTtlHours,
  active: t.active ? 1 : 0,
});

export class TemplatesRepo {
  constructor(private readonly db: Db) {}

  list(activeOnly: boolean): Template[] {
    const sql = `SELECT * FROM templates ${activeOnly ? 'WHERE active = 1' : ''} ORDER BY name COLLATE NOCASE, id`;
    return this.db.prepare<[], TemplateRow>(sql).all().map(toTemplate);
  }

  get(id: number): Template | null {
    const row = this.db.prepare<[number], TemplateRow>('SELECT * FROM templates WHERE id = ?').get(id);
    return row ? toTemplate(row) : null;
  }

  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM templates').get()?.n ?? 0;
  }

  insert(t: TemplateFields, now: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO templates (name, description, os_type, proxmox_vmid, cores, memory_mb, disk_gb, default_ttl_hours, max_ttl_hours, active, created_at, updated_at)
         VALUES (@name, @description, @os_type, @proxmox_vmid, @cores, @memory_mb, @disk_gb, @default_ttl_hours, @max_ttl_hours, @active, @now, @now)`,
      )
      .run({ ...toRow(t), now });
    return Number(info.lastInsertRowid);
  }

  update(id: number, t: TemplateFields, now: number): void {
    this.db
      .prepare(
        `UPDATE templates SET name = @name, description = @description, os_type = @os_type, proxmox_vmid = @proxmox_vmid, cores = @cores,
         memory_mb = @memory_mb, disk_gb = @disk_gb, default_ttl_hours = @default_ttl_hours, max_ttl_hours = @max_ttl_hours,
         active = @active, updated_at = @now WHERE id = @id`,
      )
      .run({ ...toRow(t), id, now });
  }
}
