/** A spinner with words, announced politely to screen readers. */
import { Spinner } from '@wordpress/components';

export function Busy( { label }: { label: string } ) {
	return (
		<span className="spp-busy" role="status" aria-live="polite">
			<Spinner />
			<span>{ label }</span>
		</span>
	);
}
