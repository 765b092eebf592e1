/** What "Test connection" found: version, missing privileges, missing templates, or the error. */
import { Notice } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import type { ConnectionReport } from '../api/types';

export function ConnectionResult( { report }: { report: ConnectionReport } ) {
	return (
		<div className="spp-connection" role="status">
			{ report.error !== null ? (
				<Notice status="error" isDismissible={ false }>
					{ report.error }
				</Notice>
			) : (
				<Notice status={ report.ok ? 'success' : 'warning' } isDismissible={ false }>
					{ sprintf(
						/* translators: 1: Proxmox VE version, 2: node name, 3: mode (mock or http) */
						__( 'Connected to Proxmox VE %1$s, node %2$s (mode %3$s).', 'support-provisioning-portal' ),
						report.version ?? '?',
						report.node,
						report.mode
					) }
				</Notice>
			) }
			{ report.missingPrivileges.length > 0 && (
				<>
					<h4>{ __( 'Privileges the API token lacks', 'support-provisioning-portal' ) }</h4>
					<ul>
						{ report.missingPrivileges.map( ( p ) => (
							<li key={ p }>
								<code>{ p }</code>
							</li>
						) ) }
					</ul>
				</>
			) }
			{ report.excessPrivileges.length > 0 && (
				<>
					<h4>{ __( 'The API token can do more than the portal needs', 'support-provisioning-portal' ) }</h4>
					<ul>
						{ report.excessPrivileges.map( ( p ) => (
							<li key={ p }>{ p }</li>
						) ) }
					</ul>
				</>
			) }
			{ report.missingTemplates.length > 0 && (
				<>
					<h4>{ __( 'Approved templates not found on the node', 'support-provisioning-portal' ) }</h4>
					<ul>
						{ report.missingTemplates.map( ( t ) => (
							<li key={ t.id }>
								{ sprintf(
									/* translators: 1: template name, 2: Proxmox VMID */
									__( '%1$s (VMID %2$d)', 'support-provisioning-portal' ),
									t.name,
									t.proxmoxVmid
								) }
							</li>
						) ) }
					</ul>
				</>
			) }
			{ report.ok && (
				<p>{ __( 'No privileges or templates are missing.', 'support-provisioning-portal' ) }</p>
			) }
		</div>
	);
}
