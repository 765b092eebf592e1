import { ApiError, errorBodyOf, fieldError, messageOf, toApiError } from '../src/api/errors';
import { readPaging } from '../src/api/paging';
import { withQuery } from '../src/api/query';

const headers = ( h: Record< string, string > ) => ( { get: ( n: string ) => h[ n ] ?? null } );

describe( 'error messages', () => {
	const envelope = {
		code: 'spp_quota_exceeded',
		message: 'This needs 8192 MB of RAM, but the RAM contingent of this user is 8192 MB with 4096 MB in use (4096 MB free).',
		data: { status: 409 },
	};

	it( 'keeps the sidecar’s message as it is', async () => {
		const e = await toApiError( envelope );
		expect( e ).toBeInstanceOf( ApiError );
		expect( e.message ).toBe( envelope.message );
		expect( e.code ).toBe( 'spp_quota_exceeded' );
		expect( e.status ).toBe( 409 );
		expect( messageOf( e ) ).toBe( envelope.message );
	} );

	it( 'reads the envelope from a raw response (parse: false)', async () => {
		const response = { status: 403, json: async () => ( { code: 'spp_forbidden', message: "You need the right 'Start deployments'.", data: { status: 403 } } ) };
		const e = await toApiError( response );
		expect( e.message ).toBe( "You need the right 'Start deployments'." );
		expect( e.status ).toBe( 403 );
	} );

	it( 'falls back to a generic message, keeping the status, when a response has no JSON', async () => {
		const response = { status: 502, json: async () => { throw new SyntaxError( 'Unexpected token <' ); } };
		const e = await toApiError( response );
		expect( e.message ).toBe( 'Something went wrong. Please try again.' );
		expect( e.status ).toBe( 502 );
	} );

	it( 'exposes per-field messages of spp_invalid_param', async () => {
		const e = await toApiError( { code: 'spp_invalid_param', message: "Please check the field 'name'.", data: { status: 400, params: { name: 'Use 1–63 letters.' } } } );
		expect( fieldError( e, 'name' ) ).toBe( 'Use 1–63 letters.' );
		expect( fieldError( e, 'ttlHours' ) ).toBeUndefined();
		expect( fieldError( new Error( 'x' ), 'name' ) ).toBeUndefined();
	} );

	it( 'handles WordPress errors, Errors, strings and nothing', () => {
		expect( errorBodyOf( { code: 'rest_cookie_invalid_nonce', message: 'Cookie check failed', data: { status: 403 } } ).message ).toBe( 'Cookie check failed' );
		expect( errorBodyOf( new Error( 'boom' ) ).message ).toBe( 'boom' );
		expect( errorBodyOf( 'plain' ).message ).toBe( 'plain' );
		expect( errorBodyOf( undefined ).message ).toBe( 'Something went wrong. Please try again.' );
		expect( errorBodyOf( { message: '' } ).message ).toBe( 'Something went wrong. Please try again.' );
		expect( messageOf( { code: 'fetch_error', message: 'You are probably offline.' } ) ).toBe( 'You are probably offline.' );
	} );

	it( 'ignores params that are not a map of strings', async () => {
		const e = await toApiError( { code: 'x', message: 'm', data: { status: 400, params: [ 'a' ] } } );
		expect( e.params ).toEqual( {} );
	} );
} );

describe( 'paging headers', () => {
	it( 'reads X-WP-Total and X-WP-TotalPages', () => {
		expect( readPaging( headers( { 'X-WP-Total': '43', 'X-WP-TotalPages': '5' } ), 10 ) ).toEqual( { total: 43, totalPages: 5 } );
	} );

	it( 'falls back to one page of what arrived when headers are missing or broken', () => {
		expect( readPaging( headers( {} ), 3 ) ).toEqual( { total: 3, totalPages: 1 } );
		expect( readPaging( headers( { 'X-WP-Total': 'many', 'X-WP-TotalPages': '-2' } ), 2 ) ).toEqual( { total: 2, totalPages: 1 } );
		expect( readPaging( headers( { 'X-WP-Total': '0', 'X-WP-TotalPages': '0' } ), 0 ) ).toEqual( { total: 0, totalPages: 1 } );
	} );
} );

describe( 'query strings', () => {
	it( 'leaves out empty values and encodes the rest', () => {
		expect( withQuery( '/deployments', { page: 2, per_page: 10, search: '', status: undefined } ) ).toBe( '/deployments?page=2&per_page=10' );
		expect( withQuery( '/audit', { actor: 'a b', from: '2026-11-23T08:00:00.000Z' } ) ).toBe( '/audit?actor=a%20b&from=2026-11-23T08%3A00%3A00.000Z' );
		expect( withQuery( '/me' ) ).toBe( '/me' );
		expect( withQuery( '/x?y=1', { z: 2 } ) ).toBe( '/x?y=1&z=2' );
	} );
} );
