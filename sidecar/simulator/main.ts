#!/usr/bin/env node
/**
 * Runs the Proxmox VE simulator as a process (dist/simulator/main.js):
 *
 *   node dist/simulator/main.js --port 8006 --version 9.1 --state .spp-data/pve-sim [--realistic]
 *
 * The state folder keeps the CA (ca.pem — what the portal must trust), the server certificate, the API token
 * (token.json) and the VMs and tasks (state.json), so a restarted simulator continues where it stopped.
 * SIGTERM/SIGINT close it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_TIMINGS, REALISTIC_TIMINGS, startSimulator } from './server';
import { portalPrivileges } from './privileges';
import type { SimVersion } from '../src/proxmox/model/types';
import { loadOrCreateTls } from './x509';

const USAGE = `usage: main.js [--port 8006] [--host 127.0.0.1] [--version 9.1|8.4] [--node pve] [--state DIR]
                [--realistic] [--unauthorized-delay-ms 3000] [--serialize-clone-locks] [--all-privileges]`;

interface Args {
  port: number;
  host: string;
  version: SimVersion;
  node: string;
  state: string;
  realistic: boolean;
  unauthorizedDelayMs: number;
  serializeCloneLocks: boolean;
  allPrivileges: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    port: 8006,
    host: '127.0.0.1',
    version: '9.1',
    node: 'pve',
    state: '.pve-simulator',
    realistic: false,
    unauthorizedDelayMs: 3000,
    serializeCloneLocks: false,
    allPrivileges: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--port') args.port = Number(next());
    else if (a === '--host') args.host = next();
    else if (a === '--version') {
      const v = next();
      if (v !== '9.1' && v !== '8.4') throw new Error(`--version must be 9.1 or 8.4, not ${v}`);
      args.version = v;
    } else if (a === '--node') args.node = next();
    else if (a === '--state') args.state = next();
    else if (a === '--realistic') args.realistic = true;
    else if (a === '--unauthorized-delay-ms') args.unauthorizedDelayMs = Number(next());
    else if (a === '--serialize-clone-locks') args.serializeCloneLocks = true;
    else if (a === '--all-privileges') args.allPrivileges = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${String(a)}\n${USAGE}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = resolve(args.state);
  mkdirSync(dir, { recursive: true });
  const tls = loadOrCreateTls(dir, args.node, [...new Set([args.host, '127.0.0.1', '::1', 'localhost', args.node])].filter((h) => h !== '0.0.0.0' && h !== '::'));
  const tokenFile = join(dir, 'token.json');
  let token: { id: string; secret: string };
  if (existsSync(tokenFile)) token = JSON.parse(readFileSync(tokenFile, 'utf8')) as { id: string; secret: string };
  else {
    token = { id: 'spp@pve!portal', secret: randomUUID() };
    writeFileSync(tokenFile, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600 });
  }
  const sim = await startSimulator({
    version: args.version,
    node: args.node,
    host: args.host,
    port: args.port,
    tls,
    tokens: [{ id: token.id, secret: token.secret, privileges: args.allPrivileges ? 'all' : portalPrivileges(args.version), privsep: true }],
    timings: args.realistic ? REALISTIC_TIMINGS : DEFAULT_TIMINGS,
    unauthorizedDelayMs: args.unauthorizedDelayMs,
    serializeCloneLocks: args.serializeCloneLocks,
    stateFile: join(dir, 'state.json'),
  });
  console.log(`Proxmox VE ${args.version} simulator (node ${sim.node})
  url:          ${sim.url}/api2/json
  token id:     ${sim.token.id}
  token secret: ${sim.token.secret}   (${tokenFile})
  CA:           ${join(dir, 'ca.pem')}
  fingerprint:  ${sim.certFingerprint256}
  templates:    ${sim
    .vms()
    .filter((v) => v.template)
    .map((v) => `${v.vmid} ${v.name}`)
    .join(', ')}
  timings:      ${args.realistic ? 'realistic (clone 3 s, start 1 s, agent 2 s after start)' : 'fast'}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
