/** One deployment: its facts, exactly the actions `can` allows, prolong, sharing, and progress while something runs. */
import { Button, Notice } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { deleteDeployment, getDeployment, powerAction, type PowerAction } from '../api/portal';
import type { Deployment } from '../api/types';
import { Busy } from '../components/Busy';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusBadge } from '../components/StatusBadge';
import { useAsync } from '../hooks/use-async';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useNow } from '../hooks/use-now';
import { usePolling } from '../hooks/use-polling';
import { actionLabel, allowedActions, type ActionKey } from '../lib/actions';
import { formatDateTime, formatMb } from '../lib/format';
import { isInProgress, POLL_MS, progressLabel, shouldPoll } from '../lib/progress';
import { useMe } from '../hooks/me-context';
import { formatTimeLeft, timeLeft } from '../lib/time-left';
import { ProlongForm } from './ProlongForm';
import { SharingPanel } from './SharingPanel';

interface Props {
	id: number;
	onBack: () => void;
	onChanged: () => void;
	onDeleted: ( name: string ) => void;
}

const POWER: Partial< Record< ActionKey, PowerAction > > = { start: 'start', stop: 'stop', refreshIps: 'refresh-ips' };

function Facts( { d, now }: { d: Deployment; now: number } ) {
	const rows: Array< [ string, string ] > = [
		[ __( 'Template', 'support-provisioning-portal' ), d.template.name ],
		[
			__( 'Owner', 'support-provisioning-portal' ),
			( d.owner.name ? `${ d.owner.name } (${ d.owner.login })` : d.owner.login ) +
				( d.owner.removed ? ` — ${ __( 'removed user', 'support-provisioning-portal' ) }` : '' ),
		],
		[ __( 'IP addresses', 'support-provisioning-portal' ), d.ipAddresses.length > 0 ? d.ipAddresses.join( ', ' ) : __( 'none yet', 'support-provisioning-portal' ) ],
		[
			__( 'Size', 'support-provisioning-portal' ),
			sprintf(
				/* translators: 1: CPU cores, 2: memory, 3: disk size in GB */
				__( '%1$d cores, %2$s RAM, %3$d GB disk', 'support-provisioning-portal' ),
				d.cores,
				formatMb( d.memoryMb ),
				d.diskGb
			),
		],
		[
			__( 'Expires', 'support-provisioning-portal' ),
			d.neverExpires || ! d.expiresAt
				? formatTimeLeft( timeLeft( d, now ) )
				: `${ formatTimeLeft( timeLeft( d, now ) ) } (${ formatDateTime( d.expiresAt ) })`,
		],
		[ __( 'Proxmox VM', 'support-provisioning-portal' ), d.vmid !== null ? `${ d.vmid } @ ${ d.node }` : d.node ],
		[ __( 'Created', 'support-provisioning-portal' ), formatDateTime( d.createdAt ) ],
	];
	return (
		<dl className="spp-facts">
			{ rows.map( ( [ term, value ] ) => (
				<div key={ term } className="spp-facts__row">
					<dt>{ term }</dt>
					<dd>{ value }</dd>
				</div>
			) ) }
		</dl>
	);
}

