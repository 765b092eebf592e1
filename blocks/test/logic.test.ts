import { allowedActions, actionLabel } from '../src/lib/actions';
import { describeProblem, fitOf, usedPercent, describeContingent } from '../src/lib/contingent';
import { formatMb, localInputToIso } from '../src/lib/format';
import { isInProgress, progressLabel, shouldPoll } from '../src/lib/progress';
import { hasAnyRight, hasRight, rightLabel } from '../src/lib/rights';
import { formatDuration, formatTimeLeft, timeLeft } from '../src/lib/time-left';
import { ttlInputError } from '../src/lib/ttl';
import { parseMbInput, parseOptionalMb, parseWhole } from '../src/lib/numbers';
import { catalog, me, quota } from './support/api-mock';

const H = 3_600_000;
const NOW = Date.parse( '2026-11-23T12:00:00Z' );

describe( 'time left', () => {
	it( 'says never expires, expired, or how long is left', () => {
		expect( formatTimeLeft( timeLeft( { neverExpires: true, expiresAt: null }, NOW ) ) ).toBe( 'Never expires' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: '2026-11-23T11:59:00Z' }, NOW ) ) ).toBe( 'Expired' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: '2026-11-23T12:00:00Z' }, NOW ) ) ).toBe( 'Expired' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: '2026-11-23T17:12:30Z' }, NOW ) ) ).toBe( '5 h 12 min left' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: '2026-11-26T15:00:00Z' }, NOW ) ) ).toBe( '3 d 3 h left' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: null }, NOW ) ) ).toBe( '—' );
		expect( formatTimeLeft( timeLeft( { neverExpires: false, expiresAt: 'garbage' }, NOW ) ) ).toBe( '—' );
	} );

	it( 'rounds durations down', () => {
		expect( formatDuration( 59_999 ) ).toBe( 'less than a minute' );
		expect( formatDuration( 60_000 ) ).toBe( '1 min' );
		expect( formatDuration( H - 1 ) ).toBe( '59 min' );
		expect( formatDuration( H ) ).toBe( '1 h 0 min' );
		expect( formatDuration( 24 * H ) ).toBe( '1 d 0 h' );
	} );
} );

describe( 'contingent fit', () => {
	it( 'fits when both contingents have room or are unlimited', () => {
		expect( fitOf( 4096, quota() ) ).toEqual( { fits: true, problems: [] } );
		expect( fitOf( 6144, quota() ).fits ).toBe( true );
	} );

	it( 'names the user contingent with need, free, limit and use', () => {
		const fit = fitOf( 8192, quota() );
		expect( fit.fits ).toBe( false );
		expect( fit.problems ).toEqual( [ { limit: 'user', needMb: 8192, limitMb: 8192, usedMb: 2048, availableMb: 6144 } ] );
		expect( describeProblem( fit.problems[ 0 ]! ) ).toBe( 'Needs 8 GB, but your contingent has only 6 GB free (2 GB of 8 GB in use).' );
	} );

	it( 'names the global contingent, and both when both are short', () => {
		const q = quota( { global: { limitMb: 32768, usedMb: 30720, availableMb: 2048 } } );
		expect( fitOf( 4096, q ).problems.map( ( p ) => p.limit ) ).toEqual( [ 'global' ] );
		expect( describeProblem( fitOf( 4096, q ).problems[ 0 ]! ) ).toContain( 'global contingent has only 2 GB free' );
		expect( fitOf( 8192, q ).problems.map( ( p ) => p.limit ) ).toEqual( [ 'user', 'global' ] );
	} );

	it( 'computes free memory when availableMb is missing, never below zero', () => {
		const q = quota( { user: { limitMb: 1024, usedMb: 2048, availableMb: null } } );
		expect( fitOf( 512, q ).problems[ 0 ]?.availableMb ).toBe( 0 );
	} );

	it( 'shows use as a share of the limit', () => {
		expect( usedPercent( { limitMb: null, usedMb: 5, availableMb: null } ) ).toBeNull();
		expect( usedPercent( { limitMb: 8192, usedMb: 2048, availableMb: 6144 } ) ).toBe( 25 );
		expect( usedPercent( { limitMb: 1024, usedMb: 4096, availableMb: 0 } ) ).toBe( 100 );
		expect( describeContingent( { limitMb: null, usedMb: 512, availableMb: null } ) ).toBe( '512 MB in use, no limit' );
		expect( describeContingent( { limitMb: 8192, usedMb: 1536, availableMb: 6656 } ) ).toBe( '1.5 GB of 8 GB in use, 6.5 GB free' );
	} );
} );

// The TTL limits themselves are the sidecar's (template.ttl, deployment.prolong): sidecar/test/domain/ttl-offers.test.ts.
describe( 'TTL input', () => {
	it( 'accepts whole hours from 1 to the maximum only', () => {
		expect( ttlInputError( '8', 72 ) ).toBeNull();
		expect( ttlInputError( ' 72 ', 72 ) ).toBeNull();
		for ( const bad of [ '0', '73', '1.5', '-1', '', 'abc', '1e2' ] ) {
			expect( ttlInputError( bad, 72 ) ).toBe( 'Enter a whole number of hours from 1 to 72.' );
		}
		expect( ttlInputError( '1', 0 ) ).toBe( 'No more hours can be added now.' );
	} );
} );

