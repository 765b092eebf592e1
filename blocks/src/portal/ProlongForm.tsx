/** Prolong by hours, or set never-expire where the template allows it; the choices are the sidecar's (`deployment.prolong`). */
import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { prolongDeployment } from '../api/portal';
import type { Deployment } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { ttlInputError } from '../lib/ttl';
import { TtlFields } from './TtlFields';

interface Props {
	deployment: Deployment;
	onDone: ( d: Deployment ) => void;
	onCancel: () => void;
}

export function ProlongForm( { deployment, onDone, onCancel }: Props ) {
	const limits = deployment.prolong;
	const [ hours, setHours ] = useState( String( limits.defaultHours ) );
	const [ never, setNever ] = useState( false );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );
	const inputError = never ? null : ttlInputError( hours, limits.maxHours );

	const submit = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( inputError ) {
			return;
		}
		setBusy( true );
		setError( null );
		try {
			// On success the parent closes this form: no state may be set after onDone.
			onDone( await prolongDeployment( deployment.id, never ? { neverExpires: true } : { ttlHours: Number( hours ) } ) );
		} catch ( e ) {
			setError( e );
			setBusy( false );
		}
	};

	return (
		<form className="spp-form spp-prolong" onSubmit={ submit }>
			<ErrorNotice error={ error } />
			<TtlFields
				label={ __( 'Add hours', 'support-provisioning-portal' ) }
				hint={ sprintf(
					/* translators: %d: hours */
					__( 'Up to %d hours can be added now.', 'support-provisioning-portal' ),
					limits.maxHours
				) }
				hours={ hours }
				onHours={ setHours }
				never={ never }
				onNever={ setNever }
				maxHours={ limits.maxHours }
				allowsNever={ limits.allowsNever }
				inputError={ inputError }
				error={ error }
			/>
			{ busy && deployment.status === 'EXPIRED' && (
				// The sidecar finishes the expiry stop before the deployment comes back: up to a minute.
				<Busy label={ __( 'Making sure its VM is stopped before it comes back…', 'support-provisioning-portal' ) } />
			) }
			<div className="spp-actions">
				<Button variant="tertiary" onClick={ onCancel } disabled={ busy }>
					{ __( 'Cancel', 'support-provisioning-portal' ) }
				</Button>
				<Button variant="primary" type="submit" isBusy={ busy } disabled={ busy || inputError !== null }>
					{ __( 'Prolong', 'support-provisioning-portal' ) }
				</Button>
			</div>
		</form>
	);
}
