/** Previous / next page with "Page 2 of 5 (43 items)". */
import { Button } from '@wordpress/components';
import { __, _n, sprintf } from '@wordpress/i18n';

interface Props {
	page: number;
	totalPages: number;
	total: number;
	onChange: ( page: number ) => void;
}

export function Pager( { page, totalPages, total, onChange }: Props ) {
	if ( totalPages <= 1 ) {
		return null;
	}
	return (
		<nav className="spp-pager" aria-label={ __( 'Pages', 'support-provisioning-portal' ) }>
			<Button variant="secondary" disabled={ page <= 1 } onClick={ () => onChange( page - 1 ) }>
				{ __( 'Previous page', 'support-provisioning-portal' ) }
			</Button>
			<span className="spp-pager__status">
				{ sprintf(
					/* translators: 1: current page, 2: number of pages, 3: number of items */
					_n( 'Page %1$d of %2$d (%3$d item)', 'Page %1$d of %2$d (%3$d items)', total, 'support-provisioning-portal' ),
					page,
					totalPages,
					total
				) }
			</span>
			<Button variant="secondary" disabled={ page >= totalPages } onClick={ () => onChange( page + 1 ) }>
				{ __( 'Next page', 'support-provisioning-portal' ) }
			</Button>
		</nav>
	);
}
