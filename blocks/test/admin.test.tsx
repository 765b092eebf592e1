import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { AdminApp } from '../src/admin/AdminApp';
import { auditFilterOf } from '../src/admin/AuditTab';
import { settingsChange } from '../src/admin/SettingsTab';
import { fieldsOfForm, formOfProxmoxTemplate, formOfTemplate } from '../src/admin/template-form-state';
import { orderedRights } from '../src/admin/UserRightsEditor';
import type { Settings } from '../src/api/types';
import { catalog, createApiMock, last, me, template, type Answer, type ApiMock } from './support/api-mock';

let mockApi: ApiMock;
jest.mock( '@wordpress/api-fetch', () => ( {
	__esModule: true,
	default: ( options: unknown ) => mockApi.fetch( options ),
} ) );

const settings: Settings = {
	mode: 'mock',
	baseUrl: '',
	tokenId: 'spp@pve!portal',
	tokenSecretSet: true,
	node: 'pve-01',
	pool: '',
	tlsCaPem: '',
	tlsFingerprintSha256: '',
	defaultUserRamLimitMb: 16384,
	globalRamLimitMb: 0,
	auditRetentionDays: 0,
};

function setup( rights: string[], bootstrap = false ) {
	mockApi = createApiMock();
	mockApi.on( 'GET /me', { body: me( rights, bootstrap ) } );
	mockApi.on( 'GET /settings', { body: settings } );
	mockApi.on( 'GET /audit', { body: [], headers: { 'X-WP-Total': '0', 'X-WP-TotalPages': '1' } } );
	mockApi.on( 'GET /admin/templates', { body: [ template(), template( { id: 9, name: 'Old one', active: false, maxTtlHours: 48 } ) ] } );
	mockApi.on( 'GET /users', {
		body: [ { id: 8, login: 'bob', email: 'bob@example.test', name: 'Bob', ramLimitMb: null, rights: [ 'portal.view' ] } ],
		headers: { 'X-WP-Total': '1', 'X-WP-TotalPages': '1' },
	} );
}

const tabNames = () => screen.getAllByRole( 'tab' ).map( ( t ) => t.textContent );
const noticeTexts = () => Array.from( document.querySelectorAll( '.components-notice .components-notice__content' ) ).map( ( n ) => n.textContent );

describe( 'admin tabs', () => {
	it( 'shows only the tabs the rights allow', async () => {
		setup( [ 'portal.view', 'settings.manage' ] );
		render( <AdminApp /> );
		await screen.findAllByRole( 'tab' );
		expect( tabNames() ).toEqual( [ 'Proxmox', 'Contingents', 'Audit log' ] );
	} );

	it( 'shows all tabs and the bootstrap notice in bootstrap mode', async () => {
		setup( catalog.rights.map( ( r ) => r.slug ), true );
		render( <AdminApp /> );
		await screen.findAllByRole( 'tab' );
		expect( tabNames() ).toEqual( [ 'Proxmox', 'Contingents', 'Templates', 'User rights', 'Audit log' ] );
		expect( noticeTexts().join( ' ' ) ).toContain( 'Bootstrap mode: nobody holds the right "Manage rights" yet' );
	} );

	it( 'says so when no tab is allowed', async () => {
		setup( [ 'portal.view' ] );
		render( <AdminApp /> );
		await waitFor( () => expect( noticeTexts().join( ' ' ) ).toMatch( /You hold none of the portal rights this page needs/ ) );
	} );
} );

