import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { Deployment } from '../src/api/types';
import { PortalApp } from '../src/portal/PortalApp';
import { createApiMock, deployment, last, me, portalTemplate, quota, type ApiMock } from './support/api-mock';

let mockApi: ApiMock;
jest.mock( '@wordpress/api-fetch', () => ( {
	__esModule: true,
	default: ( options: unknown ) => mockApi.fetch( options ),
} ) );

const ALL = [ 'portal.view', 'deployments.create', 'deployments.start', 'deployments.stop', 'deployments.prolong', 'deployments.delete' ];

interface Setup {
	rights?: string[];
	items?: Deployment[];
	total?: number;
	pages?: number;
}

function setup( { rights = ALL, items = [], total = items.length, pages = 1 }: Setup = {} ) {
	mockApi = createApiMock();
	mockApi.on( 'GET /me', { body: me( rights ) } );
	mockApi.on( 'GET /quota', { body: quota() } );
	mockApi.on( 'GET /templates', {
		body: [
			portalTemplate(),
			portalTemplate( { id: 4, name: 'Windows Support Client', memoryMb: 16384, maxTtlHours: 168, defaultTtlHours: 8, ttl: { maxHours: 168, allowsNever: false, defaultHours: 8 } } ),
			portalTemplate( { id: 5, name: 'Turnkey PBX', memoryMb: 2048, maxTtlHours: 72, defaultTtlHours: 8, ttl: { maxHours: 72, allowsNever: false, defaultHours: 8 } } ),
		],
	} );
	mockApi.on( 'GET /deployments', { body: items, headers: { 'X-WP-Total': String( total ), 'X-WP-TotalPages': String( pages ) } } );
}

/** Texts of the error notices on screen (WordPress also speaks them through its live region). */
const noticeTexts = () => Array.from( document.querySelectorAll( '.components-notice.is-error .components-notice__content' ) ).map( ( n ) => n.textContent );

const listCalls = () => mockApi.calls.filter( ( c ) => c.method === 'GET' && c.path === '/deployments' );

