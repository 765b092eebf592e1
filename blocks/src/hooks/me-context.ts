/** The caller (`GET /me`: user, rights, bootstrap, catalog) for every component below the app. */
import { createContext, useContext } from '@wordpress/element';
import type { Me } from '../api/types';

export const MeContext = createContext< Me | null >( null );

export function useMe(): Me {
	const me = useContext( MeContext );
	if ( me === null ) {
		throw new Error( 'useMe() outside MeContext' );
	}
	return me;
}
