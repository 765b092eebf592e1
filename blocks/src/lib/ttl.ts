/** TTL limits per template (api.md): whole hours from 1 to `maxTtlHours` (8760 where none is set); never-expire only where none is set. */
import { __, sprintf } from '@wordpress/i18n';
import type { Deployment, Template } from '../api/types';

export const MAX_TTL_HOURS_WITHOUT_LIMIT = 8760;
const HOUR = 3_600_000;

export interface TtlLimits {
	maxHours: number;
	allowsNever: boolean;
	defaultHours: number;
}

export function ttlLimits( t: Pick< Template, 'maxTtlHours' | 'defaultTtlHours' > ): TtlLimits {
	const maxHours = t.maxTtlHours ?? MAX_TTL_HOURS_WITHOUT_LIMIT;
	return { maxHours, allowsNever: t.maxTtlHours === null, defaultHours: Math.min( t.defaultTtlHours, maxHours ) };
}

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

/**
 * How many hours a prolong may add now: the new expiry is the later of now and the current expiry plus
 * the hours, at most the template's maximum from now. Without the template (retired), the general maximum.
 */
export function prolongLimits(
	d: Pick< Deployment, 'expiresAt' | 'neverExpires' >,
	template: Pick< Template, 'maxTtlHours' > | null,
	now: number
): { maxHours: number; allowsNever: boolean } {
	const max = template?.maxTtlHours ?? MAX_TTL_HOURS_WITHOUT_LIMIT;
	const allowsNever = template === null || template.maxTtlHours === null;
	const current = d.expiresAt && ! d.neverExpires ? Date.parse( d.expiresAt ) : NaN;
	const base = Number.isNaN( current ) ? now : Math.max( now, current );
	const room = Math.floor( ( now + max * HOUR - base ) / HOUR );
	return { maxHours: Math.max( 0, Math.min( max, room ) ), allowsNever };
}
