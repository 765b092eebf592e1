/** Create or edit an approved template's policy (sizes, TTL default and maximum, active), in a modal. */
import { Button, Modal, TextareaControl, TextControl, ToggleControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { fieldError } from '../api/errors';
import type { Template, TemplateFields } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { fieldsOfForm, type TemplateForm } from './template-form-state';

interface Props {
	title: string;
	initial: TemplateForm;
	onSave: ( fields: TemplateFields ) => Promise< Template >;
	onDone: ( t: Template ) => void;
	onCancel: () => void;
}

type TextKey = Exclude< keyof TemplateForm, 'active' | 'description' >;

export function TemplateEditor( { title, initial, onSave, onDone, onCancel }: Props ) {
	const [ form, setForm ] = useState< TemplateForm >( initial );
	const [ local, setLocal ] = useState< Record< string, string > >( {} );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );

	const msg = ( key: string ) => local[ key ] ?? fieldError( error, key );

	const text = ( key: TextKey, label: string, help?: string, numeric = false ) => (
		<TextControl
			label={ label }
			type={ numeric ? 'number' : 'text' }
			min={ numeric ? 1 : undefined }
			value={ form[ key ] }
			onChange={ ( v: string ) => setForm( { ...form, [ key ]: v } ) }
			help={ msg( key ) ?? help }
			__next40pxDefaultSize
			__nextHasNoMarginBottom
		/>
	);

	const submit = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		const parsed = fieldsOfForm( form );
		if ( 'errors' in parsed ) {
			setLocal( parsed.errors );
			return;
		}
		setLocal( {} );
		setBusy( true );
		setError( null );
		try {
			onDone( await onSave( parsed.fields ) );
		} catch ( e ) {
			setError( e );
			setBusy( false );
		}
	};

	return (
		<Modal title={ title } onRequestClose={ onCancel } className="spp-modal spp-template-editor">
			<form className="spp-form" onSubmit={ submit }>
				<ErrorNotice error={ error } />
				{ text( 'name', __( 'Name', 'support-provisioning-portal' ) ) }
				<TextareaControl
					label={ __( 'Description', 'support-provisioning-portal' ) }
					value={ form.description }
					onChange={ ( v: string ) => setForm( { ...form, description: v } ) }
					help={ msg( 'description' ) }
					__nextHasNoMarginBottom
				/>
				{ text( 'osType', __( 'OS type', 'support-provisioning-portal' ), __( "Proxmox's ostype, e.g. l26 or win11.", 'support-provisioning-portal' ) ) }
				{ text( 'proxmoxVmid', __( 'Proxmox template VMID', 'support-provisioning-portal' ), undefined, true ) }
				<div className="spp-grid">
					{ text( 'cores', __( 'CPU cores', 'support-provisioning-portal' ), undefined, true ) }
					{ text( 'memoryMb', __( 'RAM (MB)', 'support-provisioning-portal' ), undefined, true ) }
					{ text( 'diskGb', __( 'Disk (GB)', 'support-provisioning-portal' ), undefined, true ) }
				</div>
				<div className="spp-grid">
					{ text( 'defaultTtlHours', __( 'Default TTL (hours)', 'support-provisioning-portal' ), undefined, true ) }
					{ text(
						'maxTtlHours',
						__( 'Maximum TTL (hours)', 'support-provisioning-portal' ),
						__( 'Empty = no maximum; then deployments may also never expire.', 'support-provisioning-portal' ),
						true
					) }
				</div>
				<ToggleControl
					label={ __( 'Active (offered for new deployments)', 'support-provisioning-portal' ) }
					checked={ form.active }
					onChange={ ( v: boolean ) => setForm( { ...form, active: v } ) }
					__nextHasNoMarginBottom
				/>
				<div className="spp-actions">
					<Button variant="tertiary" onClick={ onCancel } disabled={ busy }>
						{ __( 'Cancel', 'support-provisioning-portal' ) }
					</Button>
					<Button variant="primary" type="submit" isBusy={ busy } disabled={ busy }>
						{ __( 'Save template', 'support-provisioning-portal' ) }
					</Button>
				</div>
			</form>
		</Modal>
	);
}
