/** QEMU templates on the configured Proxmox node, to approve as portal templates. */
import { Button } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { listProxmoxTemplates } from '../api/admin';
import type { ProxmoxTemplate } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAsync } from '../hooks/use-async';
import { formatMb } from '../lib/format';
import { TableHead } from '../components/TableHead';

export function ImportPanel( { onImport, onClose }: { onImport: ( p: ProxmoxTemplate ) => void; onClose: () => void } ) {
	const found = useAsync( listProxmoxTemplates, [] );
	const list = found.data ?? [];
	return (
		<section className="spp-import">
			<h3>{ __( 'Import from Proxmox', 'support-provisioning-portal' ) }</h3>
			<ErrorNotice error={ found.error } onRetry={ found.reload } />
			{ found.loading && <Busy label={ __( 'Reading the node’s templates…', 'support-provisioning-portal' ) } /> }
			{ found.data !== null && list.length === 0 && (
				<p className="spp-empty">
					{ __( 'The node has no QEMU templates. Convert a VM to a template in Proxmox first.', 'support-provisioning-portal' ) }
				</p>
			) }
			{ list.length > 0 && (
				<table className="widefat striped spp-table">
					<TableHead
						columns={ [
							__( 'VMID', 'support-provisioning-portal' ),
							__( 'Name', 'support-provisioning-portal' ),
							__( 'Size', 'support-provisioning-portal' ),
							__( 'Portal', 'support-provisioning-portal' ),
						] }
					/>
					<tbody>
						{ list.map( ( p ) => (
							<tr key={ p.vmid }>
								<td>{ p.vmid }</td>
								<td>{ p.name }</td>
								<td>
									{ sprintf(
										/* translators: 1: CPU cores, 2: memory, 3: disk in GB */
										__( '%1$d cores · %2$s RAM · %3$d GB disk', 'support-provisioning-portal' ),
										p.cores,
										formatMb( p.memoryMb ),
										p.diskGb
									) }
								</td>
								<td>
									{ p.importedAs !== null ? (
										__( 'Already approved', 'support-provisioning-portal' )
									) : (
										<Button variant="secondary" onClick={ () => onImport( p ) }>
											{ sprintf(
												/* translators: %s: template name */
												__( 'Import %s', 'support-provisioning-portal' ),
												p.name
											) }
										</Button>
									) }
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			) }
			<Button variant="tertiary" onClick={ onClose }>
				{ __( 'Close import', 'support-provisioning-portal' ) }
			</Button>
		</section>
	);
}
