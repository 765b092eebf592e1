/** A deployment status as a badge; the status names come from the sidecar as they are. */
export function StatusBadge( { status }: { status: string } ) {
	return <span className={ `spp-status spp-status--${ status.toLowerCase() }` }>{ status }</span>;
}
