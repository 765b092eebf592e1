/**
 * Every failure of a call becomes an ApiError carrying the sidecar's message as it is, plus the
 * per-field messages of `spp_invalid_param` (`data.params`).
 */
import { __ } from '@wordpress/i18n';
import type { ApiErrorBody } from './types';

export class ApiError extends Error {
	readonly code: string;
	readonly status: number | null;
	readonly params: Record< string, string >;

	constructor( body: ApiErrorBody ) {
		super( body.message );
		this.name = 'ApiError';
		this.code = body.code;
		this.status = typeof body.data?.status === 'number' ? body.data.status : null;
		this.params = isStringRecord( body.data?.params ) ? body.data.params : {};
	}
}

function isStringRecord( value: unknown ): value is Record< string, string > {
	return (
		typeof value === 'object' &&
		value !== null &&
		! Array.isArray( value ) &&
		Object.values( value ).every( ( v ) => typeof v === 'string' )
	);
}

function isResponse( value: unknown ): value is Response {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof ( value as Response ).json === 'function' &&
		typeof ( value as Response ).status === 'number'
	);
}

export const genericMessage = (): string =>
	__( 'Something went wrong. Please try again.', 'support-provisioning-portal' );

/** The error envelope from whatever was thrown or received; never invents a message when one was given. */
export function errorBodyOf( value: unknown, status: number | null = null ): ApiErrorBody {
	if ( typeof value === 'object' && value !== null ) {
		const v = value as Partial< ApiErrorBody > & { data?: unknown };
		if ( typeof v.message === 'string' && v.message.trim() !== '' ) {
			const data =
				typeof v.data === 'object' && v.data !== null
					? ( v.data as ApiErrorBody[ 'data' ] )
					: status !== null
					? { status }
					: undefined;
			return { code: typeof v.code === 'string' ? v.code : 'unknown_error', message: v.message, data };
		}
	}
	if ( typeof value === 'string' && value.trim() !== '' ) {
		return { code: 'unknown_error', message: value, data: status !== null ? { status } : undefined };
	}
	return { code: 'unknown_error', message: genericMessage(), data: status !== null ? { status } : undefined };
}

/** Normalises a rejection of apiFetch (a parsed error, a raw Response with `parse: false`, an Error). */
export async function toApiError( thrown: unknown ): Promise< ApiError > {
	if ( thrown instanceof ApiError ) {
		return thrown;
	}
	if ( isResponse( thrown ) ) {
		let body: unknown = null;
		try {
			body = await thrown.json();
		} catch {
			body = null;
		}
		return new ApiError( errorBodyOf( body, thrown.status ) );
	}
	return new ApiError( errorBodyOf( thrown ) );
}

/** The message to show for any caught value. */
export function messageOf( error: unknown ): string {
	return error instanceof ApiError ? error.message : errorBodyOf( error ).message;
}

/** The message the sidecar gave one field of an `spp_invalid_param`, if any. */
export function fieldError( error: unknown, field: string ): string | undefined {
	return error instanceof ApiError ? error.params[ field ] : undefined;
}
