/**
 * Whether a template's RAM fits the caller's own and the global contingent (from `GET /quota`), and
 * why not, before anything is submitted. The sidecar still decides; this only explains in advance.
 */
import { __, sprintf } from '@wordpress/i18n';
import type { Contingent, Quota } from '../api/types';
import { formatMb } from './format';

export type LimitKind = 'user' | 'global';

export interface FitProblem {
	limit: LimitKind;
	needMb: number;
	limitMb: number;
	usedMb: number;
	availableMb: number;
}

export interface Fit {
	fits: boolean;
	problems: FitProblem[];
}

function check( kind: LimitKind, c: Contingent, needMb: number ): FitProblem | null {
	if ( c.limitMb === null ) {
		return null; // unlimited
	}
	const availableMb = c.availableMb ?? Math.max( 0, c.limitMb - c.usedMb );
	return availableMb >= needMb ? null : { limit: kind, needMb, limitMb: c.limitMb, usedMb: c.usedMb, availableMb };
}

export function fitOf( memoryMb: number, quota: Quota ): Fit {
	const problems = [ check( 'user', quota.user, memoryMb ), check( 'global', quota.global, memoryMb ) ].filter(
		( p ): p is FitProblem => p !== null
	);
	return { fits: problems.length === 0, problems };
}

export function describeProblem( p: FitProblem ): string {
	if ( p.limit === 'user' ) {
		return sprintf(
			/* translators: 1: memory the template needs, 2: free memory, 3: the limit, 4: memory in use */
			__( 'Needs %1$s, but your contingent has only %2$s free (%4$s of %3$s in use).', 'support-provisioning-portal' ),
			formatMb( p.needMb ),
			formatMb( p.availableMb ),
			formatMb( p.limitMb ),
			formatMb( p.usedMb )
		);
	}
	return sprintf(
		/* translators: 1: memory the template needs, 2: free memory, 3: the limit, 4: memory in use */
		__( 'Needs %1$s, but the global contingent has only %2$s free (%4$s of %3$s in use).', 'support-provisioning-portal' ),
		formatMb( p.needMb ),
		formatMb( p.availableMb ),
		formatMb( p.limitMb ),
		formatMb( p.usedMb )
	);
}

/** Share of a limited contingent in use, 0–100; null when unlimited. */
export function usedPercent( c: Contingent ): number | null {
	if ( c.limitMb === null ) {
		return null;
	}
	if ( c.limitMb <= 0 ) {
		return 100;
	}
	return Math.min( 100, Math.round( ( c.usedMb / c.limitMb ) * 100 ) );
}

export function describeContingent( c: Contingent ): string {
	if ( c.limitMb === null ) {
		/* translators: %s: memory in use */
		return sprintf( __( '%s in use, no limit', 'support-provisioning-portal' ), formatMb( c.usedMb ) );
	}
	return sprintf(
		/* translators: 1: memory in use, 2: the limit, 3: free memory */
		__( '%1$s of %2$s in use, %3$s free', 'support-provisioning-portal' ),
		formatMb( c.usedMb ),
		formatMb( c.limitMb ),
		formatMb( c.availableMb ?? Math.max( 0, c.limitMb - c.usedMb ) )
	);
}
