/** One user's portal rights (labels from the catalog) and RAM override (empty = the default contingent). */
import { Button, CheckboxControl, Modal, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { saveUser } from '../api/admin';
import { fieldError } from '../api/errors';
import type { PortalUser } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { useMe } from '../hooks/me-context';
import { parseOptionalMb } from '../lib/numbers';

interface Props {
	user: PortalUser;
	onSaved: ( u: PortalUser ) => void;
	onCancel: () => void;
}

/** The chosen rights in the catalog's order. */
export function orderedRights( catalogOrder: string[], chosen: ReadonlySet< string > ): string[] {
	return catalogOrder.filter( ( slug ) => chosen.has( slug ) );
}

export function UserRightsEditor( { user, onSaved, onCancel }: Props ) {
	const me = useMe();
	const [ rights, setRights ] = useState< Set< string > >( () => new Set( user.rights ) );
	const [ ram, setRam ] = useState( user.ramLimitMb === null ? '' : String( user.ramLimitMb ) );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );
	const ramLimit = parseOptionalMb( ram );

	const toggle = ( slug: string, on: boolean ) => {
		const next = new Set( rights );
		if ( on ) {
			next.add( slug );
		} else {
			next.delete( slug );
		}
		setRights( next );
	};

	const submit = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( ramLimit === undefined ) {
			return;
		}
		setBusy( true );
		setError( null );
		try {
			const order = me.catalog.rights.map( ( r ) => r.slug );
			onSaved( await saveUser( user.id, { rights: orderedRights( order, rights ), ramLimitMb: ramLimit } ) );
		} catch ( e ) {
			setError( e );
			setBusy( false );
		}
	};

	return (
		<Modal
			title={ sprintf(
				/* translators: 1: user display name, 2: login */
				__( 'Rights of %1$s (%2$s)', 'support-provisioning-portal' ),
				user.name || user.login,
				user.login
			) }
			onRequestClose={ onCancel }
			className="spp-modal spp-rights-editor"
		>
			<form className="spp-form" onSubmit={ submit }>
				<ErrorNotice error={ error } />
				<fieldset>
					<legend>{ __( 'Portal rights', 'support-provisioning-portal' ) }</legend>
					{ me.catalog.rights.map( ( r ) => (
						<CheckboxControl
							key={ r.slug }
							label={ r.label }
							help={ r.description }
							checked={ rights.has( r.slug ) }
							onChange={ ( on: boolean ) => toggle( r.slug, on ) }
							__nextHasNoMarginBottom
						/>
					) ) }
					{ fieldError( error, 'rights' ) && <p className="spp-field-error">{ fieldError( error, 'rights' ) }</p> }
				</fieldset>
				<TextControl
					label={ __( 'RAM contingent override (MB)', 'support-provisioning-portal' ) }
					type="number"
					min={ 0 }
					value={ ram }
					onChange={ ( v: string ) => setRam( v ) }
					help={
						fieldError( error, 'ramLimitMb' ) ??
						( ramLimit === undefined
							? __( 'Enter a whole number of MB, or leave it empty.', 'support-provisioning-portal' )
							: __( 'Empty = the default contingent; 0 = unlimited.', 'support-provisioning-portal' ) )
					}
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<div className="spp-actions">
					<Button variant="tertiary" onClick={ onCancel } disabled={ busy }>
						{ __( 'Cancel', 'support-provisioning-portal' ) }
					</Button>
					<Button variant="primary" type="submit" isBusy={ busy } disabled={ busy || ramLimit === undefined }>
						{ __( 'Save rights', 'support-provisioning-portal' ) }
					</Button>
				</div>
			</form>
		</Modal>
	);
}
