import { act } from '@testing-library/react';
import { mountPortals, PORTAL_SELECTOR } from '../src/portal/view';
import { createApiMock, type ApiMock } from './support/api-mock';

let mockApi: ApiMock;
jest.mock( '@wordpress/api-fetch', () => ( {
	__esModule: true,
	default: ( options: unknown ) => mockApi.fetch( options ),
} ) );

test( 'mounts the portal into every [data-spp-portal] element, once', async () => {
	mockApi = createApiMock();
	mockApi.on( 'GET /me', { error: { code: 'spp_forbidden', message: "You need the right 'View the portal'.", data: { status: 403 } } } );
	expect( PORTAL_SELECTOR ).toBe( '[data-spp-portal]' );
	document.body.innerHTML = '<div class="spp-portal" data-spp-portal="1"></div><p>text</p><div class="spp-portal" data-spp-portal="1"></div>';
	let count = 0;
	await act( async () => {
		count = mountPortals();
	} );
	expect( count ).toBe( 2 );
	expect( mountPortals() ).toBe( 0 );
	await act( async () => {
		await new Promise( ( r ) => setTimeout( r, 0 ) );
	} );
	const mounts = Array.from( document.querySelectorAll( PORTAL_SELECTOR ) );
	expect( mounts.every( ( el ) => el.textContent?.includes( "You need the right 'View the portal'." ) ) ).toBe( true );
} );
