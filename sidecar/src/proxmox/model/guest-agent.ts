/**
 * The QEMU guest agent of a simulated VM: it answers only once the guest has booted (agentDelayMs after the
 * start), and reports what a Linux guest does: loopback, then each NIC with the demo address on the first one
 * and the EUI-64 link-local address of its MAC.
 */
import { guestIpv4 } from '../demo-proxmox';
import { agentEnabled, linkLocal, macFor } from './config-values';
import type { Engine } from './engine';
import { PveError } from './pve-error';
import type { VmRec } from './state-file';

export interface AgentAddress {
  'ip-address': string;
  'ip-address-type': 'ipv4' | 'ipv6';
  prefix: number;
}

export interface AgentInterface {
  'hardware-address': string;
  'ip-addresses': AgentAddress[];
  name: string;
  statistics: Record<string, number>;
}

/** `network-get-interfaces`; throws Proxmox's error while the agent cannot answer. */
export function agentInterfaces(engine: Engine, vm: VmRec): { result: AgentInterface[] } {
  const enabled = agentEnabled(vm.config);
  if (enabled === null) throw new PveError(500, 'No QEMU guest agent configured');
  if (vm.status !== 'running') throw new PveError(500, `VM ${vm.vmid} is not running`);
  const ready = vm.startedAt !== null && Date.now() - vm.startedAt >= engine.opts.timings.agentDelayMs;
  if (!enabled || !ready) throw new PveError(500, 'QEMU guest agent is not running');

  const up = engine.stats(vm).uptime;
  const stats = (seed: number): Record<string, number> => ({
    'rx-bytes': 120_000 + seed * 1000 + up * 900,
    'rx-dropped': 0,
    'rx-errs': 0,
    'rx-packets': 900 + seed + up * 7,
    'tx-bytes': 80_000 + seed * 700 + up * 600,
    'tx-dropped': 0,
    'tx-errs': 0,
    'tx-packets': 600 + seed + up * 5,
  });
  const result: AgentInterface[] = [
    {
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [
        { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
        { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
      ],
      name: 'lo',
      statistics: stats(0),
    },
  ];
  const nets = Object.entries(vm.config).filter(([k]) => /^net\d+$/.test(k));
  nets.forEach(([key, value], i) => {
    const mac = (/^\w+=([0-9A-Fa-f:]{17})/.exec(value)?.[1] ?? macFor(vm.vmid, key)).toLowerCase();
    const addresses: AgentAddress[] = [];
    if (i === 0) addresses.push({ 'ip-address': guestIpv4(vm.vmid), 'ip-address-type': 'ipv4', prefix: 24 });
    addresses.push({ 'ip-address': linkLocal(mac), 'ip-address-type': 'ipv6', prefix: 64 });
    result.push({ 'hardware-address': mac, 'ip-addresses': addresses, name: `ens${18 + i}`, statistics: stats(vm.vmid % 97) });
  });
  return { result };
}