describe( 'actions from can', () => {
	it( 'offers exactly what can allows, in a fixed order', () => {
		expect( allowedActions( { start: false, stop: true, prolong: true, refreshIps: false, delete: true, share: false } ) ).toEqual( [ 'stop', 'prolong', 'delete' ] );
		expect( allowedActions( { start: true, stop: true, prolong: true, refreshIps: true, delete: true, share: true } ) ).toEqual( [ 'start', 'stop', 'prolong', 'refreshIps', 'share', 'delete' ] );
		expect( allowedActions( { start: false, stop: false, prolong: false, refreshIps: false, delete: false, share: false } ) ).toEqual( [] );
		expect( allowedActions( null ) ).toEqual( [] );
		expect( allowedActions( { start: 'yes' } as never ) ).toEqual( [] );
		expect( actionLabel( 'refreshIps' ) ).toBe( 'Refresh IPs' );
	} );
} );

describe( 'progress', () => {
	it( 'runs while provisioning, deleting or a pending action', () => {
		expect( isInProgress( { status: 'PROVISIONING', pendingAction: null }, catalog.transitionalStatuses ) ).toBe( true );
		expect( isInProgress( { status: 'DELETING', pendingAction: null }, catalog.transitionalStatuses ) ).toBe( true );
		expect( isInProgress( { status: 'RUNNING', pendingAction: 'stop' }, catalog.transitionalStatuses ) ).toBe( true );
		expect( isInProgress( { status: 'RUNNING', pendingAction: null }, catalog.transitionalStatuses ) ).toBe( false );
		expect( progressLabel( { status: 'RUNNING', pendingAction: 'stop' } ) ).toBe( 'Stopping…' );
		expect( progressLabel( { status: 'PROVISIONING', pendingAction: null } ) ).toBe( 'Provisioning…' );
	} );

	it( 'keeps polling a just-started VM until its guest agent reports addresses, for a while', () => {
		const now = Date.parse( '2026-11-23T12:00:00Z' );
		const at = ( msAgo: number ) => new Date( now - msAgo ).toISOString();
		const running = { status: 'RUNNING', pendingAction: null, ipAddresses: [] as string[], updatedAt: at( 2_000 ) };
		expect( shouldPoll( running, catalog.transitionalStatuses, now ) ).toBe( true );
		expect( shouldPoll( { ...running, ipAddresses: [ '192.0.2.7' ] }, catalog.transitionalStatuses, now ) ).toBe( false );
		expect( shouldPoll( { ...running, updatedAt: at( 10 * 60_000 ) }, catalog.transitionalStatuses, now ) ).toBe( false ); // no agent: stop asking
		expect( shouldPoll( { ...running, status: 'STOPPED' }, catalog.transitionalStatuses, now ) ).toBe( false );
		expect( shouldPoll( { ...running, status: 'STOPPED', pendingAction: 'start' }, catalog.transitionalStatuses, now ) ).toBe( true );
	} );
} );

describe( 'rights', () => {
	it( 'checks the caller’s rights and takes labels from the catalog', () => {
		const m = me( [ 'portal.view', 'settings.manage' ] );
		expect( hasRight( m, 'settings.manage' ) ).toBe( true );
		expect( hasRight( m, 'rights.manage' ) ).toBe( false );
		expect( hasRight( null, 'portal.view' ) ).toBe( false );
		expect( hasAnyRight( m, [ 'deployments.manage_all', 'settings.manage' ] ) ).toBe( true );
		expect( rightLabel( m, 'rights.manage' ) ).toBe( 'Manage rights' );
		expect( rightLabel( m, 'unknown.right' ) ).toBe( 'unknown.right' );
	} );
} );

describe( 'numbers and formats', () => {
	it( 'parses MB inputs', () => {
		expect( parseMbInput( '4096' ) ).toBe( 4096 );
		expect( parseMbInput( '0' ) ).toBe( 0 );
		expect( parseMbInput( '' ) ).toBeNull();
		expect( parseMbInput( '-1' ) ).toBeNull();
		expect( parseMbInput( '1.5' ) ).toBeNull();
		expect( parseOptionalMb( '' ) ).toBeNull();
		expect( parseOptionalMb( '2048' ) ).toBe( 2048 );
		expect( parseOptionalMb( 'x' ) ).toBeUndefined();
		expect( parseWhole( '0', 1 ) ).toBeNull();
		expect( parseWhole( '5', 1 ) ).toBe( 5 );
	} );

	it( 'formats memory and converts local times', () => {
		expect( formatMb( 512 ) ).toBe( '512 MB' );
		expect( formatMb( 4096 ) ).toBe( '4 GB' );
		expect( formatMb( 1536 ) ).toBe( '1.5 GB' );
		expect( localInputToIso( '' ) ).toBeUndefined();
		expect( localInputToIso( 'nope' ) ).toBeUndefined();
		expect( localInputToIso( '2026-11-23T08:00' ) ).toBe( new Date( '2026-11-23T08:00' ).toISOString() );
	} );
} );
