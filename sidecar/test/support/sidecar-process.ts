/**
 * The built sidecar (dist/src/main.js) as its own process, for tests that kill it: the same start path as
 * `npm run sidecar`, configured through the environment, signed calls as WordPress makes them.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@spp/tools';
import { join } from 'node:path';
import { KEY_HEX, readAnswer, signedHeaders, TestUser, Answer } from './harness';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export class SidecarProcess {
  private child: ChildProcess | null = null;
  private output = '';
  readonly baseUrl: string;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(dataDir: string, env: Record<string, string> = {}): Promise<SidecarProcess> {
    const p = new SidecarProcess(dataDir, await freePort(), env);
    await p.restart();
    return p;
  }

  /** Starts (again) on the same data folder and port; resolves once /healthz answers. */
  async restart(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error('the sidecar is still running');
    this.output = '';
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        SPP_DATA_DIR: this.dataDir,
        SPP_SIDECAR_PORT: String(this.port),
        SPP_SIGNING_KEYS: `k1:${KEY_HEX}`,
        SPP_PROXMOX_POLL_MS: '50',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      if (this.output.length < 200_000) this.output += d.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the sidecar exited with ${child.exitCode}: ${this.output}`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the sidecar did not start within 15 s: ${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL: no shutdown code runs, exactly as a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  log(): string {
    return this.output;
  }

  async call(actor: TestUser, method: string, target: string, body?: unknown): Promise<Answer> {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
    const headers = signedHeaders(actor, method, target, bytes, Math.floor(Date.now() / 1000));
    if (bytes.length > 0) headers['Content-Type'] = 'application/json';
    return readAnswer(await fetch(`${this.baseUrl}${target}`, { method, headers, body: bytes.length > 0 ? bytes : undefined }));
  }
}
