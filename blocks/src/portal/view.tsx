/** Front end: mounts the portal into every `[data-spp-portal]` element (block and shortcode render the same markup). */
import domReady from '@wordpress/dom-ready';
import { mount } from '../lib/mount';
import { PortalApp } from './PortalApp';

export const PORTAL_SELECTOR = '[data-spp-portal]';

export function mountPortals( root: ParentNode = document ): number {
	let count = 0;
	root.querySelectorAll< HTMLElement >( PORTAL_SELECTOR ).forEach( ( el ) => {
		if ( el.dataset.sppMounted === '1' ) {
			return;
		}
		el.dataset.sppMounted = '1';
		mount( el, <PortalApp /> );
		count += 1;
	} );
	return count;
}

domReady( () => {
	mountPortals();
} );
