/** Whether something is under way on a deployment, so the UI shows a spinner and polls. */
import { __ } from '@wordpress/i18n';
import type { Deployment } from '../api/types';

export const POLL_MS = 2500;

/** `transitional`: the catalog's `transitionalStatuses` (GET /me). */
export function isInProgress( d: Pick< Deployment, 'status' | 'pendingAction' >, transitional: readonly string[] ): boolean {
	return d.pendingAction !== null || transitional.includes( d.status );
}

/** How long after its last change a RUNNING deployment without addresses is watched for its guest agent. */
const AWAIT_ADDRESSES_MS = 5 * 60_000;

/**
 * Whether the UI should keep asking: something is under way, or a VM just started and its guest agent
 * has not reported addresses yet (the sidecar fills them in a few seconds after start).
 */
export function shouldPoll( d: Pick< Deployment, 'status' | 'pendingAction' | 'ipAddresses' | 'updatedAt' >, transitional: readonly string[], now = Date.now() ): boolean {
	if ( isInProgress( d, transitional ) ) {
		return true;
	}
	return d.status === 'RUNNING' && d.ipAddresses.length === 0 && now - Date.parse( d.updatedAt ) < AWAIT_ADDRESSES_MS;
}

export function progressLabel( d: Pick< Deployment, 'status' | 'pendingAction' > ): string {
	switch ( d.pendingAction ?? d.status ) {
		case 'start':
			return __( 'Starting…', 'support-provisioning-portal' );
		case 'stop':
			return __( 'Stopping…', 'support-provisioning-portal' );
		case 'delete':
		case 'DELETING':
			return __( 'Deleting…', 'support-provisioning-portal' );
		case 'PROVISIONING':
			return __( 'Provisioning…', 'support-provisioning-portal' );
		default:
			return __( 'Working…', 'support-provisioning-portal' );
	}
}
