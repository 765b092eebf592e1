/** RAM contingents: the default per user and the global one, in MB; 0 means unlimited. */
import { Button, TextControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { getSettings, saveSettings } from '../api/admin';
import { fieldError } from '../api/errors';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { SuccessNotice } from '../components/SuccessNotice';
import { useAsync } from '../hooks/use-async';
import { parseMbInput } from '../lib/numbers';

export function ContingentsTab() {
	const settings = useAsync( getSettings, [] );
	const [ userLimit, setUserLimit ] = useState( '' );
	const [ globalLimit, setGlobalLimit ] = useState( '' );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );
	const [ saved, setSaved ] = useState< string | null >( null );

	useEffect( () => {
		if ( settings.data ) {
			setUserLimit( String( settings.data.defaultUserRamLimitMb ) );
			setGlobalLimit( String( settings.data.globalRamLimitMb ) );
		}
	}, [ settings.data ] );

	if ( ! settings.data ) {
		return (
			<>
				<ErrorNotice error={ settings.error } onRetry={ settings.reload } />
				{ settings.loading && <Busy label={ __( 'Loading settings…', 'support-provisioning-portal' ) } /> }
			</>
		);
	}

	const user = parseMbInput( userLimit );
	const global = parseMbInput( globalLimit );
	const invalid = __( 'Enter a whole number of MB (0 = unlimited).', 'support-provisioning-portal' );

	const save = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( user === null || global === null ) {
			return;
		}
		setBusy( true );
		setError( null );
		setSaved( null );
		try {
			settings.setData( await saveSettings( { defaultUserRamLimitMb: user, globalRamLimitMb: global } ) );
			setSaved( __( 'Contingents saved.', 'support-provisioning-portal' ) );
		} catch ( e ) {
			setError( e );
		} finally {
			setBusy( false );
		}
	};

	return (
		<form className="spp-form" onSubmit={ save }>
			<ErrorNotice error={ error } onDismiss={ () => setError( null ) } />
			<SuccessNotice message={ saved } onDismiss={ () => setSaved( null ) } />
			<TextControl
				label={ __( 'Default RAM contingent per user (MB)', 'support-provisioning-portal' ) }
				type="number"
				min={ 0 }
				value={ userLimit }
				onChange={ ( v: string ) => setUserLimit( v ) }
				help={
					fieldError( error, 'defaultUserRamLimitMb' ) ??
					( user === null ? invalid : __( 'For users without their own override. 0 = unlimited.', 'support-provisioning-portal' ) )
				}
				__next40pxDefaultSize
				__nextHasNoMarginBottom
			/>
			<TextControl
				label={ __( 'Global RAM contingent (MB)', 'support-provisioning-portal' ) }
				type="number"
				min={ 0 }
				value={ globalLimit }
				onChange={ ( v: string ) => setGlobalLimit( v ) }
				help={
					fieldError( error, 'globalRamLimitMb' ) ??
					( global === null ? invalid : __( 'All active deployments together. 0 = unlimited.', 'support-provisioning-portal' ) )
				}
				__next40pxDefaultSize
				__nextHasNoMarginBottom
			/>
			<div className="spp-actions">
				<Button variant="primary" type="submit" isBusy={ busy } disabled={ busy || user === null || global === null }>
					{ __( 'Save contingents', 'support-provisioning-portal' ) }
				</Button>
			</div>
		</form>
	);
}
