/** @wordpress/block-editor 18 ships no type declarations; only what the block's editor side uses. */
declare module '@wordpress/block-editor' {
	export function useBlockProps( props?: Record< string, unknown > ): Record< string, unknown >;
}

declare module '*.scss';

interface Window {
	ReactJSXRuntime?: unknown;
}
