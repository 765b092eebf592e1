/** The audit log: filters (actor, action, deployment, from, to), paging, CSV export of the filtered rows. */
import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { auditCsv, listAudit } from '../api/admin';
import type { AuditFilter, AuditRecord } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { Pager } from '../components/Pager';
import { useAsync } from '../hooks/use-async';
import { downloadText } from '../lib/download';
import { formatDateTime, localInputToIso } from '../lib/format';
import { TableHead } from '../components/TableHead';

const PER_PAGE = 25;

interface FilterForm {
	actor: string;
	action: string;
	deployment: string;
	from: string;
	to: string;
}

const EMPTY: FilterForm = { actor: '', action: '', deployment: '', from: '', to: '' };

/** The query the sidecar understands: trimmed, empty ones left out, local times as ISO UTC. */
export function auditFilterOf( f: FilterForm ): AuditFilter {
	const filter: AuditFilter = {};
	if ( f.actor.trim() ) {
		filter.actor = f.actor.trim();
	}
	if ( f.action.trim() ) {
		filter.action = f.action.trim();
	}
	if ( f.deployment.trim() ) {
		filter.deployment = f.deployment.trim();
	}
	const from = localInputToIso( f.from );
	const to = localInputToIso( f.to );
	if ( from ) {
		filter.from = from;
	}
	if ( to ) {
		filter.to = to;
	}
	return filter;
}

function Details( { r }: { r: AuditRecord } ) {
	const json = Object.keys( r.details ).length > 0 ? JSON.stringify( r.details ) : '';
	return <code className="spp-details">{ json }</code>;
}

export function AuditTab() {
	const [ form, setForm ] = useState< FilterForm >( EMPTY );
	const [ filter, setFilter ] = useState< AuditFilter >( {} );
	const [ page, setPage ] = useState( 1 );
	const [ exporting, setExporting ] = useState( false );
	const [ exportError, setExportError ] = useState< unknown >( null );
	const rows = useAsync( () => listAudit( filter, page, PER_PAGE ), [ filter, page ] );
	const list = rows.data?.items ?? [];

	const field = ( key: keyof FilterForm, label: string, type: 'text' | 'number' | 'datetime-local' = 'text', help?: string ) => (
		<TextControl
			label={ label }
			type={ type }
			value={ form[ key ] }
			onChange={ ( v: string ) => setForm( { ...form, [ key ]: v } ) }
			help={ help }
			__next40pxDefaultSize
			__nextHasNoMarginBottom
		/>
	);

	const apply = ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		setFilter( auditFilterOf( form ) );
		setPage( 1 );
	};

	const exportCsv = async () => {
		setExporting( true );
		setExportError( null );
		try {
			downloadText( await auditCsv( filter ), 'audit-log.csv' );
		} catch ( e ) {
			setExportError( e );
		} finally {
			setExporting( false );
		}
	};

	return (
		<div className="spp-audit">
			<form className="spp-form spp-filters" onSubmit={ apply }>
				{ field( 'actor', __( 'Actor (login or user ID)', 'support-provisioning-portal' ) ) }
				{ field( 'action', __( 'Action', 'support-provisioning-portal' ), 'text', __( 'e.g. deployment.start, or deployment. for all deployment actions', 'support-provisioning-portal' ) ) }
				{ field( 'deployment', __( 'Deployment ID', 'support-provisioning-portal' ), 'number' ) }
				{ field( 'from', __( 'From', 'support-provisioning-portal' ), 'datetime-local' ) }
				{ field( 'to', __( 'To', 'support-provisioning-portal' ), 'datetime-local' ) }
				<div className="spp-actions">
					<Button variant="primary" type="submit">
						{ __( 'Apply filters', 'support-provisioning-portal' ) }
					</Button>
					<Button
						variant="tertiary"
						onClick={ () => {
							setForm( EMPTY );
							setFilter( {} );
							setPage( 1 );
						} }
					>
						{ __( 'Reset', 'support-provisioning-portal' ) }
					</Button>
					<Button variant="secondary" onClick={ exportCsv } isBusy={ exporting } disabled={ exporting }>
						{ __( 'Export CSV', 'support-provisioning-portal' ) }
					</Button>
				</div>
			</form>
			<ErrorNotice error={ exportError } onDismiss={ () => setExportError( null ) } />
			<ErrorNotice error={ rows.error } onRetry={ rows.reload } />
			{ rows.loading && rows.data === null && <Busy label={ __( 'Loading the audit log…', 'support-provisioning-portal' ) } /> }
			{ rows.data !== null && list.length === 0 && (
				<p className="spp-empty">{ __( 'No audit rows match these filters.', 'support-provisioning-portal' ) }</p>
			) }
			{ list.length > 0 && (
				<table className="widefat striped spp-table spp-audit-table">
					<TableHead
						columns={ [
							__( 'Time', 'support-provisioning-portal' ),
							__( 'Actor', 'support-provisioning-portal' ),
							__( 'Action', 'support-provisioning-portal' ),
							__( 'Target', 'support-provisioning-portal' ),
							__( 'Deployment', 'support-provisioning-portal' ),
							__( 'Result', 'support-provisioning-portal' ),
							__( 'Details', 'support-provisioning-portal' ),
						] }
					/>
					<tbody>
						{ list.map( ( r ) => (
							<tr key={ r.id }>
								<td>{ formatDateTime( r.at ) }</td>
								<td>{ r.actor.login ?? ( r.actor.id !== null ? `#${ r.actor.id }` : '—' ) }</td>
								<td>{ r.action }</td>
								<td>{ r.target ? `${ r.target.type } ${ r.target.id }` : '—' }</td>
								<td>{ r.deploymentId ?? '—' }</td>
								<td>{ r.status !== null ? `${ r.result } (${ r.status })` : r.result }</td>
								<td>
									<Details r={ r } />
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			) }
			{ rows.data && <Pager page={ page } totalPages={ rows.data.totalPages } total={ rows.data.total } onChange={ setPage } /> }
		</div>
	);
}
