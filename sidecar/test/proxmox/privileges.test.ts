/** What Test connection reports as missing, from `/access/permissions` answers shaped as Proxmox gives them. */
import { lackingPrivileges, neededPrivileges } from '../../src/proxmox/privileges';

const names = (major: number, granted: Record<string, Record<string, unknown>>) => lackingPrivileges(major, 'pve-01', granted).map((p) => p.privilege);

describe('lackingPrivileges', () => {
  const vmPrivs9 = ['VM.Audit', 'VM.Clone', 'VM.Allocate', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Options', 'VM.PowerMgmt', 'VM.GuestAgent.Audit'];
  const all = (privs: string[], value = 1) => Object.fromEntries(privs.map((p) => [p, value]));

  it('a token with no ACLs lacks everything (Proxmox answers an empty object, not a 403)', () => {
    expect(names(9, {})).toEqual(neededPrivileges(9).map((p) => p.privilege));
  });

  it('PVE 9 needs VM.GuestAgent.Audit, PVE 8 needs VM.Monitor for the same guest-agent read', () => {
    expect(neededPrivileges(9).map((p) => p.privilege)).toContain('VM.GuestAgent.Audit');
    expect(neededPrivileges(9).map((p) => p.privilege)).not.toContain('VM.Monitor');
    expect(neededPrivileges(8).map((p) => p.privilege)).toContain('VM.Monitor');
    expect(neededPrivileges(8).map((p) => p.privilege)).not.toContain('VM.GuestAgent.Audit');
  });

  it('everything granted on / with propagation is enough', () => {
    const root = all(neededPrivileges(9).map((p) => p.privilege));
    expect(names(9, { '/': root })).toEqual([]);
  });

  it('a grant on / that does not propagate counts only for / itself, so nothing below is covered', () => {
    const root = all(neededPrivileges(9).map((p) => p.privilege), 0);
    expect(names(9, { '/': root })).toEqual(neededPrivileges(9).map((p) => p.privilege));
  });

  it('the usual least-privilege layout: /vms, /nodes/<node>, one storage and one SDN zone', () => {
    const granted = {
      '/vms': all(vmPrivs9),
      '/nodes/pve-01': { 'Sys.Audit': 0 },
      '/storage/local-lvm': { 'Datastore.AllocateSpace': 1, 'Datastore.Audit': 1 },
      '/sdn/zones/localnetwork': { 'SDN.Use': 1 },
    };
    expect(names(9, granted)).toEqual([]);
    // The same token on PVE 8 lacks the older name of the agent privilege.
    expect(names(8, granted)).toEqual(['VM.Monitor']);
  });

  it('a node privilege granted on another node does not count', () => {
    const granted = { '/': all(neededPrivileges(9).map((p) => p.privilege).filter((p) => p !== 'Sys.Audit')), '/nodes/pve-02': { 'Sys.Audit': 1 } };
    expect(names(9, granted)).toEqual(['Sys.Audit']);
  });

  it('VM privileges granted on one VM only do not cover new clones', () => {
    const granted = { '/vms/9003': all(vmPrivs9) };
    expect(names(9, granted)).toEqual(expect.arrayContaining(['VM.Clone', 'VM.Allocate']));
  });
});
