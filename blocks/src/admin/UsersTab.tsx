/** WordPress users with their portal rights and RAM override: search, paging, edit. */
import { Button, SearchControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { listUsers } from '../api/admin';
import type { PortalUser } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { Pager } from '../components/Pager';
import { SuccessNotice } from '../components/SuccessNotice';
import { useAsync } from '../hooks/use-async';
import { useDebounced } from '../hooks/use-debounced';
import { useMe } from '../hooks/me-context';
import { formatMb } from '../lib/format';
import { rightLabel } from '../lib/rights';
import { UserRightsEditor } from './UserRightsEditor';
import { TableHead } from '../components/TableHead';

const PER_PAGE = 20;

export function UsersTab() {
	const me = useMe();
	const [ search, setSearch ] = useState( '' );
	const [ page, setPage ] = useState( 1 );
	const [ editing, setEditing ] = useState< PortalUser | null >( null );
	const [ saved, setSaved ] = useState< string | null >( null );
	const query = useDebounced( search.trim() );
	const users = useAsync( () => listUsers( { page, perPage: PER_PAGE, search: query } ), [ page, query ] );
	const list = users.data?.items ?? [];

	return (
		<div className="spp-users">
			<SearchControl
				__nextHasNoMarginBottom
				label={ __( 'Search users by login, name or e-mail', 'support-provisioning-portal' ) }
				value={ search }
				onChange={ ( v: string ) => {
					setSearch( v );
					setPage( 1 );
				} }
			/>
			<ErrorNotice error={ users.error } onRetry={ users.reload } />
			<SuccessNotice message={ saved } onDismiss={ () => setSaved( null ) } />
			{ users.data === null && users.loading && <Busy label={ __( 'Loading users…', 'support-provisioning-portal' ) } /> }
			{ users.data !== null && list.length === 0 && (
				<p className="spp-empty">
					{ query
						? __( 'No user matches this search.', 'support-provisioning-portal' )
						: __( 'No users are known to the portal yet. WordPress sends its users to the sidecar; check the plugin’s connection.', 'support-provisioning-portal' ) }
				</p>
			) }
			{ list.length > 0 && (
				<table className="widefat striped spp-table">
					<TableHead
						columns={ [
							__( 'User', 'support-provisioning-portal' ),
							__( 'Rights', 'support-provisioning-portal' ),
							__( 'RAM contingent', 'support-provisioning-portal' ),
							__( 'Actions', 'support-provisioning-portal' ),
						] }
					/>
					<tbody>
						{ list.map( ( u ) => (
							<tr key={ u.id }>
								<td>
									<strong>{ u.login }</strong>
									<div className="spp-muted">{ [ u.name, u.email ].filter( Boolean ).join( ' · ' ) }</div>
								</td>
								<td>
									{ u.rights.length === 0
										? __( 'none', 'support-provisioning-portal' )
										: u.rights.map( ( r ) => rightLabel( me, r ) ).join( ', ' ) }
								</td>
								<td>{ u.ramLimitMb === null ? __( 'default', 'support-provisioning-portal' ) : u.ramLimitMb === 0 ? __( 'unlimited', 'support-provisioning-portal' ) : formatMb( u.ramLimitMb ) }</td>
								<td>
									<Button variant="secondary" onClick={ () => setEditing( u ) }>
										{ __( 'Edit rights', 'support-provisioning-portal' ) }
										<span className="spp-sr-only"> { u.login }</span>
									</Button>
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			) }
			{ users.data && <Pager page={ page } totalPages={ users.data.totalPages } total={ users.data.total } onChange={ setPage } /> }
			{ editing && (
				<UserRightsEditor
					user={ editing }
					onCancel={ () => setEditing( null ) }
					onSaved={ ( u ) => {
						setEditing( null );
						/* translators: %s: user login */
						setSaved( sprintf( __( 'Rights of %s saved.', 'support-provisioning-portal' ), u.login ) );
						users.reload();
					} }
				/>
			) }
		</div>
	);
}
