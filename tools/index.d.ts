/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number>;
export function sleep(ms: number): Promise<void>;
/**
 * Calls `probe` until it gives something truthy, and resolves with that;
 * throws "timed out after N s waiting for <what>" when `timeoutMs` have passed.
 */
export function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, options?: { timeoutMs?: number; intervalMs?: number }): Promise<NonNullable<T>>;
