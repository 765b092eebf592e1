/** Create a deployment from an approved template: name, TTL in hours or never-expire within the template's limits. */
import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { fieldError } from '../api/errors';
import { createDeployment } from '../api/portal';
import type { Deployment, PortalTemplate, Quota } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { fitOf } from '../lib/contingent';
import { ttlInputError } from '../lib/ttl';
import { TemplateChoice } from './TemplateChoice';
import { TtlFields } from './TtlFields';

interface Props {
	templates: PortalTemplate[];
	quota: Quota | null;
	onCreated: ( d: Deployment ) => void;
	/** A refused create may mean the contingents moved meanwhile: the caller reloads them. */
	onRefused?: () => void;
	onCancel: () => void;
}

export function CreateForm( { templates, quota, onCreated, onRefused, onCancel }: Props ) {
	const heading = useFocusOnMount< HTMLHeadingElement >();
	const firstFitting = templates.find( ( t ) => ! quota || fitOf( t.memoryMb, quota ).fits );
	const [ templateId, setTemplateId ] = useState< number | null >( firstFitting?.id ?? null );
	const template = templates.find( ( t ) => t.id === templateId ) ?? null;
	const limits = template ? template.ttl : null;
	const [ name, setName ] = useState( '' );
	const [ hours, setHours ] = useState( firstFitting ? String( firstFitting.ttl.defaultHours ) : '' );
	const [ never, setNever ] = useState( false );
	const [ busy, setBusy ] = useState( false );
	const [ error, setError ] = useState< unknown >( null );

	const neverAllowed = limits?.allowsNever === true;
	const useNever = never && neverAllowed;
	const hoursError = limits && ! useNever ? ttlInputError( hours, limits.maxHours ) : null;
	const ready = template !== null && name.trim() !== '' && hoursError === null && ! busy;

	const chooseTemplate = ( id: number ) => {
		setTemplateId( id );
		const t = templates.find( ( x ) => x.id === id );
		if ( t ) {
			setHours( String( t.ttl.defaultHours ) );
			if ( ! t.ttl.allowsNever ) {
				setNever( false );
			}
		}
	};

	const submit = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( ! ready || ! template ) {
			return;
		}
		setBusy( true );
		setError( null );
		try {
			const body = useNever
				? { templateId: template.id, name: name.trim(), neverExpires: true as const }
				: { templateId: template.id, name: name.trim(), ttlHours: Number( hours ) };
			onCreated( await createDeployment( body ) );
		} catch ( e ) {
			setError( e );
			onRefused?.();
			setBusy( false );
		}
	};

	return (
		<section className="spp-create">
			<h2 ref={ heading } tabIndex={ -1 } className="spp-heading">
				{ __( 'New deployment', 'support-provisioning-portal' ) }
			</h2>
			{ templates.length === 0 ? (
				<div className="spp-empty">
					<p>{ __( 'There are no approved templates yet. Ask an administrator to approve one.', 'support-provisioning-portal' ) }</p>
					<Button variant="secondary" onClick={ onCancel }>
						{ __( 'Back', 'support-provisioning-portal' ) }
					</Button>
				</div>
			) : (
				<form className="spp-form" onSubmit={ submit } noValidate>
					<ErrorNotice error={ error } />
					<TemplateChoice
						templates={ templates }
						quota={ quota }
						value={ templateId }
						onChange={ chooseTemplate }
						error={ fieldError( error, 'templateId' ) }
					/>
					<TextControl
						label={ __( 'Name', 'support-provisioning-portal' ) }
						value={ name }
						onChange={ ( v: string ) => setName( v ) }
						help={
							fieldError( error, 'name' ) ??
							__( 'Becomes the VM name in Proxmox: letters, digits and hyphens, e.g. repro-4711.', 'support-provisioning-portal' )
						}
						required
						autoComplete="off"
						__next40pxDefaultSize
						__nextHasNoMarginBottom
					/>
					{ limits && (
						<TtlFields
							label={ __( 'Time to live (hours)', 'support-provisioning-portal' ) }
							hint={ sprintf(
								/* translators: %d: maximum hours */
								__( 'From 1 to %d hours. When it expires, the VM is stopped, not deleted.', 'support-provisioning-portal' ),
								limits.maxHours
							) }
							hours={ hours }
							onHours={ setHours }
							never={ never }
							onNever={ setNever }
							maxHours={ limits.maxHours }
							allowsNever={ neverAllowed }
							inputError={ hoursError }
							error={ error }
						/>
					) }
					<div className="spp-actions">
						<Button variant="tertiary" onClick={ onCancel } disabled={ busy }>
							{ __( 'Cancel', 'support-provisioning-portal' ) }
						</Button>
						<Button variant="primary" type="submit" isBusy={ busy } disabled={ ! ready }>
							{ __( 'Create deployment', 'support-provisioning-portal' ) }
						</Button>
					</div>
				</form>
			) }
		</section>
	);
}
