/** A value that follows `value` once it has not changed for `delayMs` (search boxes). */
import { useEffect, useState } from '@wordpress/element';

export function useDebounced< T >( value: T, delayMs = 300 ): T {
	const [ settled, setSettled ] = useState( value );
	useEffect( () => {
		const timer = window.setTimeout( () => setSettled( value ), delayMs );
		return () => window.clearTimeout( timer );
	}, [ value, delayMs ] );
	return settled;
}
