/** In the editor the portal is a placeholder; the real one needs the visitor's session, so it renders on the page only. */
import { Placeholder } from '@wordpress/components';
import { useBlockProps } from '@wordpress/block-editor';
import { __ } from '@wordpress/i18n';

export function Edit() {
	return (
		<div { ...useBlockProps() }>
			<Placeholder
				icon="cloud"
				label={ __( 'Support Portal', 'support-provisioning-portal' ) }
				instructions={ __(
					'Shows the support provisioning portal here for logged-in users with the right to view it: their deployments, RAM contingents and a form to create deployments from approved templates. Preview the page to see it.',
					'support-provisioning-portal'
				) }
			/>
		</div>
	);
}
