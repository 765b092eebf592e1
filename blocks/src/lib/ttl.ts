/** The hours a TTL field accepts; the limits themselves come from the sidecar (`template.ttl`, `deployment.prolong`). */
import { __, sprintf } from '@wordpress/i18n';

/** The problem with an hours input, or null when it is a whole number from 1 to maxHours. */
export function ttlInputError( input: string, maxHours: number ): string | null {
	const trimmed = input.trim();
	if ( ! /^\d+$/.test( trimmed ) || Number( trimmed ) < 1 || Number( trimmed ) > maxHours ) {
		if ( maxHours < 1 ) {
			return __( 'No more hours can be added now.', 'support-provisioning-portal' );
		}
		/* translators: %d: the largest number of hours allowed */
		return sprintf( __( 'Enter a whole number of hours from 1 to %d.', 'support-provisioning-portal' ), maxHours );
	}
	return null;
}
