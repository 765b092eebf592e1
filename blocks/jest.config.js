/** UI unit tests: WordPress's jest preset (jsdom), TypeScript through WordPress's babel preset; `tsc --noEmit` checks the types. */
module.exports = {
	preset: '@wordpress/jest-preset-default',
	rootDir: __dirname,
	roots: [ '<rootDir>/test' ],
	testMatch: [ '<rootDir>/test/**/*.test.[jt]s?(x)' ],
	transform: {
		'\\.m?[jt]sx?$': require.resolve( '@wordpress/scripts/config/babel-transform' ),
	},
	// Some dependencies of @wordpress/components ship ES modules only; let babel compile those.
	transformIgnorePatterns: [ '/node_modules/(?!(uuid|@ariakit|parsel-js|@wordpress\/theme)/)' ],
};
