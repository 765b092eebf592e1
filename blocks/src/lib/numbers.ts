/** Whole-number inputs of the admin forms. */

/** "4096" → 4096; "" or anything but a whole number ≥ 0 → null. */
export function parseMbInput( input: string ): number | null {
	const trimmed = input.trim();
	return /^\d{1,9}$/.test( trimmed ) ? Number( trimmed ) : null;
}

/** Empty → null (use the default); a whole number ≥ 0 → that number; anything else → undefined (invalid). */
export function parseOptionalMb( input: string ): number | null | undefined {
	if ( input.trim() === '' ) {
		return null;
	}
	return parseMbInput( input ) ?? undefined;
}

/** A whole number ≥ min, or null. */
export function parseWhole( input: string, min = 0 ): number | null {
	const trimmed = input.trim();
	if ( ! /^\d{1,10}$/.test( trimmed ) ) {
		return null;
	}
	const n = Number( trimmed );
	return n >= min ? n : null;
}
