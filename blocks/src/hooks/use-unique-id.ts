/** A stable id per component instance (React 17 in WordPress 6.1 has no useId). */
import { useRef } from '@wordpress/element';

let counter = 0;

export function useUniqueId( prefix: string ): string {
	const id = useRef< string | null >( null );
	if ( id.current === null ) {
		counter += 1;
		id.current = `${ prefix }-${ counter }`;
	}
	return id.current;
}
