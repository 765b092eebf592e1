/**
 * JSON-lines logging. Request bodies and settings values are never logged; token credentials that an
 * error text might still carry are redacted from every line.
 */
import { redactCredentials } from './proxmox/credentials';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit = (level: string) => (message: string, fields: Record<string, unknown> = {}) =>
    write(`${redactCredentials(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }))}\n`);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
