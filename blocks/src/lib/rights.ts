/**
 * The rights the UI itself asks about (which admin tab to show, whether to offer "create"). Their
 * labels and the full list come from `GET /me` (catalog); these slugs only name what a screen needs.
 */
import type { Me, RightSlug } from '../api/types';

export const NEEDS = {
	create: 'deployments.create',
	settings: 'settings.manage',
	templates: 'templates.manage',
	rights: 'rights.manage',
	audit: [ 'deployments.manage_all', 'settings.manage' ],
} as const;

export function hasRight( me: Pick< Me, 'rights' > | null, right: RightSlug ): boolean {
	return me !== null && me.rights.includes( right );
}

export function hasAnyRight( me: Pick< Me, 'rights' > | null, rights: readonly RightSlug[] ): boolean {
	return rights.some( ( r ) => hasRight( me, r ) );
}

export function rightLabel( me: Pick< Me, 'catalog' >, slug: RightSlug ): string {
	return me.catalog.rights.find( ( r ) => r.slug === slug )?.label ?? slug;
}
