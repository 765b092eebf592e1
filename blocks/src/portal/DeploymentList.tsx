/** The caller's deployments (own, shared, or all with manage_all): search, status filter, paging, live progress. */
import { Button, SearchControl, SelectControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { listDeployments } from '../api/portal';
import type { Deployment } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { Pager } from '../components/Pager';
import { StatusBadge } from '../components/StatusBadge';
import { useAsync } from '../hooks/use-async';
import { useDebounced } from '../hooks/use-debounced';
import { useMe } from '../hooks/me-context';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useNow } from '../hooks/use-now';
import { usePolling } from '../hooks/use-polling';
import { isInProgress, POLL_MS, progressLabel, shouldPoll } from '../lib/progress';
import { formatTimeLeft, timeLeft } from '../lib/time-left';
import { TableHead } from '../components/TableHead';

const PER_PAGE = 10;

interface Props {
	onOpen: ( id: number ) => void;
	onCreate: ( () => void ) | null;
	/** Focus the list's heading once shown (after navigating back to it, not on page load). */
	focus: boolean;
}

function Row( { d, now, transitional, onOpen }: { d: Deployment; now: number; transitional: readonly string[]; onOpen: ( id: number ) => void } ) {
	return (
		<tr>
			<td>
				<Button variant="link" onClick={ () => onOpen( d.id ) }>
					{ d.name }
				</Button>
			</td>
			<td>
				<StatusBadge status={ d.status } />
				{ isInProgress( d, transitional ) && <Busy label={ progressLabel( d ) } /> }
			</td>
			<td>{ d.template.name }</td>
			<td>{ d.ipAddresses.length > 0 ? d.ipAddresses.join( ', ' ) : '—' }</td>
			<td>{ formatTimeLeft( timeLeft( d, now ) ) }</td>
			<td>
				{ d.owner.name || d.owner.login }
				{ d.owner.removed && (
					<span className="spp-badge">{ __( 'Removed user', 'support-provisioning-portal' ) }</span>
				) }
				{ d.sharedWithMe && (
					<span className="spp-badge">{ __( 'Shared with you', 'support-provisioning-portal' ) }</span>
				) }
			</td>
		</tr>
	);
}

export function DeploymentList( { onOpen, onCreate, focus }: Props ) {
	const me = useMe();
	const heading = useFocusOnMount< HTMLHeadingElement >( true, focus );
	const now = useNow();
	const [ page, setPage ] = useState( 1 );
	const [ search, setSearch ] = useState( '' );
	const [ status, setStatus ] = useState( '' );
	const query = useDebounced( search.trim() );
	const list = useAsync(
		() => listDeployments( { page, perPage: PER_PAGE, search: query, status } ),
		[ page, query, status ]
	);
	const items = list.data?.items ?? [];
	usePolling( list.reload, items.some( ( d ) => shouldPoll( d, me.catalog.transitionalStatuses ) ), POLL_MS );

	const filtered = query !== '' || status !== '';
	const statusOptions = [
		{ value: '', label: __( 'All statuses', 'support-provisioning-portal' ) },
		...me.catalog.statuses.map( ( s ) => ( { value: s, label: s } ) ),
	];

	return (
		<div className="spp-list">
			<h2 ref={ heading } tabIndex={ -1 } className="spp-heading spp-sr-only">
				{ __( 'Deployments', 'support-provisioning-portal' ) }
			</h2>
			<div className="spp-filters">
				<SearchControl
					__nextHasNoMarginBottom
					label={ __( 'Search deployments', 'support-provisioning-portal' ) }
					value={ search }
					onChange={ ( v: string ) => {
						setSearch( v );
						setPage( 1 );
					} }
				/>
				<SelectControl
					label={ __( 'Status', 'support-provisioning-portal' ) }
					value={ status }
					options={ statusOptions }
					onChange={ ( v: string ) => {
						setStatus( v );
						setPage( 1 );
					} }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
			</div>
			<ErrorNotice error={ list.error } onRetry={ list.reload } />
			{ list.data === null && list.loading && <Busy label={ __( 'Loading deployments…', 'support-provisioning-portal' ) } /> }
			{ list.data !== null && items.length === 0 && (
				<div className="spp-empty">
					{ filtered ? (
						<p>{ __( 'No deployments match this search or status. Clear the filters to see all of them.', 'support-provisioning-portal' ) }</p>
					) : (
						<>
							<p>
								{ onCreate
									? __( 'No deployments yet — create one from an approved template.', 'support-provisioning-portal' )
									: __( 'No deployments yet. Deployments shared with you will appear here; ask an administrator for the right to create your own.', 'support-provisioning-portal' ) }
							</p>
							{ onCreate && (
								<Button variant="primary" onClick={ onCreate }>
									{ __( 'Create a deployment', 'support-provisioning-portal' ) }
								</Button>
							) }
						</>
					) }
				</div>
			) }
			{ items.length > 0 && (
				<table className="spp-table">
					<caption className="spp-sr-only">{ __( 'Deployments', 'support-provisioning-portal' ) }</caption>
					<TableHead
						columns={ [
							__( 'Name', 'support-provisioning-portal' ),
							__( 'Status', 'support-provisioning-portal' ),
							__( 'Template', 'support-provisioning-portal' ),
							__( 'IP addresses', 'support-provisioning-portal' ),
							__( 'Time left', 'support-provisioning-portal' ),
							__( 'Owner', 'support-provisioning-portal' ),
						] }
					/>
					<tbody>
						{ items.map( ( d ) => (
							<Row key={ d.id } d={ d } now={ now } transitional={ me.catalog.transitionalStatuses } onOpen={ onOpen } />
						) ) }
					</tbody>
				</table>
			) }
			{ list.data && (
				<Pager page={ page } totalPages={ list.data.totalPages } total={ list.data.total } onChange={ setPage } />
			) }
		</div>
	);
}
