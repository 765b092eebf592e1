/** Keeps track of work that outlives a request (provisioning, IP polling, expiry stops), so shutdown and tests can wait for it. */
import type { Logger } from '../logger';

export class Background {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts the work; the promise it returns settles with it and never rejects (failures are logged). */
  run(name: string, work: () => Promise<void>): Promise<void> {
    const p: Promise<void> = work()
      .catch((err: unknown) => this.log.error(`${name} failed`, { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }

  /** Resolves once nothing is running, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
