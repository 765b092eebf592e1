/**
 * wp-scripts' default config (entries from src/portal/block.json) plus the admin page and the
 * react-jsx-runtime polyfill for WordPress < 6.6, all written to ../plugin/build/.
 */
const defaultConfig = require( '@wordpress/scripts/config/webpack.config' );

module.exports = {
	...defaultConfig,
	entry: () => ( {
		...defaultConfig.entry(),
		'admin/index': './src/admin/index.tsx',
		'polyfills/react-jsx-runtime': './src/polyfills/react-jsx-runtime.js',
	} ),
	resolve: {
		...defaultConfig.resolve,
		alias: {
			...defaultConfig.resolve.alias,
			// An absolute path, so the dependency extraction plugin does not turn it into the
			// `react-jsx-runtime` handle the polyfill is meant to provide; React itself stays external.
			'spp-bundled-jsx-runtime$': require.resolve( 'react/jsx-runtime' ),
		},
	},
};
