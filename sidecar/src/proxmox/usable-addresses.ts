/**
 * Filters guest-agent addresses down to the ones a user can actually connect to. Lives apart from the
 * mock because the HTTP client applies the same filter to real `network-get-interfaces` answers.
 */
import { BlockList, isIP } from 'node:net';

// BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rules.
const unusable = new BlockList();
unusable.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
unusable.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local (APIPA)
unusable.addAddress('0.0.0.0', 'ipv4'); // unspecified: reported by agents on unconfigured NICs
unusable.addAddress('::1', 'ipv6'); // loopback
unusable.addAddress('::', 'ipv6'); // unspecified
unusable.addSubnet('fe80::', 10, 'ipv6'); // link-local

/**
 * Keeps valid IPv4/IPv6 addresses that are not loopback, link-local or unspecified, in their original
 * order without duplicates. Zone ids (`fe80::1%eth0`) are tolerated; garbage strings are dropped.
 */
export function usableAddresses(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const address = raw.trim();
    const bare = address.split('%')[0] ?? '';
    const family = isIP(bare);
    if (family === 0) continue;
    if (unusable.check(bare, family === 4 ? 'ipv4' : 'ipv6')) continue;
    if (!out.includes(address)) out.push(address);
  }
  return out;
}
