/**
 * The mock's persistent state and its JSON file: loaded once, rewritten atomically (temp file + rename)
 * so a crash mid-write never leaves a half-written file that would lose every VM on the next start.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const vmRecord = z.object({
  vmid: z.number().int().nonnegative(),
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
  /** Epoch ms when the VM became running; drives the guest-agent delay. */
  startedAt: z.number().nullable(),
});

const taskRecord = z.object({
  upid: z.string(),
  type: z.enum(['qmclone', 'qmstart', 'qmshutdown', 'qmstop', 'qmdestroy']),
  /** The VM the task's effect applies to (for qmclone the new VM, not the template). */
  vmid: z.number().int().nonnegative(),
  /** Epoch ms when the task ends. */
  endsAt: z.number(),
  /** Decided when the task was created (fault injection, already running): ends with this, no effect. */
  failWith: z.string().nullable(),
  /** null while the task is running. */
  result: z.object({ ok: z.boolean(), exitStatus: z.string() }).nullable(),
});

const stateFile = z.object({
  version: z.literal(1),
  upidCounter: z.number().int().nonnegative(),
  vms: z.array(vmRecord),
  // Tasks are kept so a UPID handed out before a restart can still be awaited afterwards.
  tasks: z.array(taskRecord),
});

export type MockVmRecord = z.infer<typeof vmRecord>;
export type MockTaskRecord = z.infer<typeof taskRecord>;
export type MockTaskType = MockTaskRecord['type'];
export type MockStateData = z.infer<typeof stateFile>;

/** null when the file does not exist yet; throws on an unreadable or malformed file rather than overwrite it. */
export function loadMockState(file: string): MockStateData | null {
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
    throw new Error(`mock Proxmox state file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = stateFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`mock Proxmox state file ${file} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function saveMockState(file: string, state: MockStateData): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, file);
}
