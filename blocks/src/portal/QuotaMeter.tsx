/** RAM contingents from `GET /quota`: the caller's own and the global one. */
import { __ } from '@wordpress/i18n';
import type { Contingent, Quota } from '../api/types';
import { describeContingent, usedPercent } from '../lib/contingent';
import { useUniqueId } from '../hooks/use-unique-id';

function Meter( { label, contingent }: { label: string; contingent: Contingent } ) {
	const id = useUniqueId( 'spp-meter' );
	const percent = usedPercent( contingent );
	const text = describeContingent( contingent );
	return (
		<div className="spp-meter">
			<span className="spp-meter__label" id={ `${ id }-label` }>
				{ label }
			</span>
			{ percent !== null && (
				<meter
					aria-labelledby={ `${ id }-label` }
					aria-describedby={ `${ id }-text` }
					min={ 0 }
					max={ 100 }
					low={ 75 }
					high={ 90 }
					optimum={ 0 }
					value={ percent }
				>
					{ `${ percent }%` }
				</meter>
			) }
			<span className="spp-meter__text" id={ `${ id }-text` }>
				{ text }
			</span>
		</div>
	);
}

export function QuotaMeter( { quota }: { quota: Quota } ) {
	return (
		<section className="spp-quota" aria-label={ __( 'RAM contingents', 'support-provisioning-portal' ) }>
			<Meter label={ __( 'Your RAM contingent', 'support-provisioning-portal' ) } contingent={ quota.user } />
			<Meter label={ __( 'Global RAM contingent', 'support-provisioning-portal' ) } contingent={ quota.global } />
		</section>
	);
}
