/** Which buttons a deployment shows: exactly what its `can` (computed by the sidecar for the caller) allows. */
import { __ } from '@wordpress/i18n';
import type { Can } from '../api/types';

export type ActionKey = keyof Can;

export const ACTION_ORDER: readonly ActionKey[] = [ 'start', 'stop', 'prolong', 'refreshIps', 'share', 'delete' ];

export function allowedActions( can: Partial< Can > | null | undefined ): ActionKey[] {
	return ACTION_ORDER.filter( ( key ) => can?.[ key ] === true );
}

export function actionLabel( key: ActionKey ): string {
	switch ( key ) {
		case 'start':
			return __( 'Start', 'support-provisioning-portal' );
		case 'stop':
			return __( 'Stop', 'support-provisioning-portal' );
		case 'prolong':
			return __( 'Prolong', 'support-provisioning-portal' );
		case 'refreshIps':
			return __( 'Refresh IPs', 'support-provisioning-portal' );
		case 'share':
			return __( 'Sharing', 'support-provisioning-portal' );
		case 'delete':
			return __( 'Delete', 'support-provisioning-portal' );
	}
}
