/** How long a deployment still has before its TTL stops it. */
import { __, sprintf } from '@wordpress/i18n';
import type { Deployment } from '../api/types';

export type TimeLeft =
	| { kind: 'never' }
	| { kind: 'unknown' }
	| { kind: 'expired' }
	| { kind: 'left'; ms: number };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function timeLeft( d: Pick< Deployment, 'neverExpires' | 'expiresAt' >, now: number ): TimeLeft {
	if ( d.neverExpires ) {
		return { kind: 'never' };
	}
	if ( ! d.expiresAt ) {
		return { kind: 'unknown' };
	}
	const at = Date.parse( d.expiresAt );
	if ( Number.isNaN( at ) ) {
		return { kind: 'unknown' };
	}
	const ms = at - now;
	return ms <= 0 ? { kind: 'expired' } : { kind: 'left', ms };
}

/** A positive duration, rounded down: "2 d 3 h", "5 h 12 min", "12 min", "less than a minute". */
export function formatDuration( ms: number ): string {
	const days = Math.floor( ms / DAY );
	const hours = Math.floor( ( ms % DAY ) / HOUR );
	const minutes = Math.floor( ( ms % HOUR ) / MINUTE );
	if ( days > 0 ) {
		/* translators: 1: days, 2: hours */
		return sprintf( __( '%1$d d %2$d h', 'support-provisioning-portal' ), days, hours );
	}
	if ( hours > 0 ) {
		/* translators: 1: hours, 2: minutes */
		return sprintf( __( '%1$d h %2$d min', 'support-provisioning-portal' ), hours, minutes );
	}
	if ( minutes > 0 ) {
		/* translators: %d: minutes */
		return sprintf( __( '%d min', 'support-provisioning-portal' ), minutes );
	}
	return __( 'less than a minute', 'support-provisioning-portal' );
}

export function formatTimeLeft( left: TimeLeft ): string {
	switch ( left.kind ) {
		case 'never':
			return __( 'Never expires', 'support-provisioning-portal' );
		case 'expired':
			return __( 'Expired', 'support-provisioning-portal' );
		case 'unknown':
			return '—';
		case 'left':
			/* translators: %s: a duration such as "5 h 12 min" */
			return sprintf( __( '%s left', 'support-provisioning-portal' ), formatDuration( left.ms ) );
	}
}
