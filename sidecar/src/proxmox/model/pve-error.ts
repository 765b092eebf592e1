/** An error as Proxmox reports it: its HTTP status and its message (without the trailing newline). */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Per-parameter details of a 400 `Parameter verification failed.` */
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

export const paramError = (errors: Record<string, string>): PveError => new PveError(400, 'Parameter verification failed.', errors);

/** What Proxmox answers for a VMID that has no config on the node. */
export function errMissing(node: string, vmid: number): PveError {
  return new PveError(500, `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
}
