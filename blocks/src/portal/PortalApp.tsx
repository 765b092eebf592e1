/** The portal: who the caller is, their contingents, and the list / detail / create views. */
import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { getMe, getQuota, getTemplates } from '../api/portal';
import type { Deployment, Me } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { SuccessNotice } from '../components/SuccessNotice';
import { MeContext } from '../hooks/me-context';
import { useAsync } from '../hooks/use-async';
import { hasRight, NEEDS } from '../lib/rights';
import { CreateForm } from './CreateForm';
import { DeploymentDetail } from './DeploymentDetail';
import { DeploymentList } from './DeploymentList';
import { QuotaMeter } from './QuotaMeter';

type View = { name: 'list' } | { name: 'detail'; id: number } | { name: 'create' };

function Portal( { me }: { me: Me } ) {
	const [ view, setViewState ] = useState< View >( { name: 'list' } );
	const [ navigated, setNavigated ] = useState( false );
	const setView = ( next: View ) => {
		setNavigated( true );
		setViewState( next );
	};
	const [ notice, setNotice ] = useState< string | null >( null );
	const quota = useAsync( getQuota, [] );
	const templates = useAsync( getTemplates, [] );
	const canCreate = hasRight( me, NEEDS.create );

	const openCreate = () => {
		setNotice( null );
		templates.reload();
		quota.reload();
		setView( { name: 'create' } );
	};

	return (
		<MeContext.Provider value={ me }>
			<div className="spp-portal__header">
				{ quota.data && <QuotaMeter quota={ quota.data } /> }
				{ canCreate && view.name !== 'create' && (
					<Button variant="primary" onClick={ openCreate }>
						{ __( 'New deployment', 'support-provisioning-portal' ) }
					</Button>
				) }
			</div>
			<ErrorNotice error={ quota.error } onRetry={ quota.reload } />
			<SuccessNotice message={ notice } onDismiss={ () => setNotice( null ) } />
			{ view.name === 'list' && (
				<DeploymentList
					onOpen={ ( id ) => {
						setNotice( null );
						setView( { name: 'detail', id } );
					} }
					onCreate={ canCreate ? openCreate : null }
					focus={ navigated }
				/>
			) }
			{ view.name === 'detail' && (
				<DeploymentDetail
					id={ view.id }
					onBack={ () => setView( { name: 'list' } ) }
					onChanged={ quota.reload }
					onDeleted={ ( name ) => {
						setNotice(
							/* translators: %s: deployment name */
							sprintf( __( '"%s" is being deleted.', 'support-provisioning-portal' ), name )
						);
						setView( { name: 'list' } );
					} }
				/>
			) }
			{ view.name === 'create' && (
				<>
					<ErrorNotice error={ templates.error } onRetry={ templates.reload } />
					{ templates.data === null ? (
						templates.loading && <Busy label={ __( 'Loading templates…', 'support-provisioning-portal' ) } />
					) : (
						<CreateForm
							templates={ templates.data }
							quota={ quota.data }
							onCancel={ () => setView( { name: 'list' } ) }
							onRefused={ quota.reload }
							onCreated={ ( d: Deployment ) => {
								quota.reload();
								setView( { name: 'detail', id: d.id } );
							} }
						/>
					) }
				</>
			) }
		</MeContext.Provider>
	);
}

export function PortalApp() {
	const me = useAsync( getMe, [] );
	if ( me.data ) {
		return <Portal me={ me.data } />;
	}
	return (
		<>
			<ErrorNotice error={ me.error } onRetry={ me.reload } />
			{ me.loading && <Busy label={ __( 'Loading the portal…', 'support-provisioning-portal' ) } /> }
		</>
	);
}
