/** A failure as the sidecar worded it, shown as it is. */
import { Notice } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { messageOf } from '../api/errors';

interface Props {
	error: unknown;
	onRetry?: () => void;
	onDismiss?: () => void;
}

export function ErrorNotice( { error, onRetry, onDismiss }: Props ) {
	if ( error === null || error === undefined ) {
		return null;
	}
	return (
		<Notice
			status="error"
			isDismissible={ onDismiss !== undefined }
			onRemove={ onDismiss }
			actions={ onRetry ? [ { label: __( 'Try again', 'support-provisioning-portal' ), onClick: onRetry } ] : [] }
			className="spp-notice"
		>
			{ messageOf( error ) }
		</Notice>
	);
}
