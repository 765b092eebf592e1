/** Builds `path?query` for apiFetch, leaving out empty values (the sidecar refuses unknown parameters, not empty ones, but short URLs read better in the audit log). */
export type QueryValue = string | number | boolean | null | undefined;

export function withQuery( path: string, query: Record< string, QueryValue > = {} ): string {
	const parts: string[] = [];
	for ( const [ key, value ] of Object.entries( query ) ) {
		if ( value === undefined || value === null || value === '' || value === false ) {
			continue;
		}
		parts.push( `${ encodeURIComponent( key ) }=${ encodeURIComponent( String( value ) ) }` );
	}
	if ( parts.length === 0 ) {
		return path;
	}
	return `${ path }${ path.includes( '?' ) ? '&' : '?' }${ parts.join( '&' ) }`;
}
