/**
 * Stateful Proxmox VE API simulator (PVE 8.4 / 9.1 wire format) for the HTTP Proxmox client's tests and for
 * running the portal locally in HTTP mode. See simulator/README.md.
 *
 *   const sim = await startSimulator({ version: '9.1', unauthorizedDelayMs: 0 });
 *   // https://127.0.0.1:PORT/api2/json/..., trust sim.caPem, Authorization: PVEAPIToken=<id>=<secret>
 *   await sim.close();
 */
export { startSimulator, DEFAULT_TIMINGS, REALISTIC_TIMINGS } from './server';
export { DEFAULT_TEMPLATES } from './engine';
export { allPrivileges, portalPrivileges } from './privileges';
export { UPID_RE, decodeUpid, encodeUpid, type UpidParts } from './upid';
export { createTls, loadOrCreateTls, fingerprint256, type TlsMaterial } from './x509';
export type {
  Fault,
  SimGuestSpec,
  SimRequestRecord,
  SimTaskInfo,
  SimTimings,
  SimToken,
  SimVersion,
  SimVmInfo,
  Simulator,
  SimulatorOptions,
} from './types';
