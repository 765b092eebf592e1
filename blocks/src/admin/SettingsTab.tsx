/** Proxmox connection settings; the token secret is write-only; "Test connection" reports what the sidecar found. */
import { Button, SelectControl, TextareaControl, TextControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { getSettings, saveSettings, testConnection } from '../api/admin';
import { fieldError } from '../api/errors';
import type { ConnectionReport, ProxmoxMode, Settings, SettingsUpdate } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { SuccessNotice } from '../components/SuccessNotice';
import { useAsync } from '../hooks/use-async';
import { ConnectionResult } from './ConnectionResult';
import { AuditRetentionPanel } from './AuditRetentionPanel';

type Form = Pick< Settings, 'mode' | 'baseUrl' | 'tokenId' | 'node' | 'pool' | 'tlsCaPem' | 'tlsFingerprintSha256' >;

const formOf = ( s: Settings ): Form => ( {
	mode: s.mode,
	baseUrl: s.baseUrl,
	tokenId: s.tokenId,
	node: s.node,
	pool: s.pool,
	tlsCaPem: s.tlsCaPem,
	tlsFingerprintSha256: s.tlsFingerprintSha256,
} );

/** Only what changed; the secret only when something was typed (empty keeps the stored one). */
export function settingsChange( saved: Settings, form: Form, secret: string ): SettingsUpdate {
	const change: SettingsUpdate = {};
	for ( const key of Object.keys( form ) as Array< keyof Form > ) {
		if ( form[ key ] !== saved[ key ] ) {
			( change as Record< string, unknown > )[ key ] = form[ key ];
		}
	}
	if ( secret !== '' ) {
		change.tokenSecret = secret;
	}
	return change;
}

export function SettingsTab() {
	const settings = useAsync( getSettings, [] );
	const [ form, setForm ] = useState< Form | null >( null );
	const [ secret, setSecret ] = useState( '' );
	const [ busy, setBusy ] = useState< 'save' | 'test' | null >( null );
	const [ error, setError ] = useState< unknown >( null );
	const [ saved, setSaved ] = useState< string | null >( null );
	const [ report, setReport ] = useState< ConnectionReport | null >( null );

	useEffect( () => {
		if ( settings.data ) {
			setForm( formOf( settings.data ) );
		}
	}, [ settings.data ] );

	if ( ! settings.data || ! form ) {
		return (
			<>
				<ErrorNotice error={ settings.error } onRetry={ settings.reload } />
				{ settings.loading && <Busy label={ __( 'Loading settings…', 'support-provisioning-portal' ) } /> }
			</>
		);
	}

	const change = settingsChange( settings.data, form, secret );
	const dirty = Object.keys( change ).length > 0;
	const set = < K extends keyof Form >( key: K ) => ( value: Form[ K ] ) => setForm( { ...form, [ key ]: value } );

	const save = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		setBusy( 'save' );
		setError( null );
		setSaved( null );
		try {
			settings.setData( await saveSettings( change ) );
			setSecret( '' );
			setSaved( __( 'Settings saved.', 'support-provisioning-portal' ) );
		} catch ( e ) {
			setError( e );
		} finally {
			setBusy( null );
		}
	};

	const test = async () => {
		setBusy( 'test' );
		setError( null );
		setReport( null );
		try {
			setReport( await testConnection() );
		} catch ( e ) {
			setError( e );
		} finally {
			setBusy( null );
		}
	};

	const help = ( field: string, text: string ) => fieldError( error, field ) ?? text;

	return (
		<>
			<form className="spp-form spp-settings" onSubmit={ save }>
				<ErrorNotice error={ error } onDismiss={ () => setError( null ) } />
				<SuccessNotice message={ saved } onDismiss={ () => setSaved( null ) } />
				<SelectControl
					label={ __( 'Mode', 'support-provisioning-portal' ) }
					value={ form.mode }
					options={ [
						{ value: 'mock', label: __( 'Mock (simulated Proxmox, for trying the portal out)', 'support-provisioning-portal' ) },
						{ value: 'http', label: __( 'HTTP (a real Proxmox VE cluster)', 'support-provisioning-portal' ) },
					] }
					onChange={ ( v: string ) => set( 'mode' )( v as ProxmoxMode ) }
					help={ fieldError( error, 'mode' ) }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'Base URL', 'support-provisioning-portal' ) }
					type="url"
					value={ form.baseUrl }
					placeholder="https://pve.example.com:8006"
					onChange={ set( 'baseUrl' ) }
					help={ help( 'baseUrl', __( 'https only, e.g. https://pve.example.com:8006', 'support-provisioning-portal' ) ) }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'API token ID', 'support-provisioning-portal' ) }
					value={ form.tokenId }
					placeholder="spp@pve!portal"
					onChange={ set( 'tokenId' ) }
					help={ help( 'tokenId', __( 'user@realm!tokenname', 'support-provisioning-portal' ) ) }
					autoComplete="off"
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'API token secret', 'support-provisioning-portal' ) }
					type="password"
					value={ secret }
					placeholder={
						settings.data.tokenSecretSet
							? __( 'stored — leave empty to keep', 'support-provisioning-portal' )
							: __( 'not set', 'support-provisioning-portal' )
					}
					onChange={ ( v: string ) => setSecret( v ) }
					help={ help( 'tokenSecret', __( 'Write-only: it is never shown again after saving. It is only sent where it was entered for, so enter it again whenever the base URL, token id or TLS trust change.', 'support-provisioning-portal' ) ) }
					autoComplete="new-password"
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'Node', 'support-provisioning-portal' ) }
					value={ form.node }
					onChange={ set( 'node' ) }
					help={ help( 'node', __( 'The Proxmox node the templates live on and clones are created on.', 'support-provisioning-portal' ) ) }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'Resource pool', 'support-provisioning-portal' ) }
					value={ form.pool }
					onChange={ set( 'pool' ) }
					help={ help( 'pool', __( 'New VMs go into this Proxmox pool, so the API token needs its VM rights on the pool only. Leave empty for none.', 'support-provisioning-portal' ) ) }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<TextareaControl
					label={ __( 'TLS CA certificate (PEM)', 'support-provisioning-portal' ) }
					value={ form.tlsCaPem }
					rows={ 5 }
					onChange={ set( 'tlsCaPem' ) }
					help={ help( 'tlsCaPem', __( "The cluster's CA (/etc/pve/pve-root-ca.pem) to trust; may be empty.", 'support-provisioning-portal' ) ) }
					className="spp-code"
					__nextHasNoMarginBottom
				/>
				<TextControl
					label={ __( 'TLS certificate fingerprint (SHA-256)', 'support-provisioning-portal' ) }
					value={ form.tlsFingerprintSha256 }
					placeholder="AB:CD:…"
					onChange={ set( 'tlsFingerprintSha256' ) }
					help={ help( 'tlsFingerprintSha256', __( "Pins the server's certificate instead of a CA; may be empty.", 'support-provisioning-portal' ) ) }
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<div className="spp-actions">
					<Button variant="primary" type="submit" isBusy={ busy === 'save' } disabled={ busy !== null || ! dirty }>
						{ __( 'Save settings', 'support-provisioning-portal' ) }
					</Button>
					<Button variant="secondary" onClick={ test } isBusy={ busy === 'test' } disabled={ busy !== null }>
						{ __( 'Test connection', 'support-provisioning-portal' ) }
					</Button>
					{ dirty && (
						<span className="spp-muted">{ __( 'The test uses the saved settings: save your changes first.', 'support-provisioning-portal' ) }</span>
					) }
				</div>
				{ busy === 'test' && <Busy label={ __( 'Reaching Proxmox…', 'support-provisioning-portal' ) } /> }
				{ report && <ConnectionResult report={ report } /> }
			</form>
			<AuditRetentionPanel settings={ settings.data } />
		</>
	);
}
