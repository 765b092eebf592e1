/**
 * The objects of the REST contract (shared/spec/api.md) as the browser receives them. Rights, statuses
 * and error codes are plain strings here on purpose: their lists come from `GET /me` (`catalog`) at run time.
 */

export type RightSlug = string;
export type Status = string;

// The objects the sidecar answers with, defined once in the sidecar (type-only: nothing of it is bundled).
export type {
	Can,
	Deployment,
	Template,
	PortalTemplate,
	TtlOffer,
	TemplateFields,
	Contingent,
	Quota,
	Share,
	ProxmoxMode,
	SettingsView as Settings,
	SettingsUpdate,
	ConnectionReport,
	ImportableTemplate as ProxmoxTemplate,
	PortalUser,
	AuditRecord,
	Me,
} from '@spp/contract';
import type { Me } from '@spp/contract';

export type Catalog = Me[ 'catalog' ];
export type CatalogRight = Catalog[ 'rights' ][ number ];
export type MeUser = Me[ 'user' ];

/** `ttlHours` or `neverExpires`, never both; neither = the template's default. */
export interface TtlChoice {
	ttlHours?: number;
	neverExpires?: true;
}

export interface CreateDeploymentBody extends TtlChoice {
	templateId: number;
	name: string;
}

export interface UserRightsBody {
	rights: RightSlug[];
	ramLimitMb: number | null;
}

export interface AuditFilter {
	actor?: string;
	action?: string;
	deployment?: string;
	from?: string;
	to?: string;
}

/** One page of a list, with WordPress's paging headers read. */
export interface Page< T > {
	items: T[];
	total: number;
	totalPages: number;
}

/** The error envelope every refusal uses. */
export interface ApiErrorBody {
	code: string;
	message: string;
	data?: { status?: number; params?: Record< string, string >; [ key: string ]: unknown };
}
