/** Configuration from the environment, validated at start with one clear message per mistake. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Keyring, parseKeyring } from './auth/keyring';
import { HostAllowList } from './proxmox/host-allow-list';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  keyring: Keyring;
  /** Where a generated key was written, when SPP_SIGNING_KEYS was not given. */
  generatedKeyFile: string | null;
  sweepIntervalMs: number;
  reconcileIntervalMs: number;
  /** How often a Proxmox task's status is read while waiting for it. */
  proxmoxPollMs: number;
  /** SPP_PROXMOX_HOSTS: the only Proxmox hosts the settings may name; null allows every host. */
  proxmoxHosts: HostAllowList | null;
}

export const GENERATED_KEY_FILE = 'signing-key';

// INIT_CWD is where `npm run …` was typed, so `npm start` and `npm run call` at the root share one data folder.
export function loadConfig(env: NodeJS.ProcessEnv, cwd = env.INIT_CWD ?? process.cwd()): Config {
  const problems: string[] = [];
  const host = env.SPP_SIDECAR_HOST ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) problems.push(`SPP_SIDECAR_HOST '${host}' is not a host name or address.`);
  const portText = env.SPP_SIDECAR_PORT ?? '8787';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port < 1 || port > 65535) problems.push(`SPP_SIDECAR_PORT '${portText}' must be a port number from 1 to 65535.`);
  const dataDirText = env.SPP_DATA_DIR ?? '.spp-data';
  const dataDir = isAbsolute(dataDirText) ? dataDirText : resolve(cwd, dataDirText);
  const whole = (name: string, fallback: string, min: number, unit: string): number => {
    const text = env[name] ?? fallback;
    if (!/^[0-9]+$/.test(text) || Number(text) < min) problems.push(`${name} '${text}' must be a whole number of ${unit}, at least ${min}.`);
    return Number(text);
  };
  const sweepSeconds = whole('SPP_EXPIRY_SWEEP_SECONDS', '60', 1, 'seconds');
  const reconcileSeconds = whole('SPP_RECONCILE_SECONDS', '300', 10, 'seconds');
  // Proxmox's daemons have three workers each; polling much faster than once a second only competes with real work.
  const proxmoxPollMs = whole('SPP_PROXMOX_POLL_MS', '1000', 50, 'milliseconds');

  let proxmoxHosts: HostAllowList | null = null;
  try {
    proxmoxHosts = HostAllowList.parse(env.SPP_PROXMOX_HOSTS);
  } catch (err) {
    problems.push(`SPP_PROXMOX_HOSTS: ${(err as Error).message}.`);
  }

  let keyring: Keyring | null = null;
  let generatedKeyFile: string | null = null;
  if (env.SPP_SIGNING_KEYS !== undefined && env.SPP_SIGNING_KEYS.trim() !== '') {
    try {
      keyring = parseKeyring(env.SPP_SIGNING_KEYS);
    } catch (err) {
      problems.push(`SPP_SIGNING_KEYS: ${(err as Error).message}.`);
    }
  }
  if (problems.length > 0) throw new Error(`The sidecar's configuration has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!keyring) {
    generatedKeyFile = join(dataDir, GENERATED_KEY_FILE);
    if (!existsSync(generatedKeyFile)) writeFileSync(generatedKeyFile, `k1:${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    keyring = parseKeyring(readFileSync(generatedKeyFile, 'utf8').trim());
  }
  return { host, port, dataDir, keyring, generatedKeyFile, sweepIntervalMs: sweepSeconds * 1000, reconcileIntervalMs: reconcileSeconds * 1000, proxmoxPollMs, proxmoxHosts };
}