describe( 'portal list', () => {
	it( 'says what to do next when there are no deployments', async () => {
		setup();
		render( <PortalApp /> );
		expect( await screen.findByText( 'No deployments yet — create one from an approved template.' ) ).toBeTruthy();
		expect( screen.getByRole( 'button', { name: 'Create a deployment' } ) ).toBeTruthy();
		expect( screen.getByText( 'Your RAM contingent' ) ).toBeTruthy();
		expect( screen.getByText( '2 GB of 8 GB in use, 6 GB free' ) ).toBeTruthy();
		expect( screen.getByText( 'Global RAM contingent' ) ).toBeTruthy();
		expect( screen.getByText( '20 GB in use, no limit' ) ).toBeTruthy();
	} );

	it( 'does not offer creation without the right', async () => {
		setup( { rights: [ 'portal.view' ] } );
		render( <PortalApp /> );
		expect( await screen.findByText( /Deployments shared with you will appear here/ ) ).toBeTruthy();
		expect( screen.queryByRole( 'button', { name: 'New deployment' } ) ).toBeNull();
	} );

	it( 'shows status, template, IPs, time left, owner and the shared badge', async () => {
		setup( {
			items: [
				deployment(),
				deployment( { id: 13, name: 'shared-one', sharedWithMe: true, owner: { id: 8, login: 'bob', name: 'Bob', removed: false }, neverExpires: true, expiresAt: null, ipAddresses: [] } ),
				deployment( { id: 14, name: 'left-behind', owner: { id: 9, login: 'carl', name: 'Carl', removed: true } } ),
			],
		} );
		render( <PortalApp /> );
		const row = ( await screen.findByRole( 'button', { name: 'repro-4711' } ) ).closest( 'tr' ) as HTMLElement;
		expect( within( row ).getByText( 'RUNNING' ) ).toBeTruthy();
		expect( within( row ).getByText( 'Linux Utility VM' ) ).toBeTruthy();
		expect( within( row ).getByText( '192.0.2.15' ) ).toBeTruthy();
		expect( within( row ).getByText( /^4 h 5\d min left$/ ) ).toBeTruthy();
		const shared = screen.getByRole( 'button', { name: 'shared-one' } ).closest( 'tr' ) as HTMLElement;
		expect( within( shared ).getByText( 'Shared with you' ) ).toBeTruthy();
		expect( within( shared ).getByText( 'Never expires' ) ).toBeTruthy();
		expect( within( shared ).getByText( 'Bob' ) ).toBeTruthy();
		expect( within( shared ).queryByText( 'Removed user' ) ).toBeNull();
		const left = screen.getByRole( 'button', { name: 'left-behind' } ).closest( 'tr' ) as HTMLElement;
		expect( within( left ).getByText( 'Removed user' ) ).toBeTruthy();
	} );

	it( 'filters by the catalog’s statuses and searches', async () => {
		setup( { items: [ deployment() ] } );
		render( <PortalApp /> );
		const select = ( await screen.findByLabelText( 'Status' ) ) as HTMLSelectElement;
		expect( Array.from( select.options ).map( ( o ) => o.value ) ).toEqual( [ '', 'PROVISIONING', 'STOPPED', 'RUNNING', 'EXPIRED', 'DELETING', 'DELETED', 'FAILED' ] );
		fireEvent.change( select, { target: { value: 'STOPPED' } } );
		await waitFor( () => expect( last( listCalls() )?.query.get( 'status' ) ).toBe( 'STOPPED' ) );
		fireEvent.change( screen.getByLabelText( 'Search deployments' ), { target: { value: 'repro' } } );
		await waitFor( () => expect( last( listCalls() )?.query.get( 'search' ) ).toBe( 'repro' ) );
		expect( last( listCalls() )?.query.get( 'page' ) ).toBe( '1' );
	} );

	it( 'pages with X-WP-Total / X-WP-TotalPages', async () => {
		setup( { items: [ deployment() ], total: 25, pages: 3 } );
		render( <PortalApp /> );
		expect( await screen.findByText( 'Page 1 of 3 (25 items)' ) ).toBeTruthy();
		fireEvent.click( screen.getByRole( 'button', { name: 'Next page' } ) );
		await waitFor( () => expect( last( listCalls() )?.query.get( 'page' ) ).toBe( '2' ) );
		expect( last( listCalls() )?.query.get( 'per_page' ) ).toBe( '10' );
	} );

	it( 'shows the sidecar’s message as it is when loading fails', async () => {
		mockApi = createApiMock();
		mockApi.on( 'GET /me', { error: { code: 'spp_forbidden', message: "You need the right 'View the portal'.", data: { status: 403 } } } );
		render( <PortalApp /> );
		await waitFor( () => expect( noticeTexts() ).toContain( "You need the right 'View the portal'." ) );
	} );
} );

