/**
 * Stateful Proxmox VE API simulator (PVE 8.4 / 9.1 wire format) for the HTTP Proxmox client's tests and for
 * running the portal locally in HTTP mode. See simulator/README.md.
 *
 *   const sim = await startSimulator({ version: '9.1', unauthorizedDelayMs: 0 });
 *   // https://127.0.0.1:PORT/api2/json/..., trust sim.caPem, Authorization: PVEAPIToken=<id>=<secret>
 *   await sim.close();
 */
import type { Simulator } from './types';

export { startSimulator, DEFAULT_TIMINGS, REALISTIC_TIMINGS } from './server';
export { DEFAULT_TEMPLATES } from '../src/proxmox/model/engine';
export { allPrivileges, portalPrivileges } from './privileges';
export { UPID_RE, decodeUpid, encodeUpid, type UpidParts } from './upid';
export { createTls, loadOrCreateTls, fingerprint256, type TlsMaterial } from './x509';
export type { Fault, SimRequestRecord, SimToken, Simulator, SimulatorOptions } from './types';
export type { SimGuestSpec, SimTaskInfo, SimTimings, SimVersion, SimVmInfo } from '../src/proxmox/model/types';

/** The portal's settings (PUT /v1/settings body) that make it talk HTTP to this simulator, trusting its CA. */
export function portalSettingsFor(sim: Simulator): { mode: 'http'; baseUrl: string; tokenId: string; tokenSecret: string; node: string; tlsCaPem: string } {
  return { mode: 'http', baseUrl: sim.url, tokenId: sim.token.id, tokenSecret: sim.token.secret, node: sim.node, tlsCaPem: sim.caPem };
}
