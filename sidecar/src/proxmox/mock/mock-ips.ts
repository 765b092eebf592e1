/**
 * Deterministic guest addresses for the mock: the same VMID always "gets" the same IP, so demos and
 * tests can predict it. Only the RFC 5737 documentation ranges are used, so a mock address can never
 * be mistaken for (or route to) a real machine.
 */
export { usableAddresses } from '../usable-addresses';

const RANGES = ['192.0.2', '198.51.100', '203.0.113'] as const;
const HOSTS_PER_RANGE = 254; // .1 .. .254; .0 and .255 are network/broadcast

/** How many VMIDs (0 .. CAPACITY-1) get pairwise different addresses: 3 × 254 = 762. */
export const MOCK_IP_CAPACITY = RANGES.length * HOSTS_PER_RANGE;

/** The IPv4 address the mock's guest agent reports for a VMID. */
export function mockIpv4(vmid: number): string {
  if (!Number.isInteger(vmid) || vmid < 0) throw new RangeError(`invalid VMID ${vmid}`);
  // One slot per VMID, ranges filled one after the other, so VMIDs below the capacity never collide.
  const slot = vmid % MOCK_IP_CAPACITY;
  const range = RANGES[Math.floor(slot / HOSTS_PER_RANGE)] ?? RANGES[0];
  return `${range}.${(slot % HOSTS_PER_RANGE) + 1}`;
}

/** Everything the mock's guest agent reports for a running VM (already free of loopback/link-local). */
export function mockGuestIps(vmid: number): string[] {
  return [mockIpv4(vmid)];
}
