/**
 * The objects of the REST contract (shared/spec/api.md) as the browser receives them. Rights, statuses
 * and error codes are plain strings here on purpose: their lists come from `GET /me` (`catalog`) at run time.
 */

export type RightSlug = string;
export type Status = string;

export interface CatalogRight {
	slug: RightSlug;
	label: string;
	description?: string;
}

export interface Catalog {
	rights: CatalogRight[];
	statuses: Status[];
	activeStatuses: Status[];
	errorCodes: Record< string, number >;
}

export interface MeUser {
	id: number;
	login: string;
	email?: string;
	name: string;
}

export interface Me {
	user: MeUser;
	rights: RightSlug[];
	bootstrap: boolean;
	catalog: Catalog;
}

export interface Can {
	start: boolean;
	stop: boolean;
	prolong: boolean;
	refreshIps: boolean;
	delete: boolean;
	share: boolean;
}

export interface Deployment {
	id: number;
	name: string;
	status: Status;
	template: { id: number; name: string; osType: string };
	owner: { id: number; login: string; name: string };
	vmid: number | null;
	node: string;
	cores: number;
	memoryMb: number;
	diskGb: number;
	ipAddresses: string[];
	neverExpires: boolean;
	expiresAt: string | null;
	createdAt: string;
	updatedAt: string;
	sharedWithMe: boolean;
	pendingAction: string | null;
	lastError: string | null;
	can: Can;
}

export interface Template {
	id: number;
	name: string;
	description: string;
	osType: string;
	proxmoxVmid: number;
	cores: number;
	memoryMb: number;
	diskGb: number;
	defaultTtlHours: number;
	maxTtlHours: number | null;
	active: boolean;
}

export type TemplateFields = Omit< Template, 'id' >;

export interface Contingent {
	/** null = unlimited */
	limitMb: number | null;
	usedMb: number;
	availableMb: number | null;
}

export interface Quota {
	user: Contingent;
	global: Contingent;
}

/** `ttlHours` or `neverExpires`, never both; neither = the template's default. */
export interface TtlChoice {
	ttlHours?: number;
	neverExpires?: true;
}

export interface CreateDeploymentBody extends TtlChoice {
	templateId: number;
	name: string;
}

export interface Share {
	user: { id: number; login: string; email: string; name: string };
	createdAt: string | null;
}

export type ProxmoxMode = 'mock' | 'http';

export interface Settings {
	mode: ProxmoxMode;
	baseUrl: string;
	tokenId: string;
	tokenSecretSet: boolean;
	node: string;
	tlsCaPem: string;
	tlsFingerprintSha256: string;
	defaultUserRamLimitMb: number;
	globalRamLimitMb: number;
}

export type SettingsUpdate = Partial< Omit< Settings, 'tokenSecretSet' > & { tokenSecret: string } >;

export interface ConnectionReport {
	ok: boolean;
	mode: string;
	node: string;
	version: string | null;
	missingPrivileges: string[];
	missingTemplates: Array< { id: number; name: string; proxmoxVmid: number } >;
	error: string | null;
}

export interface ProxmoxTemplate {
	vmid: number;
	name: string;
	cores: number;
	memoryMb: number;
	diskGb: number;
	osType: string | null;
	/** The approved template that already uses this VMID. */
	importedAs: number | null;
}

export interface PortalUser {
	id: number;
	login: string;
	email: string;
	name: string;
	/** null = the default contingent */
	ramLimitMb: number | null;
	rights: RightSlug[];
}

export interface UserRightsBody {
	rights: RightSlug[];
	ramLimitMb: number | null;
}

export interface AuditRecord {
	id: number;
	at: string;
	actor: { id: number | null; login: string | null };
	action: string;
	target: { type: string; id: string } | null;
	deploymentId: number | null;
	result: string;
	status: number | null;
	details: Record< string, unknown >;
	ip: string | null;
	userAgent: string | null;
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
