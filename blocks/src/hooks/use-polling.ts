/** Calls `tick` every `intervalMs` while `active`; the latest callback is used without restarting the timer. */
import { useEffect, useRef } from '@wordpress/element';

export function usePolling( tick: () => void, active: boolean, intervalMs: number ): void {
	const latest = useRef( tick );
	latest.current = tick;
	useEffect( () => {
		if ( ! active ) {
			return undefined;
		}
		const timer = window.setInterval( () => latest.current(), intervalMs );
		return () => window.clearInterval( timer );
	}, [ active, intervalMs ] );
}
