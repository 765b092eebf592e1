/**
 * Proxmox task ids: the simulator writes them with the same encoder the portal reads them with (the format
 * is Proxmox's `PVE::Tools::upid_encode`, fixed; see src/proxmox/upid.ts).
 */
export { formatUpid as encodeUpid, parseUpid as decodeUpid, UPID_PATTERN as UPID_RE, type UpidParts } from '../src/proxmox/upid';