export function DeploymentDetail( { id, onBack, onChanged, onDeleted }: Props ) {
	const { transitionalStatuses } = useMe().catalog;
	const now = useNow();
	const dep = useAsync( () => getDeployment( id ), [ id ] );
	const heading = useFocusOnMount< HTMLHeadingElement >( dep.data !== null );
	const [ running, setRunning ] = useState< ActionKey | null >( null );
	const [ actionError, setActionError ] = useState< unknown >( null );
	const [ panel, setPanel ] = useState< 'prolong' | 'delete' | null >( null );
	const d = dep.data;
	usePolling( dep.reload, d !== null && shouldPoll( d, transitionalStatuses ), POLL_MS );

	const act = async ( key: ActionKey, run: () => Promise< Deployment | null > ) => {
		setRunning( key );
		setActionError( null );
		try {
			const next = await run();
			if ( next ) {
				dep.setData( next );
			}
			onChanged();
		} catch ( e ) {
			setActionError( e );
			dep.reload();
		} finally {
			setRunning( null );
		}
	};

	const remove = async () => {
		if ( ! d ) {
			return;
		}
		setRunning( 'delete' );
		setActionError( null );
		try {
			await deleteDeployment( d.id );
			onChanged();
			onDeleted( d.name );
		} catch ( e ) {
			setActionError( e );
			setPanel( null );
			setRunning( null );
			dep.reload();
		}
	};

	const onAction = ( key: ActionKey ) => {
		const power = POWER[ key ];
		if ( power && d ) {
			void act( key, () => powerAction( d.id, power ) );
		} else if ( key === 'prolong' || key === 'delete' ) {
			setPanel( key );
		}
	};

	const actions = d ? allowedActions( d.can ).filter( ( k ) => k !== 'share' ) : [];

	return (
		<section className="spp-detail">
			<Button variant="link" className="spp-back" onClick={ onBack }>
				{ __( '← All deployments', 'support-provisioning-portal' ) }
			</Button>
			<ErrorNotice error={ dep.error } onRetry={ dep.reload } />
			{ ! d && dep.loading && <Busy label={ __( 'Loading deployment…', 'support-provisioning-portal' ) } /> }
			{ d && (
				<>
					<h2 ref={ heading } tabIndex={ -1 } className="spp-heading">
						{ d.name } <StatusBadge status={ d.status } />
						{ d.sharedWithMe && <span className="spp-badge">{ __( 'Shared with you', 'support-provisioning-portal' ) }</span> }
					</h2>
					{ isInProgress( d, transitionalStatuses ) && <Busy label={ progressLabel( d ) } /> }
					{ d.lastError && (
						<Notice status="warning" isDismissible={ false } className="spp-notice">
							{ sprintf(
								/* translators: %s: the error Proxmox reported, as the portal words it */
								__( 'The last Proxmox action failed: %s', 'support-provisioning-portal' ),
								d.lastError
							) }
						</Notice>
					) }
					<ErrorNotice error={ actionError } onDismiss={ () => setActionError( null ) } />
					<Facts d={ d } now={ now } />
					{ actions.length > 0 && (
						<div className="spp-actions" role="group" aria-label={ __( 'Actions', 'support-provisioning-portal' ) }>
							{ actions.map( ( key ) => (
								<Button
									key={ key }
									variant={ key === 'start' ? 'primary' : 'secondary' }
									isDestructive={ key === 'delete' }
									isBusy={ running === key }
									disabled={ running !== null }
									aria-expanded={ key === 'prolong' ? panel === 'prolong' : undefined }
									onClick={ () => onAction( key ) }
								>
									{ actionLabel( key ) }
								</Button>
							) ) }
						</div>
					) }
					{ panel === 'prolong' && d.can.prolong && (
						<ProlongForm
							deployment={ d }
							onCancel={ () => setPanel( null ) }
							onDone={ ( next ) => {
								dep.setData( next );
								setPanel( null );
								onChanged();
							} }
						/>
					) }
					{ panel === 'delete' && (
						<ConfirmModal
							title={ __( 'Delete this deployment?', 'support-provisioning-portal' ) }
							confirmLabel={ __( 'Delete', 'support-provisioning-portal' ) }
							destructive
							busy={ running === 'delete' }
							onConfirm={ remove }
							onCancel={ () => setPanel( null ) }
						>
							<p>
								{ sprintf(
									/* translators: %s: deployment name */
									__( 'The virtual machine "%s" and its disks will be removed from Proxmox. This cannot be undone.', 'support-provisioning-portal' ),
									d.name
								) }
							</p>
						</ConfirmModal>
					) }
					{ d.can.share && <SharingPanel deploymentId={ d.id } /> }
				</>
			) }
		</section>
	);
}