describe( 'deployment detail', () => {
	async function openDetail( d = deployment() ) {
		setup( { items: [ d ] } );
		mockApi.on( 'GET /deployments/:id', { body: d } );
		mockApi.on( 'GET /deployments/:id/shares', { body: [] } );
		render( <PortalApp /> );
		fireEvent.click( await screen.findByRole( 'button', { name: d.name } ) );
		await screen.findByRole( 'heading', { name: new RegExp( d.name ) } );
	}

	it( 'moves focus to the opened view and back to the list', async () => {
		await openDetail();
		expect( document.activeElement ).toBe( screen.getByRole( 'heading', { name: /repro-4711/ } ) );
		fireEvent.click( screen.getByRole( 'button', { name: '← All deployments' } ) );
		await waitFor( () => expect( document.activeElement ).toBe( screen.getByRole( 'heading', { name: 'Deployments' } ) ) );
	} );

	it( 'offers exactly the actions can allows', async () => {
		await openDetail( deployment( { can: { start: false, stop: true, prolong: false, refreshIps: false, delete: true, share: false } } ) );
		const group = screen.getByRole( 'group', { name: 'Actions' } );
		expect( within( group ).getAllByRole( 'button' ).map( ( b ) => b.textContent ) ).toEqual( [ 'Stop', 'Delete' ] );
		expect( screen.queryByText( 'Sharing' ) ).toBeNull();
	} );

	it( 'asks before deleting, then deletes and returns to the list', async () => {
		await openDetail();
		mockApi.on( 'DELETE /deployments/:id', { body: { deleted: true, previous: null } } );
		fireEvent.click( within( screen.getByRole( 'group', { name: 'Actions' } ) ).getByRole( 'button', { name: 'Delete' } ) );
		const dialog = await screen.findByRole( 'dialog' );
		expect( within( dialog ).getByText( /will be removed from Proxmox/ ) ).toBeTruthy();
		expect( mockApi.calls.some( ( c ) => c.method === 'DELETE' ) ).toBe( false );
		fireEvent.click( within( dialog ).getByRole( 'button', { name: 'Delete' } ) );
		expect( await screen.findByText( '"repro-4711" is being deleted.' ) ).toBeTruthy();
		expect( mockApi.calls.filter( ( c ) => c.method === 'DELETE' ).map( ( c ) => c.path ) ).toEqual( [ '/deployments/12' ] );
	} );

	it( 'shows a refusal exactly as the sidecar words it', async () => {
		await openDetail();
		const message = "'repro-4711' is busy (stop under way); try again when it has finished.";
		mockApi.on( 'POST /deployments/:id/stop', { error: { code: 'spp_conflict', message, data: { status: 409 } } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Stop' } ) );
		await waitFor( () => expect( noticeTexts() ).toContain( message ) );
	} );

	it( 'prolongs within the template’s limit, and offers never-expire only where it has none', async () => {
		await openDetail();
		mockApi.on( 'POST /deployments/:id/prolong', () => ( { body: deployment( { expiresAt: new Date( Date.now() + 13 * 3_600_000 ).toISOString() } ) } ) );
		fireEvent.click( screen.getByRole( 'button', { name: 'Prolong' } ) );
		expect( screen.getByLabelText( 'Never expire' ) ).toBeTruthy();
		fireEvent.change( screen.getByLabelText( 'Add hours' ), { target: { value: '8' } } );
		fireEvent.click( within( screen.getByRole( 'group', { name: 'Actions' } ).parentElement as HTMLElement ).getAllByRole( 'button', { name: 'Prolong' } ).slice( -1 )[ 0 ] as HTMLElement );
		await waitFor( () => expect( mockApi.calls.find( ( c ) => c.path === '/deployments/12/prolong' )?.data ).toEqual( { ttlHours: 8 } ) );
	} );

	it( 'offers for a prolong exactly what the sidecar sends with the deployment (a retired template’s limit too)', async () => {
		// Its template is retired, so not in GET /templates: the limits still come from the sidecar.
		await openDetail( deployment( { template: { id: 99, name: 'Retired PBX', osType: 'l26' }, prolong: { maxHours: 62, allowsNever: false, defaultHours: 8 } } ) );
		fireEvent.click( screen.getByRole( 'button', { name: 'Prolong' } ) );
		expect( screen.queryByLabelText( 'Never expire' ) ).toBeNull();
		expect( ( screen.getByLabelText( 'Add hours' ) as HTMLInputElement ).value ).toBe( '8' );
		expect( screen.getByText( 'Up to 62 hours can be added now.' ) ).toBeTruthy();
		fireEvent.change( screen.getByLabelText( 'Add hours' ), { target: { value: '63' } } );
		expect( screen.getByText( 'Enter a whole number of hours from 1 to 62.' ) ).toBeTruthy();
	} );

	it( 'says while prolonging an expired deployment that its VM is made sure to be stopped first', async () => {
		const expired = deployment( { status: 'EXPIRED', ipAddresses: [], can: { start: false, stop: false, prolong: true, refreshIps: false, delete: true, share: true } } );
		await openDetail( expired );
		let answer: ( a: { body: Deployment } ) => void = () => undefined;
		mockApi.on( 'POST /deployments/:id/prolong', () => new Promise( ( resolve ) => ( answer = resolve ) ) );
		fireEvent.click( screen.getByRole( 'button', { name: 'Prolong' } ) );
		fireEvent.change( screen.getByLabelText( 'Add hours' ), { target: { value: '4' } } );
		fireEvent.click( within( screen.getByRole( 'group', { name: 'Actions' } ).parentElement as HTMLElement ).getAllByRole( 'button', { name: 'Prolong' } ).slice( -1 )[ 0 ] as HTMLElement );
		expect( await screen.findByText( 'Making sure its VM is stopped before it comes back…' ) ).toBeTruthy();
		await act( async () => answer( { body: deployment( { status: 'STOPPED', ipAddresses: [] } ) } ) );
		await waitFor( () => expect( screen.queryByText( 'Making sure its VM is stopped before it comes back…' ) ).toBeNull() );
	} );

	it( 'shows progress and polls while provisioning', async () => {
		jest.useFakeTimers();
		try {
			const provisioning = deployment( { status: 'PROVISIONING', ipAddresses: [], can: { start: false, stop: false, prolong: false, refreshIps: false, delete: false, share: true } } );
			setup( { items: [ provisioning ] } );
			let reads = 0;
			mockApi.on( 'GET /deployments/:id', () => {
				reads += 1;
				return { body: reads < 2 ? provisioning : deployment() };
			} );
			mockApi.on( 'GET /deployments/:id/shares', { body: [] } );
			render( <PortalApp /> );
			fireEvent.click( await screen.findByRole( 'button', { name: 'repro-4711' } ) );
			const heading = await screen.findByRole( 'heading', { name: /repro-4711/ } );
			expect( screen.getAllByText( 'Provisioning…' ).length ).toBeGreaterThan( 0 );
			await act( async () => {
				jest.advanceTimersByTime( 2600 );
			} );
			await waitFor( () => expect( within( heading ).getByText( 'RUNNING' ) ).toBeTruthy() );
			expect( screen.queryByText( 'Provisioning…' ) ).toBeNull();
			expect( reads ).toBe( 2 );
		} finally {
			jest.useRealTimers();
		}
	} );

	it( 'shares by login or e-mail and removes a share', async () => {
		await openDetail();
		mockApi.on( 'POST /deployments/:id/shares', { body: { user: { id: 8, login: 'bob', email: 'bob@example.test', name: 'Bob' }, createdAt: null } } );
		expect( await screen.findByText( /Not shared with anyone/ ) ).toBeTruthy();
		mockApi.on( 'GET /deployments/:id/shares', { body: [ { user: { id: 8, login: 'bob', email: 'bob@example.test', name: 'Bob' }, createdAt: null } ] } );
		fireEvent.change( screen.getByLabelText( 'Share with (login or e-mail)' ), { target: { value: 'bob@example.test' } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Share' } ) );
		const remove = await screen.findByRole( 'button', { name: 'Remove bob' } );
		expect( mockApi.calls.find( ( c ) => c.method === 'POST' && c.path === '/deployments/12/shares' )?.data ).toEqual( { user: 'bob@example.test' } );
		mockApi.on( 'DELETE /deployments/:id/shares/:userId', { body: { deleted: true } } );
		fireEvent.click( remove );
		await waitFor( () => expect( mockApi.calls.some( ( c ) => c.method === 'DELETE' && c.path === '/deployments/12/shares/8' ) ).toBe( true ) );
	} );
} );

describe( 'create form', () => {
	async function openCreate() {
		setup();
		render( <PortalApp /> );
		fireEvent.click( await screen.findByRole( 'button', { name: 'New deployment' } ) );
		await screen.findByRole( 'heading', { name: 'New deployment' } );
	}

	it( 'says for each template whether it fits, and why not, before submitting', async () => {
		await openCreate();
		const windows = screen.getByLabelText( /Windows Support Client/ ) as HTMLInputElement;
		expect( windows.disabled ).toBe( true );
		expect( screen.getByText( 'Needs 16 GB, but your contingent has only 6 GB free (2 GB of 8 GB in use).' ) ).toBeTruthy();
		expect( ( screen.getByLabelText( /Linux Utility VM/ ) as HTMLInputElement ).checked ).toBe( true );
		expect( screen.getAllByText( 'Fits your contingent and the global one.' ) ).toHaveLength( 2 );
	} );

	it( 'honours each template’s TTL limits', async () => {
		await openCreate();
		expect( screen.getByLabelText( 'Never expire' ) ).toBeTruthy();
		expect( ( screen.getByLabelText( 'Time to live (hours)' ) as HTMLInputElement ).value ).toBe( '24' );
		fireEvent.click( screen.getByLabelText( /Turnkey PBX/ ) );
		expect( screen.queryByLabelText( 'Never expire' ) ).toBeNull();
		expect( ( screen.getByLabelText( 'Time to live (hours)' ) as HTMLInputElement ).value ).toBe( '8' );
		fireEvent.change( screen.getByLabelText( 'Time to live (hours)' ), { target: { value: '73' } } );
		expect( screen.getByText( 'Enter a whole number of hours from 1 to 72.' ) ).toBeTruthy();
		fireEvent.change( screen.getByLabelText( 'Name' ), { target: { value: 'pbx-1' } } );
		expect( ( screen.getByRole( 'button', { name: 'Create deployment' } ) as HTMLButtonElement ).disabled ).toBe( true );
	} );

	it( 'creates with never-expire, then opens the new deployment', async () => {
		await openCreate();
		const created = deployment( { id: 20, name: 'lab-1', status: 'PROVISIONING', neverExpires: true, expiresAt: null } );
		mockApi.on( 'POST /deployments', { body: created } );
		mockApi.on( 'GET /deployments/:id', { body: created } );
		mockApi.on( 'GET /deployments/:id/shares', { body: [] } );
		fireEvent.change( screen.getByLabelText( 'Name' ), { target: { value: 'lab-1' } } );
		fireEvent.click( screen.getByLabelText( 'Never expire' ) );
		fireEvent.click( screen.getByRole( 'button', { name: 'Create deployment' } ) );
		expect( await screen.findByRole( 'heading', { name: /lab-1/ } ) ).toBeTruthy();
		expect( mockApi.calls.find( ( c ) => c.method === 'POST' )?.data ).toEqual( { templateId: 3, name: 'lab-1', neverExpires: true } );
	} );

	it( 'shows the sidecar’s field message next to the field', async () => {
		await openCreate();
		mockApi.on( 'POST /deployments', {
			error: { code: 'spp_invalid_param', message: "Please check the field 'name'.", data: { status: 400, params: { name: 'Use 1–63 letters, digits and hyphens.' } } },
		} );
		fireEvent.change( screen.getByLabelText( 'Name' ), { target: { value: 'bad_name' } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Create deployment' } ) );
		await waitFor( () => expect( noticeTexts() ).toContain( "Please check the field 'name'." ) );
		expect( screen.getByText( 'Use 1–63 letters, digits and hyphens.' ) ).toBeTruthy();
		expect( mockApi.calls.find( ( c ) => c.method === 'POST' )?.data ).toEqual( { templateId: 3, name: 'bad_name', ttlHours: 24 } );
	} );
} );
