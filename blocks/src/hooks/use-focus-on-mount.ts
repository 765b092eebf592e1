/**
 * Moves keyboard focus to a view's heading once it is on screen (`ready`), so keyboard and screen-reader
 * users land in the view they opened. Only once per mount; `enabled: false` leaves focus where it is
 * (the first view of a page load must not steal focus or scroll).
 */
import { useEffect, useRef } from '@wordpress/element';

export function useFocusOnMount< T extends HTMLElement >( ready = true, enabled = true ) {
	const ref = useRef< T >( null );
	const done = useRef( false );
	useEffect( () => {
		if ( enabled && ready && ! done.current && ref.current ) {
			done.current = true;
			ref.current.focus();
		}
	}, [ ready, enabled ] );
	return ref;
}
