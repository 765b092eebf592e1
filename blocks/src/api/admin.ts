/** Administration routes of api.md: settings, connection test, templates, user rights, audit log. */
import { call, callPage, callRaw } from './client';
import type {
	AuditFilter,
	AuditRecord,
	ConnectionReport,
	Page,
	PortalUser,
	ProxmoxTemplate,
	Settings,
	SettingsUpdate,
	Template,
	TemplateFields,
	UserRightsBody,
} from './types';

export const getSettings = () => call< Settings >( '/settings' );
export const saveSettings = ( change: SettingsUpdate ) => call< Settings >( '/settings', { method: 'PUT', data: change } );
export const testConnection = () => call< ConnectionReport >( '/settings/test', { method: 'POST' } );

export const listAdminTemplates = () => call< Template[] >( '/admin/templates' );
export const createTemplate = ( fields: Partial< TemplateFields > ) =>
	call< Template >( '/admin/templates', { method: 'POST', data: fields } );
export const updateTemplate = ( id: number, change: Partial< TemplateFields > ) =>
	call< Template >( `/admin/templates/${ id }`, { method: 'PUT', data: change } );
export const retireTemplate = ( id: number ) => call< Template >( `/admin/templates/${ id }`, { method: 'DELETE' } );
export const listProxmoxTemplates = () => call< ProxmoxTemplate[] >( '/admin/proxmox-templates' );

export const listUsers = ( q: { page: number; perPage: number; search?: string } ): Promise< Page< PortalUser > > =>
	callPage< PortalUser >( '/users', { page: q.page, per_page: q.perPage, search: q.search } );
export const saveUser = ( id: number, body: UserRightsBody ) =>
	call< PortalUser >( `/users/${ id }`, { method: 'PUT', data: body } );

export const listAudit = ( filter: AuditFilter, page: number, perPage: number ): Promise< Page< AuditRecord > > =>
	callPage< AuditRecord >( '/audit', { ...filter, page, per_page: perPage } );

/** The filtered log as CSV text. Accepts a JSON-encoded string too, in case a proxy serialised the body. */
export async function auditCsv( filter: AuditFilter ): Promise< string > {
	const response = await callRaw( '/audit', { ...filter, format: 'csv' } );
	const text = await response.text();
	const type = response.headers.get( 'Content-Type' ) ?? '';
	if ( type.includes( 'json' ) ) {
		try {
			const decoded: unknown = JSON.parse( text );
			if ( typeof decoded === 'string' ) {
				return decoded;
			}
		} catch {
			// not JSON after all: keep the text
		}
	}
	return text;
}
