/**
 * react-jsx-runtime for WordPress before 6.6 (registered by the plugin only when WordPress lacks the
 * handle). Scripts built by @wordpress/scripts 28+ import `react/jsx-runtime` as the global
 * `window.ReactJSXRuntime`; this provides jsx, jsxs, jsxDEV and Fragment on top of the React that
 * WordPress ships (window.React, React 17 on WordPress 6.1), through React.createElement.
 *
 * jsx(type, props, key): props already hold `children`; createElement copies them as they are.
 * jsxs(type, props, key): static children (an array written out in the source) are passed as separate
 * arguments, as the compiled createElement form would, so React does not ask for keys on them.
 */
( function ( React ) {
	'use strict';
	if ( ! React || typeof React.createElement !== 'function' ) {
		return;
	}
	var hasOwn = Object.prototype.hasOwnProperty;

	function config( props, key, omitChildren ) {
		var out = {};
		var name;
		for ( name in props ) {
			if ( hasOwn.call( props, name ) && ! ( omitChildren && name === 'children' ) ) {
				out[ name ] = props[ name ];
			}
		}
		// As in React's jsx(): a key spread into props wins over the separate key argument.
		if ( key !== undefined && ! hasOwn.call( out, 'key' ) ) {
			out.key = key;
		}
		return out;
	}

	function jsx( type, props, key ) {
		return React.createElement( type, config( props || {}, key, false ) );
	}

	function jsxs( type, props, key ) {
		props = props || {};
		var children = props.children;
		if ( ! Array.isArray( children ) ) {
			return jsx( type, props, key );
		}
		return React.createElement.apply( React, [ type, config( props, key, true ) ].concat( children ) );
	}

	function jsxDEV( type, props, key, isStatic ) {
		return isStatic ? jsxs( type, props, key ) : jsx( type, props, key );
	}

	window.ReactJSXRuntime = {
		Fragment: React.Fragment,
		jsx: jsx,
		jsxs: jsxs,
		jsxDEV: jsxDEV,
	};
} )( window.React );
