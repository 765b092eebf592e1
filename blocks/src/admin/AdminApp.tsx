/** The admin page: one tab per area the caller's rights allow, and the bootstrap notice. */
import { Notice, TabPanel } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import type { ReactElement } from 'react';
import { getMe } from '../api/portal';
import type { Me } from '../api/types';
import { Busy } from '../components/Busy';
import { ErrorNotice } from '../components/ErrorNotice';
import { MeContext } from '../hooks/me-context';
import { useAsync } from '../hooks/use-async';
import { hasAnyRight, hasRight, NEEDS, rightLabel } from '../lib/rights';
import { AuditTab } from './AuditTab';
import { ContingentsTab } from './ContingentsTab';
import { SettingsTab } from './SettingsTab';
import { TemplatesTab } from './TemplatesTab';
import { UsersTab } from './UsersTab';

interface Tab {
	name: string;
	title: string;
	render: () => ReactElement;
}

export function tabsFor( me: Me ): Tab[] {
	const tabs: Array< Tab & { allowed: boolean } > = [
		{ name: 'proxmox', title: __( 'Proxmox', 'support-provisioning-portal' ), allowed: hasRight( me, NEEDS.settings ), render: () => <SettingsTab /> },
		{ name: 'contingents', title: __( 'Contingents', 'support-provisioning-portal' ), allowed: hasRight( me, NEEDS.settings ), render: () => <ContingentsTab /> },
		{ name: 'templates', title: __( 'Templates', 'support-provisioning-portal' ), allowed: hasRight( me, NEEDS.templates ), render: () => <TemplatesTab /> },
		{ name: 'users', title: __( 'User rights', 'support-provisioning-portal' ), allowed: hasRight( me, NEEDS.rights ), render: () => <UsersTab /> },
		{ name: 'audit', title: __( 'Audit log', 'support-provisioning-portal' ), allowed: hasAnyRight( me, NEEDS.audit ), render: () => <AuditTab /> },
	];
	return tabs.filter( ( t ) => t.allowed );
}

function Admin( { me }: { me: Me } ) {
	const tabs = tabsFor( me );
	return (
		<MeContext.Provider value={ me }>
			{ me.bootstrap && (
				<Notice status="warning" isDismissible={ false } className="spp-notice">
					{ sprintf(
						/* translators: %s: the label of the right that manages rights */
						__(
							'Bootstrap mode: nobody holds the right "%s" yet, so WordPress administrators hold every portal right. Grant it to at least one user under "User rights" to end bootstrap mode.',
							'support-provisioning-portal'
						),
						rightLabel( me, NEEDS.rights )
					) }
				</Notice>
			) }
			{ tabs.length === 0 ? (
				<Notice status="info" isDismissible={ false } className="spp-notice">
					{ __( 'You hold none of the portal rights this page needs. Ask a portal administrator to grant them.', 'support-provisioning-portal' ) }
				</Notice>
			) : (
				<TabPanel className="spp-tabs" tabs={ tabs.map( ( { name, title } ) => ( { name, title } ) ) }>
					{ ( tab ) => tabs.find( ( t ) => t.name === tab.name )?.render() ?? <></> }
				</TabPanel>
			) }
		</MeContext.Provider>
	);
}

export function AdminApp() {
	const me = useAsync( getMe, [] );
	return (
		<div className="spp-admin">
			{ me.data ? (
				<Admin me={ me.data } />
			) : (
				<>
					<ErrorNotice error={ me.error } onRetry={ me.reload } />
					{ me.loading && <Busy label={ __( 'Loading…', 'support-provisioning-portal' ) } /> }
				</>
			) }
		</div>
	);
}
