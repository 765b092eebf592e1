/** Portal routes of api.md: templates, quota, deployments and their actions, sharing. */
import { call, callPage } from './client';
import type { CreateDeploymentBody, Deployment, Me, Page, PortalTemplate, Quota, Share, TtlChoice } from './types';

export interface DeploymentQuery {
	page: number;
	perPage: number;
	search?: string;
	status?: string;
}

export const getMe = () => call< Me >( '/me' );
export const getTemplates = () => call< PortalTemplate[] >( '/templates' );
export const getQuota = () => call< Quota >( '/quota' );

export const listDeployments = ( q: DeploymentQuery ): Promise< Page< Deployment > > =>
	callPage< Deployment >( '/deployments', { page: q.page, per_page: q.perPage, search: q.search, status: q.status } );

export const getDeployment = ( id: number ) => call< Deployment >( `/deployments/${ id }` );

export const createDeployment = ( body: CreateDeploymentBody ) =>
	call< Deployment >( '/deployments', { method: 'POST', data: body } );

export type PowerAction = 'start' | 'stop' | 'refresh-ips';

export const powerAction = ( id: number, action: PowerAction ) =>
	call< Deployment >( `/deployments/${ id }/${ action }`, { method: 'POST' } );

export const prolongDeployment = ( id: number, choice: TtlChoice ) =>
	call< Deployment >( `/deployments/${ id }/prolong`, { method: 'POST', data: choice } );

export const deleteDeployment = ( id: number ) =>
	call< { deleted: boolean; previous: Deployment | null } >( `/deployments/${ id }`, { method: 'DELETE' } );

export const listShares = ( id: number ) => call< Share[] >( `/deployments/${ id }/shares` );

export const addShare = ( id: number, user: string ) =>
	call< Share >( `/deployments/${ id }/shares`, { method: 'POST', data: { user } } );

export const removeShare = ( id: number, userId: number ) =>
	call< { deleted: boolean } >( `/deployments/${ id }/shares/${ userId }`, { method: 'DELETE' } );