describe( 'Proxmox settings', () => {
	it( 'never pre-fills the token secret and keeps it when left empty', async () => {
		setup( [ 'settings.manage' ] );
		mockApi.on( 'PUT /settings', ( call ) => ( { body: { ...settings, ...( call.data as object ) } } ) );
		render( <AdminApp /> );
		const secret = ( await screen.findByLabelText( 'API token secret' ) ) as HTMLInputElement;
		expect( secret.value ).toBe( '' );
		expect( secret.type ).toBe( 'password' );
		expect( secret.placeholder ).toBe( 'stored — leave empty to keep' );
		fireEvent.change( screen.getByLabelText( 'Node' ), { target: { value: 'pve-02' } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Save settings' } ) );
		await waitFor( () => expect( mockApi.calls.find( ( c ) => c.method === 'PUT' )?.data ).toEqual( { node: 'pve-02' } ) );
		await waitFor( () => expect( noticeTexts() ).toContain( 'Settings saved.' ) );
	} );

	it( 'reports version, missing privileges and missing templates from Test connection', async () => {
		setup( [ 'settings.manage' ] );
		mockApi.on( 'POST /settings/test', {
			body: { ok: false, mode: 'http', node: 'pve-01', version: '9.1.3', missingPrivileges: [ 'VM.PowerMgmt' ], excessPrivileges: [ 'VM.Monitor on /vms reaches every VM in the cluster; grant it on /pool/spp only.' ], missingTemplates: [ { id: 3, name: 'Linux Utility VM', proxmoxVmid: 9003 } ], error: null },
		} );
		render( <AdminApp /> );
		fireEvent.click( await screen.findByRole( 'button', { name: 'Test connection' } ) );
		await waitFor( () => expect( noticeTexts() ).toContain( 'Connected to Proxmox VE 9.1.3, node pve-01 (mode http).' ) );
		expect( screen.getByText( 'VM.PowerMgmt' ) ).toBeTruthy();
		expect( screen.getByText( 'VM.Monitor on /vms reaches every VM in the cluster; grant it on /pool/spp only.' ) ).toBeTruthy();
		expect( screen.getByText( 'Linux Utility VM (VMID 9003)' ) ).toBeTruthy();
	} );

	it( 'shows the connection error as the sidecar words it', async () => {
		setup( [ 'settings.manage' ] );
		mockApi.on( 'POST /settings/test', {
			body: { ok: false, mode: 'http', node: 'pve-01', version: null, missingPrivileges: [], excessPrivileges: [], missingTemplates: [], error: 'Proxmox refused the API token; check the token id and secret in the settings.' },
		} );
		render( <AdminApp /> );
		fireEvent.click( await screen.findByRole( 'button', { name: 'Test connection' } ) );
		await waitFor( () => expect( noticeTexts() ).toContain( 'Proxmox refused the API token; check the token id and secret in the settings.' ) );
	} );

	it( 'sends only what changed, and the secret only when typed', () => {
		const form = { mode: settings.mode, baseUrl: 'https://pve:8006', tokenId: settings.tokenId, node: settings.node, pool: '', tlsCaPem: '', tlsFingerprintSha256: '' };
		expect( settingsChange( settings, form, '' ) ).toEqual( { baseUrl: 'https://pve:8006' } );
		expect( settingsChange( settings, form, 'abcd-1234' ) ).toEqual( { baseUrl: 'https://pve:8006', tokenSecret: 'abcd-1234' } );
	} );
} );

describe( 'audit retention', () => {
	it( 'saves on its own, keeps the connection form as typed, and shows the sidecar\'s range when refused', async () => {
		setup( [ 'settings.manage' ] );
		const range = 'Must be 0 (keep every row) or 30 to 3650 days.';
		mockApi.on( 'PUT /settings', ( call ) => {
			const days = ( call.data as { auditRetentionDays: number } ).auditRetentionDays;
			return days < 30 ? { error: { code: 'spp_invalid_param', message: "Please check the field 'auditRetentionDays'.", data: { status: 400, params: { auditRetentionDays: range } } } } : { body: { ...settings, auditRetentionDays: days } };
		} );
		render( <AdminApp /> );
		fireEvent.change( await screen.findByLabelText( 'Node' ), { target: { value: 'pve-typed' } } );
		const days = screen.getByLabelText( 'Keep audit rows in the database for (days)' ) as HTMLInputElement;
		expect( days.value ).toBe( '0' );
		const save = screen.getByRole( 'button', { name: 'Save retention' } );
		expect( ( save as HTMLButtonElement ).disabled ).toBe( true ); // nothing changed yet
		fireEvent.change( days, { target: { value: '7' } } );
		fireEvent.click( save );
		await waitFor( () => expect( screen.getByText( range ) ).toBeTruthy() );
		fireEvent.change( days, { target: { value: '90' } } );
		fireEvent.click( save );
		await waitFor( () => expect( noticeTexts() ).toContain( 'Audit retention saved.' ) );
		expect( mockApi.calls.filter( ( c ) => c.method === 'PUT' ).map( ( c ) => c.data ) ).toEqual( [ { auditRetentionDays: 7 }, { auditRetentionDays: 90 } ] );
		expect( ( screen.getByLabelText( 'Node' ) as HTMLInputElement ).value ).toBe( 'pve-typed' );
		expect( ( save as HTMLButtonElement ).disabled ).toBe( true ); // 90 is what is stored now
	} );
} );

describe( 'contingents', () => {
	it( 'saves both limits in MB, 0 = unlimited', async () => {
		setup( [ 'settings.manage' ] );
		mockApi.on( 'PUT /settings', ( call ) => ( { body: { ...settings, ...( call.data as object ) } } ) );
		render( <AdminApp /> );
		fireEvent.click( await screen.findByRole( 'tab', { name: 'Contingents' } ) );
		const user = ( await screen.findByLabelText( 'Default RAM contingent per user (MB)' ) ) as HTMLInputElement;
		expect( user.value ).toBe( '16384' );
		fireEvent.change( user, { target: { value: '8192' } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Save contingents' } ) );
		await waitFor( () => expect( mockApi.calls.find( ( c ) => c.method === 'PUT' )?.data ).toEqual( { defaultUserRamLimitMb: 8192, globalRamLimitMb: 0 } ) );
	} );
} );

describe( 'templates', () => {
	it( 'lists retired ones too, retires after confirmation, imports from Proxmox', async () => {
		setup( [ 'templates.manage' ] );
		mockApi.on( 'DELETE /admin/templates/:id', { body: template( { active: false } ) } );
		mockApi.on( 'GET /admin/proxmox-templates', {
			body: [
				{ vmid: 9003, name: 'debian-utility', cores: 2, memoryMb: 4096, diskGb: 32, osType: 'l26', importedAs: 3 },
				{ vmid: 9010, name: 'alma-9', cores: 2, memoryMb: 2048, diskGb: 20, osType: 'l26', importedAs: null },
			],
		} );
		mockApi.on( 'POST /admin/templates', ( call ) => ( { body: { id: 10, ...( call.data as object ) } } ) );
		render( <AdminApp /> );
		const old = ( await screen.findByRole( 'row', { name: /^Old one/ } ) ) as HTMLElement;
		expect( within( old ).getByText( 'Retired' ) ).toBeTruthy();
		expect( within( old ).queryByRole( 'button', { name: /Retire/ } ) ).toBeNull();

		fireEvent.click( screen.getByRole( 'button', { name: 'Retire Linux Utility VM' } ) );
		const dialog = await screen.findByRole( 'dialog' );
		fireEvent.click( within( dialog ).getByRole( 'button', { name: 'Retire' } ) );
		await waitFor( () => expect( mockApi.calls.some( ( c ) => c.method === 'DELETE' && c.path === '/admin/templates/3' ) ).toBe( true ) );
		await waitFor( () => expect( screen.queryByRole( 'dialog' ) ).toBeNull() );

		fireEvent.click( screen.getByRole( 'button', { name: 'Import from Proxmox' } ) );
		expect( await screen.findByText( 'Already approved' ) ).toBeTruthy();
		fireEvent.click( screen.getByRole( 'button', { name: 'Import alma-9' } ) );
		const editor = await screen.findByRole( 'dialog' );
		fireEvent.change( within( editor ).getByLabelText( 'Maximum TTL (hours)' ), { target: { value: '72' } } );
		fireEvent.click( within( editor ).getByRole( 'button', { name: 'Save template' } ) );
		await waitFor( () =>
			expect( mockApi.calls.find( ( c ) => c.method === 'POST' )?.data ).toEqual( {
				name: 'alma-9', description: '', osType: 'l26', proxmoxVmid: 9010, cores: 2, memoryMb: 2048, diskGb: 20, defaultTtlHours: 8, maxTtlHours: 72, active: true,
			} )
		);
	} );

	it( 'converts the editor’s fields, empty maximum = none', () => {
		const form = formOfTemplate( template( { maxTtlHours: 72 } ) );
		expect( fieldsOfForm( { ...form, maxTtlHours: '' } ) ).toEqual( { fields: { ...template( { maxTtlHours: null } ), id: undefined } } );
		expect( fieldsOfForm( { ...form, cores: '0', name: ' ' } ) ).toEqual( { errors: { cores: 'Enter a whole number.', name: 'Required.' } } );
		expect( formOfProxmoxTemplate( { vmid: 9010, name: 'x', cores: 1, memoryMb: 512, diskGb: 8, osType: null, importedAs: null } ).osType ).toBe( 'l26' );
	} );
} );

describe( 'user rights', () => {
	it( 'edits every right of the catalog with its label, and the RAM override', async () => {
		setup( [ 'rights.manage' ] );
		mockApi.on( 'PUT /users/:id', ( call ) => ( { body: { id: 8, login: 'bob', email: '', name: 'Bob', ...( call.data as object ) } } ) );
		render( <AdminApp /> );
		const row = ( await screen.findByRole( 'row', { name: /^bob/ } ) ) as HTMLElement;
		expect( within( row ).getByText( 'View the portal' ) ).toBeTruthy();
		expect( within( row ).getByText( 'default' ) ).toBeTruthy();
		fireEvent.click( within( row ).getByRole( 'button', { name: 'Edit rights bob' } ) );
		const dialog = await screen.findByRole( 'dialog' );
		expect( within( dialog ).getAllByRole( 'checkbox' ) ).toHaveLength( catalog.rights.length );
		fireEvent.click( within( dialog ).getByLabelText( 'Start deployments' ) );
		fireEvent.click( within( dialog ).getByLabelText( 'Create deployments' ) );
		fireEvent.change( within( dialog ).getByLabelText( 'RAM contingent override (MB)' ), { target: { value: '4096' } } );
		fireEvent.click( within( dialog ).getByRole( 'button', { name: 'Save rights' } ) );
		await waitFor( () =>
			expect( mockApi.calls.find( ( c ) => c.method === 'PUT' ) ).toMatchObject( {
				path: '/users/8',
				data: { rights: [ 'portal.view', 'deployments.create', 'deployments.start' ], ramLimitMb: 4096 },
			} )
		);
		await waitFor( () => expect( noticeTexts() ).toContain( 'Rights of bob saved.' ) );
	} );

	it( 'offers a right the sidecar’s catalog adds, with its label, and saves it', async () => {
		setup( [ 'rights.manage' ] );
		const snapshot = { slug: 'deployments.snapshot', label: 'Take snapshots', description: 'Take and restore snapshots.' };
		mockApi.on( 'GET /me', { body: { ...me( [ 'rights.manage' ] ), catalog: { ...catalog, rights: [ ...catalog.rights, snapshot ] } } } );
		mockApi.on( 'PUT /users/:id', ( call ) => ( { body: { id: 8, login: 'bob', email: '', name: 'Bob', ...( call.data as object ) } } ) );
		render( <AdminApp /> );
		const row = ( await screen.findByRole( 'row', { name: /^bob/ } ) ) as HTMLElement;
		fireEvent.click( within( row ).getByRole( 'button', { name: 'Edit rights bob' } ) );
		const dialog = await screen.findByRole( 'dialog' );
		expect( within( dialog ).getAllByRole( 'checkbox' ) ).toHaveLength( catalog.rights.length + 1 );
		fireEvent.click( within( dialog ).getByLabelText( 'Take snapshots' ) );
		fireEvent.click( within( dialog ).getByRole( 'button', { name: 'Save rights' } ) );
		await waitFor( () => expect( mockApi.calls.find( ( c ) => c.method === 'PUT' )?.data ).toMatchObject( { rights: [ 'portal.view', 'deployments.snapshot' ] } ) );
	} );

	it( 'searches users', async () => {
		setup( [ 'rights.manage' ] );
		render( <AdminApp /> );
		fireEvent.change( await screen.findByLabelText( 'Search users by login, name or e-mail' ), { target: { value: 'bo' } } );
		await waitFor( () => expect( last( mockApi.calls.filter( ( c ) => c.path === '/users' ) )?.query.get( 'search' ) ).toBe( 'bo' ) );
	} );

	it( 'keeps the catalog order of rights', () => {
		expect( orderedRights( [ 'a', 'b', 'c' ], new Set( [ 'c', 'a' ] ) ) ).toEqual( [ 'a', 'c' ] );
	} );
} );

describe( 'audit log', () => {
	it( 'filters, and exports the filtered rows as CSV', async () => {
		setup( [ 'deployments.manage_all' ] );
		mockApi.on( 'GET /audit', ( call ): Answer =>
			call.parse
				? { body: [], headers: { 'X-WP-Total': '0' } }
				: call.query.get( 'format' ) === 'csv'
				? { body: 'id,at\r\n1,2026\r\n', headers: { 'Content-Type': 'text/csv; charset=utf-8' } }
				: {
						body: [ { id: 1, at: '2026-11-23T08:00:00Z', actor: { id: 7, login: 'alice' }, action: 'deployment.start', target: { type: 'deployment', id: '12' }, deploymentId: 12, result: 'ok', status: 200, details: {}, ip: null, userAgent: null } ],
						headers: { 'X-WP-Total': '1', 'X-WP-TotalPages': '1' },
				  }
		);
		const createObjectURL = jest.fn( () => 'blob:csv' );
		Object.assign( URL, { createObjectURL, revokeObjectURL: jest.fn() } );
		const click = jest.spyOn( HTMLAnchorElement.prototype, 'click' ).mockImplementation( () => undefined );
		render( <AdminApp /> );
		expect( await screen.findByText( 'deployment.start' ) ).toBeTruthy();
		fireEvent.change( screen.getByLabelText( 'Actor (login or user ID)' ), { target: { value: 'alice' } } );
		fireEvent.change( screen.getByLabelText( 'Action' ), { target: { value: 'deployment.' } } );
		fireEvent.click( screen.getByRole( 'button', { name: 'Apply filters' } ) );
		await waitFor( () => expect( last( mockApi.calls )?.query.get( 'actor' ) ).toBe( 'alice' ) );
		fireEvent.click( screen.getByRole( 'button', { name: 'Export CSV' } ) );
		await waitFor( () => expect( click ).toHaveBeenCalled() );
		const csvCall = mockApi.calls.find( ( c ) => c.query.get( 'format' ) === 'csv' );
		expect( csvCall?.parse ).toBe( false );
		expect( Object.fromEntries( csvCall?.query ?? [] ) ).toEqual( { actor: 'alice', action: 'deployment.', format: 'csv' } );
		expect( createObjectURL ).toHaveBeenCalled();
		click.mockRestore();
	} );

	it( 'builds the filter query, leaving out empty fields', () => {
		expect( auditFilterOf( { actor: ' alice ', action: '', deployment: '12', from: '2026-11-23T08:00', to: '' } ) ).toEqual( {
			actor: 'alice',
			deployment: '12',
			from: new Date( '2026-11-23T08:00' ).toISOString(),
		} );
	} );
} );
