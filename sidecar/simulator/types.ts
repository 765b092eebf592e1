/** Public types of the Proxmox VE simulator's HTTP front (see index.ts and README.md); the node's own are the model's. */
import type { SimGuestSpec, SimTaskInfo, SimTimings, SimVersion, SimVmInfo } from '../src/proxmox/model/types';

export interface SimToken {
  /** `user@realm!name`, e.g. `spp@pve!portal`. */
  id: string;
  /** The token secret (Proxmox uses a lowercase UUID; any string without `;` works here). */
  secret: string;
  /**
   * The token's effective privileges: `'all'` (Administrator on `/`), or a list where `'VM.Audit'` is granted
   * on `/` (propagating) and `'/vms/9001:VM.Audit'` only on that path and below. An empty list is a
   * privilege-separated token without ACLs: lists come back empty, everything else is 403.
   */
  privileges: string[] | 'all';
  /** Informational (Proxmox's default is 1): `privileges` already is the effective, intersected set. */
  privsep?: boolean;
}

export interface SimulatorOptions {
  version?: SimVersion;
  /** Node name (default `pve`). */
  node?: string;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen port (default 0: a free one). */
  port?: number;
  /** Default: one token `spp@pve!portal` with a random secret and the portal's privileges for the version. */
  tokens?: SimToken[];
  /** Default: 9001 pbx-test-appliance, 9002 windows-support-client, 9003 linux-utility. */
  templates?: SimGuestSpec[];
  /** Ordinary VMs present at start (default none). */
  vms?: SimGuestSpec[];
  /** Existing resource pools (for `clone ... pool=`; default none). */
  pools?: string[];
  timings?: SimTimings;
  /** Delay of every 401 (Proxmox: 3000 ms, the default). */
  unauthorizedDelayMs?: number;
  /**
   * false (default): overlapping full clones of the same template onto the same storage fail like on a real
   * node (`clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout`).
   * true: the simulator queues them instead, so each one waits for the previous and succeeds.
   */
  serializeCloneLocks?: boolean;
  /** Persist VMs and tasks here (JSON) so a restarted simulator continues where it stopped. */
  stateFile?: string;
  /** Reuse certificates (e.g. from loadOrCreateTls); default: a fresh CA and server certificate. */
  tls?: { caPem: string; caKeyPem?: string; certPem: string; keyPem: string };
  /**
   * Put the message into error bodies (`{"data":null,"message":"...\n"}`, libpve-http-server >= 5.2).
   * Default: true for 9.1, false for 8.4 (body `{"data":null}` only, message in the status line).
   */
  errorMessageInBody?: boolean;
  /** Lowest VMID /cluster/nextid hands out (datacenter.cfg next-id lower; default 100). */
  nextIdLower?: number;
  /** pveproxy closes a connection idle this long (its `timeout`, 5 s); tests shorten it. */
  idleTimeoutMs?: number;
  /** Requests one connection serves before pveproxy answers `Connection: close` (its `keep_alive`, 100). */
  keepAliveRequests?: number;
}

/** What the simulator's TLS front saw, so tests can tell their calls really crossed several connections. */
export interface SimConnectionStats {
  /** TLS connections accepted. */
  accepted: number;
  /** Of those, how many resumed an earlier session (a ticket): no certificate was sent on them. */
  resumed: number;
  /** Connections the simulator closed: idle timeout, `Connection: close`, dropConnections(). */
  closedByServer: number;
  closedByClient: number;
  /** TLS handshakes that failed (the client refused the certificate, or gave up). */
  refusedHandshakes: number;
  /** Open now. */
  open: number;
}

export type Fault = {
  method?: string;
  /** Path after `/api2/json` (exact match, query ignored), or a RegExp tested against it. */
  path: string | RegExp;
  /** How many matching requests it affects (default 1). */
  times?: number;
} & (
  | { status: number; message: string }
  | { delayMs: number }
  | { destroySocket: true }
  | { taskExit: string; taskMs?: number }
  | { slowTaskMs: number }
);

export interface SimRequestRecord {
  method: string;
  /** Path after `/api2/json` (URI-decoded), without the query. */
  path: string;
  query: Record<string, string>;
  /** Parsed body (form fields or JSON), null without a body, the raw text when unparseable. */
  body: Record<string, unknown> | string | null;
  status: number;
  /** Token id of an authenticated request, else null. */
  tokenId: string | null;
}

export interface Simulator {
  /** `https://HOST:PORT` (without /api2/json). */
  url: string;
  caPem: string;
  certPem: string;
  /** `AB:CD:...` uppercase colon hex of the server certificate's DER SHA-256. */
  certFingerprint256: string;
  node: string;
  /** `8.4` or `9.1`. */
  version: SimVersion;
  /** The first configured token. */
  token: { id: string; secret: string };
  inject(fault: Fault): void;
  clearFaults(): void;
  setPrivileges(tokenId: string, privileges: string[] | 'all'): void;
  lockVm(vmid: number, lock: string | null): void;
  setAcpi(vmid: number, honoured: boolean): void;
  vms(): SimVmInfo[];
  tasks(): SimTaskInfo[];
  requests(): SimRequestRecord[];
  connections(): SimConnectionStats;
  /** Closes every open connection at once, idle or not, as a pveproxy restart or worker recycle does. */
  dropConnections(): void;
  close(): Promise<void>;
}
