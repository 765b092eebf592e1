/** Memory and dates as people read them. */
import { __, sprintf } from '@wordpress/i18n';

/** 4096 → "4 GB", 1536 → "1.5 GB", 512 → "512 MB". */
export function formatMb( mb: number ): string {
	if ( mb >= 1024 ) {
		const gb = Math.round( ( mb / 1024 ) * 10 ) / 10;
		/* translators: %s: amount of memory in gigabytes */
		return sprintf( __( '%s GB', 'support-provisioning-portal' ), String( gb ) );
	}
	/* translators: %d: amount of memory in megabytes */
	return sprintf( __( '%d MB', 'support-provisioning-portal' ), mb );
}

/** An ISO time in the browser's locale and time zone; empty input gives an empty string. */
export function formatDateTime( iso: string | null | undefined ): string {
	if ( ! iso ) {
		return '';
	}
	const date = new Date( iso );
	return Number.isNaN( date.getTime() ) ? iso : date.toLocaleString();
}

/** A `datetime-local` input value (browser time) as ISO 8601 UTC, or undefined when empty or invalid. */
export function localInputToIso( value: string ): string | undefined {
	if ( value.trim() === '' ) {
		return undefined;
	}
	const date = new Date( value );
	return Number.isNaN( date.getTime() ) ? undefined : date.toISOString();
}
