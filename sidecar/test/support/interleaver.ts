/**
 * Holds every Proxmox call of the portal at its await point until the test lets it go, and tells whose
 * call it is: the background actor runs inside `asBackground()` (its async context marks its calls, and
 * the work it spawns), everything else, requests included, is the user's. With it a test can park one
 * side at its k-th call, run the other to its end, and let the first go on: one interleaving per k.
 * Each call holds twice: before it is sent and before its answer is handed back; a held `waitTask` is a
 * task that runs on in Proxmox while the portal does not yet know it ended.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxmoxClient } from '../../src/proxmox/client';

export type Side = 'background' | 'user';

interface HeldCall {
  side: Side;
  op: string;
  release(): void;
}

/** A side's work with its settled flag, so the scheduler can tell "done" from "busy". */
export interface Running {
  side: Side;
  done: boolean;
  promise: Promise<void>;
}

export class Interleaver {
  private readonly context = new AsyncLocalStorage<Side>();
  private holding = false;
  private held: HeldCall[] = [];
  private wake: (() => void) | null = null;
  /** Each call as it was let go, `side:op`, for the failure messages. */
  readonly trace: string[] = [];

  /** The client the portal gets: each method waits at the gate while calls are held. */
  wrap(inner: ProxmoxClient): ProxmoxClient {
    return new Proxy(inner, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          // Two await points a call: before it is sent, and before its answer reaches the portal
          // (Proxmox has acted, the portal does not know yet).
          await this.gate(String(key));
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            await this.gate(`${String(key)}→answer`);
          }
        };
      },
    });
  }

  /** Runs work as the background side; its Proxmox calls, and those of work it starts, are marked so. */
  start(side: Side, work: () => Promise<unknown>): Running {
    const run = () => work().then(() => undefined);
    const running: Running = { side, done: false, promise: Promise.resolve() };
    running.promise = (side === 'background' ? this.context.run('background', run) : run()).finally(() => {
      running.done = true;
      this.notify();
    });
    return running;
  }

  /**
   * Stops marking calls. Node 20 runs AsyncLocalStorage on async hooks, which tax every promise of the
   * process while any store is enabled: a test suite that left it on would slow every later suite.
   */
  close(): void {
    this.releaseAll();
    this.context.disable();
  }

  hold(): void {
    this.holding = true;
  }

  /** Lets every held call go and stops holding. */
  releaseAll(): void {
    this.holding = false;
    for (const call of this.held.splice(0)) this.letGo(call);
  }

  hasHeld(side: Side): boolean {
    return this.held.some((c) => c.side === side);
  }

  /** Lets the oldest held call of a side go; false when it has none. */
  releaseOne(side: Side): boolean {
    const i = this.held.findIndex((c) => c.side === side);
    if (i < 0) return false;
    const [call] = this.held.splice(i, 1);
    this.letGo(call as HeldCall);
    return true;
  }

  /**
   * Waits until the side has a call held, or its work is done, or nothing happens for `quietMs` (it waits
   * for the other side, or sleeps). Timers of the portal (poll pauses of a few ms) are shorter than that.
   */
  async next(running: Running, quietMs: number): Promise<'held' | 'done' | 'quiet'> {
    const deadline = Date.now() + quietMs;
    for (;;) {
      if (this.hasHeld(running.side)) return 'held';
      if (running.done) return 'done';
      const left = deadline - Date.now();
      if (left <= 0) return 'quiet';
      const timer = new AbortController();
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), sleep(left, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    }
  }

  private gate(op: string): Promise<void> {
    if (!this.holding) return Promise.resolve();
    const side = this.context.getStore() ?? 'user';
    return new Promise<void>((resolve) => {
      this.held.push({ side, op, release: resolve });
      this.notify();
    });
  }

  private letGo(call: HeldCall): void {
    this.trace.push(`${call.side}:${call.op}`);
    call.release();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
