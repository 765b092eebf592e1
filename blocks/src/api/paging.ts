/** WordPress-style paging headers (`X-WP-Total`, `X-WP-TotalPages`). */
export interface HeaderSource {
	get( name: string ): string | null;
}

export interface Paging {
	total: number;
	totalPages: number;
}

function whole( value: string | null ): number | null {
	if ( value === null || ! /^\s*\d+\s*$/.test( value ) ) {
		return null;
	}
	return Number( value );
}

/** Missing or broken headers fall back to what was received: one page holding `itemCount` items. */
export function readPaging( headers: HeaderSource, itemCount: number ): Paging {
	const total = whole( headers.get( 'X-WP-Total' ) ) ?? itemCount;
	const totalPages = whole( headers.get( 'X-WP-TotalPages' ) ) ?? 1;
	return { total, totalPages: Math.max( 1, totalPages ) };
}
