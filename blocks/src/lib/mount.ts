/**
 * Renders a React tree into an element with whatever WordPress ships: `createRoot` (React 18, WP ≥ 6.2)
 * when present, else the legacy `render` (React 17 in WP 6.1).
 */
import * as element from '@wordpress/element';
import type { ReactElement } from 'react';

interface Root {
	render( node: ReactElement ): void;
}

interface ElementApi {
	createRoot?: ( container: Element ) => Root;
	render?: ( node: ReactElement, container: Element ) => void;
}

export function mount( container: Element, node: ReactElement, api: ElementApi = element as unknown as ElementApi ): void {
	if ( typeof api.createRoot === 'function' ) {
		api.createRoot( container ).render( node );
		return;
	}
	if ( typeof api.render === 'function' ) {
		api.render( node, container );
		return;
	}
	throw new Error( 'Support Provisioning Portal: this WordPress has neither createRoot nor render in wp.element.' );
}
