/** The current time, refreshed every `intervalMs`, so "time left" counts down on screen. */
import { useEffect, useState } from '@wordpress/element';

export function useNow( intervalMs = 30_000 ): number {
	const [ now, setNow ] = useState( () => Date.now() );
	useEffect( () => {
		const timer = window.setInterval( () => setNow( Date.now() ), intervalMs );
		return () => window.clearInterval( timer );
	}, [ intervalMs ] );
	return now;
}
