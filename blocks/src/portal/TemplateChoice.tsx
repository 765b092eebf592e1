/** Approved templates as radio choices, each saying before submitting whether it fits the contingents and why not. */
import { __, sprintf } from '@wordpress/i18n';
import type { PortalTemplate, Quota } from '../api/types';
import { describeProblem, fitOf } from '../lib/contingent';
import { formatMb } from '../lib/format';

interface Props {
	templates: PortalTemplate[];
	quota: Quota | null;
	value: number | null;
	onChange: ( id: number ) => void;
	error?: string;
}

function ttlText( t: PortalTemplate ): string {
	const limits = t.ttl;
	return limits.allowsNever
		? sprintf(
				/* translators: %d: default hours */
				__( 'TTL %d h by default, or never expire', 'support-provisioning-portal' ),
				limits.defaultHours
		  )
		: sprintf(
				/* translators: 1: default hours, 2: maximum hours */
				__( 'TTL %1$d h by default, at most %2$d h', 'support-provisioning-portal' ),
				limits.defaultHours,
				limits.maxHours
		  );
}

export function TemplateChoice( { templates, quota, value, onChange, error }: Props ) {
	return (
		<fieldset className="spp-templates">
			<legend>{ __( 'Template', 'support-provisioning-portal' ) }</legend>
			{ error && <p className="spp-field-error">{ error }</p> }
			{ templates.map( ( t ) => {
				const fit = quota ? fitOf( t.memoryMb, quota ) : null;
				const id = `spp-template-${ t.id }`;
				return (
					<div key={ t.id } className={ `spp-template${ fit && ! fit.fits ? ' is-unavailable' : '' }` }>
						<input
							type="radio"
							id={ id }
							name="spp-template"
							value={ t.id }
							checked={ value === t.id }
							disabled={ fit !== null && ! fit.fits }
							aria-describedby={ `${ id }-about` }
							onChange={ () => onChange( t.id ) }
						/>
						<label htmlFor={ id }>
							<strong>{ t.name }</strong>
							<span className="spp-muted">
								{ ' ' }
								{ sprintf(
									/* translators: 1: CPU cores, 2: memory, 3: disk in GB */
									__( '%1$d cores · %2$s RAM · %3$d GB disk', 'support-provisioning-portal' ),
									t.cores,
									formatMb( t.memoryMb ),
									t.diskGb
								) }
							</span>
						</label>
						<div id={ `${ id }-about` } className="spp-template__about">
							{ t.description && <p>{ t.description }</p> }
							<p className="spp-muted">{ ttlText( t ) }</p>
							{ fit && fit.fits && (
								<p className="spp-fit spp-fit--ok">{ __( 'Fits your contingent and the global one.', 'support-provisioning-portal' ) }</p>
							) }
							{ fit &&
								fit.problems.map( ( p ) => (
									<p key={ p.limit } className="spp-fit spp-fit--no">
										{ describeProblem( p ) }
									</p>
								) ) }
						</div>
					</div>
				);
			} ) }
		</fieldset>
	);
}
