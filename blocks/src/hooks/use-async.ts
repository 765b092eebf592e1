/** Loads data once per change of `deps`; `reload()` fetches again while keeping the last data on screen. */
import { useCallback, useEffect, useState } from '@wordpress/element';
import type { DependencyList } from 'react';

export interface AsyncState< T > {
	data: T | null;
	error: unknown;
	loading: boolean;
	reload: () => void;
	setData: ( data: T ) => void;
}

export function useAsync< T >( load: () => Promise< T >, deps: DependencyList ): AsyncState< T > {
	const [ state, setState ] = useState< { data: T | null; error: unknown; loading: boolean } >( {
		data: null,
		error: null,
		loading: true,
	} );
	const [ tick, setTick ] = useState( 0 );

	useEffect( () => {
		let live = true;
		setState( ( s ) => ( { ...s, loading: true } ) );
		load().then(
			( data ) => {
				if ( live ) {
					setState( { data, error: null, loading: false } );
				}
			},
			( error: unknown ) => {
				if ( live ) {
					setState( ( s ) => ( { data: s.data, error, loading: false } ) );
				}
			}
		);
		return () => {
			live = false;
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ ...deps, tick ] );

	const reload = useCallback( () => setTick( ( t ) => t + 1 ), [] );
	const setData = useCallback( ( data: T ) => setState( { data, error: null, loading: false } ), [] );

	return { ...state, reload, setData };
}
