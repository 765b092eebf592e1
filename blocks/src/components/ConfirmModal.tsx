/** A confirmation dialog built on Modal (ConfirmDialog is not in WordPress 6.1). */
import { Button, Modal } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import type { ReactNode } from 'react';

interface Props {
	title: string;
	confirmLabel: string;
	children: ReactNode;
	busy?: boolean;
	destructive?: boolean;
	onConfirm: () => void;
	onCancel: () => void;
}

export function ConfirmModal( { title, confirmLabel, children, busy = false, destructive = false, onConfirm, onCancel }: Props ) {
	return (
		<Modal title={ title } onRequestClose={ onCancel } className="spp-modal">
			<div className="spp-modal__body">{ children }</div>
			<div className="spp-actions">
				<Button variant="tertiary" onClick={ onCancel } disabled={ busy }>
					{ __( 'Cancel', 'support-provisioning-portal' ) }
				</Button>
				<Button
					variant="primary"
					isDestructive={ destructive }
					isBusy={ busy }
					disabled={ busy }
					onClick={ onConfirm }
				>
					{ confirmLabel }
				</Button>
			</div>
		</Modal>
	);
}
