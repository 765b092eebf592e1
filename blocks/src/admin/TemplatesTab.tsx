/** Approved templates incl. retired: edit the policy, retire, import from Proxmox. */
import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { createTemplate, listAdminTemplates, retireTemplate, updateTemplate } from '../api/admin';
import type { ProxmoxTemplate, Template } from '../api/types';
import { Busy } from '../components/Busy';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorNotice } from '../components/ErrorNotice';
import { SuccessNotice } from '../components/SuccessNotice';
import { useAsync } from '../hooks/use-async';
import { formatMb } from '../lib/format';
import { ImportPanel } from './ImportPanel';
import { TemplateEditor } from './TemplateEditor';
import { formOfProxmoxTemplate, formOfTemplate } from './template-form-state';
import { TableHead } from '../components/TableHead';

type Editing = { kind: 'edit'; template: Template } | { kind: 'import'; source: ProxmoxTemplate } | null;

function ttlPolicy( t: Template ): string {
	return t.maxTtlHours === null
		? sprintf(
				/* translators: %d: default hours */
				__( '%d h default, no maximum', 'support-provisioning-portal' ),
				t.defaultTtlHours
		  )
		: sprintf(
				/* translators: 1: default hours, 2: maximum hours */
				__( '%1$d h default, %2$d h maximum', 'support-provisioning-portal' ),
				t.defaultTtlHours,
				t.maxTtlHours
		  );
}

export function TemplatesTab() {
	const templates = useAsync( listAdminTemplates, [] );
	const [ editing, setEditing ] = useState< Editing >( null );
	const [ importing, setImporting ] = useState( false );
	const [ retiring, setRetiring ] = useState< Template | null >( null );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );
	const [ saved, setSaved ] = useState< string | null >( null );

	const done = ( message: string ) => {
		setEditing( null );
		setSaved( message );
		templates.reload();
	};

	const retire = async () => {
		if ( ! retiring ) {
			return;
		}
		setBusy( true );
		setError( null );
		try {
			const t = await retireTemplate( retiring.id );
			/* translators: %s: template name */
			done( sprintf( __( '"%s" is retired: no new deployments, existing ones keep working.', 'support-provisioning-portal' ), t.name ) );
		} catch ( e ) {
			setError( e );
		} finally {
			setBusy( false );
			setRetiring( null );
		}
	};

	const list = templates.data ?? [];
	return (
		<div className="spp-templates-admin">
			<ErrorNotice error={ templates.error } onRetry={ templates.reload } />
			<ErrorNotice error={ error } onDismiss={ () => setError( null ) } />
			<SuccessNotice message={ saved } onDismiss={ () => setSaved( null ) } />
			{ templates.data === null && templates.loading && <Busy label={ __( 'Loading templates…', 'support-provisioning-portal' ) } /> }
			{ templates.data !== null && list.length === 0 && (
				<p className="spp-empty">
					{ __( 'No templates are approved yet. Import one from Proxmox to let users create deployments.', 'support-provisioning-portal' ) }
				</p>
			) }
			{ list.length > 0 && (
				<table className="widefat striped spp-table">
					<TableHead
						columns={ [
							__( 'Name', 'support-provisioning-portal' ),
							__( 'VMID', 'support-provisioning-portal' ),
							__( 'Size', 'support-provisioning-portal' ),
							__( 'TTL', 'support-provisioning-portal' ),
							__( 'State', 'support-provisioning-portal' ),
							__( 'Actions', 'support-provisioning-portal' ),
						] }
					/>
					<tbody>
						{ list.map( ( t ) => (
							<tr key={ t.id } className={ t.active ? '' : 'spp-retired' }>
								<td>
									<strong>{ t.name }</strong>
									{ t.description && <div className="spp-muted">{ t.description }</div> }
								</td>
								<td>{ t.proxmoxVmid }</td>
								<td>
									{ sprintf(
										/* translators: 1: CPU cores, 2: memory, 3: disk in GB */
										__( '%1$d cores · %2$s RAM · %3$d GB disk', 'support-provisioning-portal' ),
										t.cores,
										formatMb( t.memoryMb ),
										t.diskGb
									) }
								</td>
								<td>{ ttlPolicy( t ) }</td>
								<td>{ t.active ? __( 'Active', 'support-provisioning-portal' ) : __( 'Retired', 'support-provisioning-portal' ) }</td>
								<td className="spp-row-actions">
									<Button variant="secondary" onClick={ () => setEditing( { kind: 'edit', template: t } ) }>
										{ __( 'Edit', 'support-provisioning-portal' ) }
										<span className="spp-sr-only"> { t.name }</span>
									</Button>
									{ t.active && (
										<Button variant="secondary" isDestructive onClick={ () => setRetiring( t ) }>
											{ __( 'Retire', 'support-provisioning-portal' ) }
											<span className="spp-sr-only"> { t.name }</span>
										</Button>
									) }
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			) }
			<div className="spp-actions">
				{ ! importing && (
					<Button variant="primary" onClick={ () => setImporting( true ) }>
						{ __( 'Import from Proxmox', 'support-provisioning-portal' ) }
					</Button>
				) }
			</div>
			{ importing && <ImportPanel onImport={ ( source ) => setEditing( { kind: 'import', source } ) } onClose={ () => setImporting( false ) } /> }
			{ editing?.kind === 'edit' && (
				<TemplateEditor
					title={ sprintf(
						/* translators: %s: template name */
						__( 'Edit template "%s"', 'support-provisioning-portal' ),
						editing.template.name
					) }
					initial={ formOfTemplate( editing.template ) }
					onSave={ ( fields ) => updateTemplate( editing.template.id, fields ) }
					onDone={ ( t ) => done( sprintf( /* translators: %s: template name */ __( '"%s" saved.', 'support-provisioning-portal' ), t.name ) ) }
					onCancel={ () => setEditing( null ) }
				/>
			) }
			{ editing?.kind === 'import' && (
				<TemplateEditor
					title={ __( 'Approve a Proxmox template', 'support-provisioning-portal' ) }
					initial={ formOfProxmoxTemplate( editing.source ) }
					onSave={ ( fields ) => createTemplate( fields ) }
					onDone={ ( t ) => {
						setImporting( false );
						done( sprintf( /* translators: %s: template name */ __( '"%s" approved.', 'support-provisioning-portal' ), t.name ) );
					} }
					onCancel={ () => setEditing( null ) }
				/>
			) }
			{ retiring && (
				<ConfirmModal
					title={ __( 'Retire this template?', 'support-provisioning-portal' ) }
					confirmLabel={ __( 'Retire', 'support-provisioning-portal' ) }
					destructive
					busy={ busy }
					onConfirm={ retire }
					onCancel={ () => setRetiring( null ) }
				>
					<p>
						{ sprintf(
							/* translators: %s: template name */
							__( 'No new deployments can be created from "%s". Existing deployments and their history stay. You can make it active again by editing it.', 'support-provisioning-portal' ),
							retiring.name
						) }
					</p>
				</ConfirmModal>
			) }
		</div>
	);
}
