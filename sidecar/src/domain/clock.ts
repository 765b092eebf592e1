/** Milliseconds since the epoch; injected everywhere so tests can move time (expiry, rate limits). */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const HOUR_MS = 3_600_000;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
