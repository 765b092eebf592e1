/** How long audit rows stay in the database before the sidecar moves them to signed archive files. */
import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { saveSettings } from '../api/admin';
import { fieldError } from '../api/errors';
import type { Settings } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { SuccessNotice } from '../components/SuccessNotice';
import { parseWhole } from '../lib/numbers';

/** Saves on its own, so the connection form's unsaved edits stay as they are. */
export function AuditRetentionPanel( { settings }: { settings: Settings } ) {
	const [ stored, setStored ] = useState( settings.auditRetentionDays );
	const [ days, setDays ] = useState( String( stored ) );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );
	const [ saved, setSaved ] = useState< string | null >( null );
	const value = parseWhole( days );

	const save = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( value === null ) {
			return;
		}
		setBusy( true );
		setError( null );
		setSaved( null );
		try {
			setStored( ( await saveSettings( { auditRetentionDays: value } ) ).auditRetentionDays );
			setSaved( __( 'Audit retention saved.', 'support-provisioning-portal' ) );
		} catch ( e ) {
			setError( e );
		} finally {
			setBusy( false );
		}
	};

	// The allowed range is the sidecar's: its answer names it when a value is outside.
	const help =
		fieldError( error, 'auditRetentionDays' ) ??
		( value === null
			? __( 'Enter a whole number of days.', 'support-provisioning-portal' )
			: __( '0 keeps every row. Otherwise older rows move to signed archive files in the sidecar’s data folder (audit-archive/); npm run audit:verify checks them and the rest of the log.', 'support-provisioning-portal' ) );

	return (
		<form className="spp-form spp-audit-retention" onSubmit={ save } aria-labelledby="spp-audit-retention-title">
			<h2 id="spp-audit-retention-title">{ __( 'Audit log', 'support-provisioning-portal' ) }</h2>
			<ErrorNotice error={ error } onDismiss={ () => setError( null ) } />
			<SuccessNotice message={ saved } onDismiss={ () => setSaved( null ) } />
			<TextControl
				label={ __( 'Keep audit rows in the database for (days)', 'support-provisioning-portal' ) }
				type="number"
				value={ days }
				onChange={ ( v: string ) => setDays( v ) }
				help={ help }
				__next40pxDefaultSize
				__nextHasNoMarginBottom
			/>
			<div className="spp-actions">
				<Button variant="primary" type="submit" isBusy={ busy } disabled={ busy || value === null || value === stored }>
					{ __( 'Save retention', 'support-provisioning-portal' ) }
				</Button>
			</div>
		</form>
	);
}
