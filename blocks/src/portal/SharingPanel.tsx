/** Who else sees a deployment: list, add by login or e-mail, remove. */
import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { fieldError } from '../api/errors';
import { addShare, listShares, removeShare } from '../api/portal';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAsync } from '../hooks/use-async';

export function SharingPanel( { deploymentId }: { deploymentId: number } ) {
	const shares = useAsync( () => listShares( deploymentId ), [ deploymentId ] );
	const [ who, setWho ] = useState( '' );
	const [ busy, setBusy ] = useState< string | null >( null );
	const [ error, setError ] = useState< unknown >( null );

	const run = async ( key: string, action: () => Promise< unknown > ) => {
		setBusy( key );
		setError( null );
		try {
			await action();
			shares.reload();
			return true;
		} catch ( e ) {
			setError( e );
			return false;
		} finally {
			setBusy( null );
		}
	};

	const add = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( who.trim() === '' ) {
			return;
		}
		if ( await run( 'add', () => addShare( deploymentId, who.trim() ) ) ) {
			setWho( '' );
		}
	};

	const list = shares.data ?? [];
	return (
		<section className="spp-sharing" aria-labelledby={ `spp-sharing-${ deploymentId }` }>
			<h3 id={ `spp-sharing-${ deploymentId }` }>{ __( 'Sharing', 'support-provisioning-portal' ) }</h3>
			<ErrorNotice error={ shares.error } onRetry={ shares.reload } />
			<ErrorNotice error={ fieldError( error, 'user' ) ? null : error } onDismiss={ () => setError( null ) } />
			{ shares.data === null && shares.loading && <Busy label={ __( 'Loading…', 'support-provisioning-portal' ) } /> }
			{ shares.data !== null && list.length === 0 && (
				<p className="spp-empty">
					{ __( 'Not shared with anyone. Add a colleague by login or e-mail address to let them see and use it.', 'support-provisioning-portal' ) }
				</p>
			) }
			{ list.length > 0 && (
				<ul className="spp-share-list">
					{ list.map( ( s ) => (
						<li key={ s.user.id }>
							<span>
								{ s.user.name || s.user.login } <span className="spp-muted">({ s.user.login }{ s.user.email ? `, ${ s.user.email }` : '' })</span>
							</span>
							<Button
								variant="secondary"
								isDestructive
								isBusy={ busy === `remove-${ s.user.id }` }
								disabled={ busy !== null }
								onClick={ () => run( `remove-${ s.user.id }`, () => removeShare( deploymentId, s.user.id ) ) }
								label={ sprintf(
									/* translators: %s: user login */
									__( 'Remove %s', 'support-provisioning-portal' ),
									s.user.login
								) }
								showTooltip={ false }
							>
								{ __( 'Remove', 'support-provisioning-portal' ) }
							</Button>
						</li>
					) ) }
				</ul>
			) }
			<form className="spp-form spp-inline-form" onSubmit={ add }>
				<TextControl
					label={ __( 'Share with (login or e-mail)', 'support-provisioning-portal' ) }
					value={ who }
					onChange={ ( v: string ) => setWho( v ) }
					help={ fieldError( error, 'user' ) }
					autoComplete="off"
					__next40pxDefaultSize
					__nextHasNoMarginBottom
				/>
				<Button variant="secondary" type="submit" isBusy={ busy === 'add' } disabled={ busy !== null || who.trim() === '' }>
					{ __( 'Share', 'support-provisioning-portal' ) }
				</Button>
			</form>
		</section>
	);
}
