/** The one place that calls apiFetch: namespace, query strings, paging headers, error normalisation. */
import apiFetch from '@wordpress/api-fetch';
import { toApiError } from './errors';
import { readPaging } from './paging';
import { withQuery, type QueryValue } from './query';
import type { Page } from './types';

export const NAMESPACE = '/support-provisioning/v1';

export type Query = Record< string, QueryValue >;

export interface CallOptions {
	method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
	data?: unknown;
	query?: Query;
}

export const apiPath = ( path: string, query?: Query ): string => withQuery( `${ NAMESPACE }${ path }`, query );

export async function call< T >( path: string, options: CallOptions = {} ): Promise< T > {
	try {
		return await apiFetch< T >( {
			path: apiPath( path, options.query ),
			method: options.method ?? 'GET',
			...( options.data !== undefined ? { data: options.data } : {} ),
		} );
	} catch ( thrown ) {
		throw await toApiError( thrown );
	}
}

/** The raw response (`parse: false`), for headers and non-JSON bodies; errors are still normalised. */
export async function callRaw( path: string, query?: Query ): Promise< Response > {
	try {
		return await apiFetch< Response, false >( { path: apiPath( path, query ), parse: false } );
	} catch ( thrown ) {
		throw await toApiError( thrown );
	}
}

/** A list with `page`/`per_page`, reading `X-WP-Total` / `X-WP-TotalPages`. */
export async function callPage< T >( path: string, query: Query ): Promise< Page< T > > {
	const response = await callRaw( path, query );
	let items: T[];
	try {
		items = ( await response.json() ) as T[];
	} catch ( thrown ) {
		throw await toApiError( thrown );
	}
	const list = Array.isArray( items ) ? items : [];
	return { items: list, ...readPaging( response.headers, list.length ) };
}
