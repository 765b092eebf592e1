/**
 * The simulated node's records and the JSON file they persist to, so a restarted mock or simulator carries on
 * where it stopped: UPIDs handed out before can still be awaited, a clone running at shutdown still ends.
 * Written atomically (temp file + rename), and read strictly: a malformed file is refused, never overwritten.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const config = z.record(z.string(), z.string());

const vmRecord = z.object({
  vmid: z.number().int().nonnegative(),
  /** The config file: key → value as written in /etc/pve/qemu-server/<vmid>.conf. */
  config,
  status: z.enum(['running', 'stopped']),
  /** When the guest reached `running` (epoch ms). */
  startedAt: z.number().nullable(),
  pid: z.number().int().nullable(),
  /** Whether the guest reacts to an ACPI shutdown. */
  acpi: z.boolean(),
  createdAt: z.number(),
  clonedFrom: z.number().int().nullable(),
  linked: z.boolean(),
  pool: z.string().nullable(),
});

const vmid = z.number().int().nonnegative();
const taskAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('clone'), src: vmid, newid: vmid, finalConfig: config, pool: z.string().nullable(), linked: z.boolean(), fail: z.string().nullable() }),
  z.object({ kind: z.literal('start'), vmid }),
  /** `honoured`: the guest powers off within the shutdown's timeout. */
  z.object({ kind: z.literal('shutdown'), vmid, honoured: z.boolean(), forceStop: z.boolean(), wasRunning: z.boolean() }),
  z.object({ kind: z.literal('stop'), vmid }),
  z.object({ kind: z.literal('destroy'), vmid }),
  z.object({ kind: z.literal('config'), vmid, set: config, del: z.array(z.string()) }),
  /** A task that fails its own checks: it ends with this message and changes nothing. */
  z.object({ kind: z.literal('fail'), message: z.string() }),
]);

const taskRecord = z.object({
  upid: z.string(),
  node: z.string(),
  pid: z.number().int(),
  pstart: z.number().int(),
  starttime: z.number().int(),
  type: z.string(),
  id: z.string(),
  /** `user@realm` */
  user: z.string(),
  tokenid: z.string().nullable(),
  status: z.enum(['running', 'stopped']),
  exitstatus: z.string().nullable(),
  log: z.array(z.string()),
  endsAt: z.number(),
  action: taskAction,
  /** Exit status forced by a fault. */
  forcedExit: z.string().nullable(),
});

const stateFile = z.object({
  format: z.literal(1),
  version: z.enum(['8.4', '9.1']),
  node: z.string(),
  bootEpoch: z.number(),
  pidCounter: z.number().int(),
  vms: z.array(vmRecord),
  tasks: z.array(taskRecord),
  /** Storage lock key (`<src>:<storage>`) → when the last full clone holding or queued on it ends. */
  cloneQueue: z.record(z.string(), z.number()),
});

/** The file the mock wrote before it ran on this model: its VMs are kept, its tasks had all ended or are lost. */
const legacyMockFile = z.object({
  version: z.literal(1),
  vms: z.array(
    z.object({
      vmid,
      name: z.string().nullable(),
      status: z.enum(['running', 'stopped']),
      lock: z.string().nullable(),
      tags: z.array(z.string()),
      template: z.boolean(),
      cores: z.number().int().positive(),
      memoryMb: z.number().int().positive(),
      diskGb: z.number().nonnegative(),
      osType: z.string().nullable(),
      onboot: z.boolean(),
    }),
  ),
});

export type VmRec = z.infer<typeof vmRecord>;
export type TaskAction = z.infer<typeof taskAction>;
export type TaskRec = z.infer<typeof taskRecord>;
export type NodeState = z.infer<typeof stateFile>;
export type LegacyMockVm = z.infer<typeof legacyMockFile>['vms'][number];

/** null when the file does not exist yet; throws on an unreadable or malformed file. */
export function loadNodeState(file: string): { state: NodeState } | { legacyVms: LegacyMockVm[] } | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Proxmox state file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = stateFile.safeParse(json);
  if (parsed.success) return { state: parsed.data };
  const legacy = legacyMockFile.safeParse(json);
  if (legacy.success) return { legacyVms: legacy.data.vms };
  const issue = parsed.error.issues[0];
  throw new Error(`Proxmox state file ${file} is malformed: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
}

export function saveNodeState(file: string, state: NodeState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
  renameSync(temp, file);
}
