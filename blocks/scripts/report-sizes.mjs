#!/usr/bin/env node
// Prints the size of each built entry point (minified JS as written by `wp-scripts build`, and gzipped),
// and fails when the portal's view script exceeds its budget (WordPress's own packages are external).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUILD = join( dirname( fileURLToPath( import.meta.url ) ), '..', '..', 'plugin', 'build' );
const BUDGET = { 'portal/view.js': 60 * 1024 };
const ENTRIES = [ 'portal/view.js', 'portal/index.js', 'admin/index.js', 'polyfills/react-jsx-runtime.js' ];

let failed = false;
for ( const entry of ENTRIES ) {
	const file = join( BUILD, entry );
	if ( ! existsSync( file ) ) {
		console.log( `${ entry.padEnd( 34 ) } missing (run npm run build --workspace blocks)` );
		failed = true;
		continue;
	}
	const code = readFileSync( file );
	const kb = ( n ) => `${ ( n / 1024 ).toFixed( 1 ) } KB`;
	const budget = BUDGET[ entry ];
	const over = budget !== undefined && code.length > budget;
	failed ||= over;
	console.log(
		`${ entry.padEnd( 34 ) } ${ kb( code.length ).padStart( 9 ) } minified, ${ kb( gzipSync( code ).length ).padStart( 8 ) } gzip` +
			( budget !== undefined ? `  (budget ${ kb( budget ) }${ over ? ', EXCEEDED' : '' })` : '' )
	);
}
process.exit( failed ? 1 : 0 );
