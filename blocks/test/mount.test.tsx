import { act } from '@testing-library/react';
import { mount } from '../src/lib/mount';

describe( 'mount', () => {
	const node = <p>portal</p>;

	it( 'uses createRoot when WordPress ships React 18', () => {
		const render = jest.fn();
		const createRoot = jest.fn( () => ( { render } ) );
		const legacy = jest.fn();
		const el = document.createElement( 'div' );
		mount( el, node, { createRoot, render: legacy } );
		expect( createRoot ).toHaveBeenCalledWith( el );
		expect( render ).toHaveBeenCalledWith( node );
		expect( legacy ).not.toHaveBeenCalled();
	} );

	it( 'falls back to render on React 17 (WordPress 6.1 has no createRoot)', () => {
		const legacy = jest.fn();
		const el = document.createElement( 'div' );
		mount( el, node, { render: legacy } );
		expect( legacy ).toHaveBeenCalledWith( node, el );
	} );

	it( 'says so when neither exists', () => {
		expect( () => mount( document.createElement( 'div' ), node, {} ) ).toThrow( /neither createRoot nor render/ );
	} );

	it( 'really renders with the installed @wordpress/element', async () => {
		const el = document.createElement( 'div' );
		document.body.appendChild( el );
		await act( async () => mount( el, node ) );
		expect( el.textContent ).toBe( 'portal' );
	} );
} );
