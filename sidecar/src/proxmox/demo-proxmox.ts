/**
 * The demo Proxmox, defined once for the mock (the embedded default), the simulator and the portal's
 * seeded templates: the templates on its node and the addresses its guests report. Only the RFC 5737
 * documentation ranges are used, so a demo address can never be mistaken for (or route to) a real machine.
 */
import type { ProxmoxTemplate } from '@spp/contract';

/** The three templates the portal ships approved (domain/templates.ts seeds them from these). */
export const DEMO_TEMPLATES = [
  { vmid: 9001, name: 'pbx-test-appliance', cores: 2, memoryMb: 2048, diskGb: 16, osType: 'l26' },
  { vmid: 9002, name: 'windows-support-client', cores: 4, memoryMb: 8192, diskGb: 64, osType: 'win11' },
  { vmid: 9003, name: 'linux-utility', cores: 2, memoryMb: 4096, diskGb: 32, osType: 'l26' },
] as const satisfies readonly ProxmoxTemplate[];

/** One more on the mock's node, so that "Import from Proxmox" has something new to offer. */
export const DEMO_UNAPPROVED_TEMPLATE: ProxmoxTemplate = { vmid: 9004, name: 'ubuntu-2404-template', cores: 2, memoryMb: 4096, diskGb: 32, osType: 'l26' };

const RANGES = ['192.0.2', '198.51.100', '203.0.113'] as const;
const HOSTS_PER_RANGE = 254; // .1 .. .254; .0 and .255 are network/broadcast

/** How many VMIDs (0 .. CAPACITY-1) get pairwise different addresses: 3 × 254 = 762. */
export const GUEST_IP_CAPACITY = RANGES.length * HOSTS_PER_RANGE;

/** The IPv4 address a demo guest agent reports for a VMID: always the same for the same VMID. */
export function guestIpv4(vmid: number): string {
  if (!Number.isInteger(vmid) || vmid < 0) throw new RangeError(`invalid VMID ${vmid}`);
  // One slot per VMID, ranges filled one after the other, so VMIDs below the capacity never collide.
  const slot = vmid % GUEST_IP_CAPACITY;
  const range = RANGES[Math.floor(slot / HOSTS_PER_RANGE)] ?? RANGES[0];
  return `${range}.${(slot % HOSTS_PER_RANGE) + 1}`;
}
