/** A short confirmation that can be dismissed. */
import { Notice } from '@wordpress/components';

export function SuccessNotice( { message, onDismiss }: { message: string | null; onDismiss: () => void } ) {
	if ( ! message ) {
		return null;
	}
	return (
		<Notice status="success" onRemove={ onDismiss } className="spp-notice">
			{ message }
		</Notice>
	);
}
