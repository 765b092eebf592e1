/**
 * A stand-in for apiFetch: routes keyed by "METHOD /path" (namespace and query stripped) answer with a
 * value, a paged list, or an error envelope; every call is recorded.
 */
import { ACTIVE_STATUSES, ERROR_CODES, RIGHTS, STATUSES, TRANSITIONAL_STATUSES } from '@spp/contract';
import type { Catalog, Deployment, Me, PortalTemplate, Quota, Template } from '../../src/api/types';

export interface Recorded {
	method: string;
	path: string;
	query: URLSearchParams;
	data: unknown;
	parse: boolean;
}

export const last = < T, >( items: readonly T[] ): T | undefined => items[ items.length - 1 ];

type Answer =
	| { body: unknown; headers?: Record< string, string >; status?: number }
	| { error: { code: string; message: string; data: { status: number; params?: Record< string, string > } } };

/** An answer, or one that comes later (a request still under way). */
type Handler = ( call: Recorded ) => Answer | Promise< Answer >;

export type { Answer };

export interface ApiMock {
	calls: Recorded[];
	on( route: string, handler: Handler | Answer ): void;
	fetch: jest.Mock;
}

function responseLike( body: unknown, headers: Record< string, string >, status: number ) {
	const lower = Object.fromEntries( Object.entries( headers ).map( ( [ k, v ] ) => [ k.toLowerCase(), v ] ) );
	const text = typeof body === 'string' ? body : JSON.stringify( body );
	return {
		ok: status >= 200 && status < 300,
		status,
		headers: { get: ( name: string ) => lower[ name.toLowerCase() ] ?? null },
		json: async () => JSON.parse( text ) as unknown,
		text: async () => text,
	};
}

export function createApiMock(): ApiMock {
	const routes = new Map< string, Handler >();
	const calls: Recorded[] = [];
	const fetch = jest.fn( async ( options: { path: string; method?: string; data?: unknown; parse?: boolean } ) => {
		const [ rawPath = '', rawQuery = '' ] = options.path.split( '?' );
		const path = rawPath.replace( /^\/support-provisioning\/v1/, '' );
		const call: Recorded = {
			method: options.method ?? 'GET',
			path,
			query: new URLSearchParams( rawQuery ),
			data: options.data,
			parse: options.parse !== false,
		};
		calls.push( call );
		const key = `${ call.method } ${ path }`;
		const handler = routes.get( key ) ?? [ ...routes.entries() ].find( ( [ k ] ) => new RegExp( `^${ k.replace( /:\w+/g, '[^/]+' ) }$` ).test( key ) )?.[ 1 ];
		if ( ! handler ) {
			throw { code: 'rest_no_route', message: `No route ${ key } in the test.`, data: { status: 404 } };
		}
		const answer = await handler( call );
		if ( 'error' in answer ) {
			if ( ! call.parse ) {
				throw responseLike( answer.error, {}, answer.error.data.status );
			}
			throw answer.error;
		}
		if ( ! call.parse ) {
			return responseLike( answer.body, answer.headers ?? {}, answer.status ?? 200 );
		}
		return answer.body;
	} );
	return {
		calls,
		fetch,
		on( route, handler ) {
			routes.set( route, typeof handler === 'function' ? handler : () => handler );
		},
	};
}

/** The catalog as GET /me sends it: the contract's own lists, so a right or status added there is here too. */
export const catalog: Catalog = {
	rights: RIGHTS.map( ( r ) => ( { ...r } ) ),
	statuses: [ ...STATUSES ],
	activeStatuses: [ ...ACTIVE_STATUSES ],
	transitionalStatuses: [ ...TRANSITIONAL_STATUSES ],
	errorCodes: { ...ERROR_CODES },
};

export const me = ( rights: string[], bootstrap = false ): Me => ( {
	user: { id: 7, login: 'alice', email: 'alice@example.test', name: 'Alice Support' },
	rights,
	bootstrap,
	catalog,
} );

export const template = ( over: Partial< Template > = {} ): Template => ( {
	id: 3,
	name: 'Linux Utility VM',
	description: 'Debian with tools.',
	osType: 'l26',
	proxmoxVmid: 9003,
	cores: 2,
	memoryMb: 4096,
	diskGb: 32,
	defaultTtlHours: 24,
	maxTtlHours: null,
	active: true,
	...over,
} );

/** A template as GET /templates answers: `ttl` is the sidecar's offer, written out as it would answer. */
export const portalTemplate = ( over: Partial< PortalTemplate > = {} ): PortalTemplate => ( {
	...template( over ),
	ttl: { maxHours: 8760, allowsNever: true, defaultHours: 24 },
	...over,
} );

export const quota = ( over: Partial< Quota > = {} ): Quota => ( {
	user: { limitMb: 8192, usedMb: 2048, availableMb: 6144 },
	global: { limitMb: null, usedMb: 20480, availableMb: null },
	...over,
} );

export const deployment = ( over: Partial< Deployment > = {} ): Deployment => ( {
	id: 12,
	name: 'repro-4711',
	status: 'RUNNING',
	template: { id: 3, name: 'Linux Utility VM', osType: 'l26' },
	owner: { id: 7, login: 'alice', name: 'Alice Support', removed: false },
	vmid: 4711,
	node: 'pve-01',
	cores: 2,
	memoryMb: 4096,
	diskGb: 32,
	ipAddresses: [ '192.0.2.15' ],
	neverExpires: false,
	expiresAt: new Date( Date.now() + 5 * 3_600_000 ).toISOString(),
	createdAt: '2026-11-23T08:00:00Z',
	updatedAt: '2026-11-23T08:00:00Z',
	sharedWithMe: false,
	pendingAction: null,
	lastError: null,
	can: { start: false, stop: true, prolong: true, refreshIps: true, delete: true, share: true },
	prolong: { maxHours: 8755, allowsNever: true, defaultHours: 24 },
	...over,
} );
