/** Admin page: mounts the administration app into `#spp-admin-root`. */
import domReady from '@wordpress/dom-ready';
import { mount } from '../lib/mount';
import { AdminApp } from './AdminApp';
import './admin.scss';

export const ADMIN_ROOT_ID = 'spp-admin-root';

domReady( () => {
	const root = document.getElementById( ADMIN_ROOT_ID );
	if ( root && root.dataset.sppMounted !== '1' ) {
		root.dataset.sppMounted = '1';
		mount( root, <AdminApp /> );
	}
} );
