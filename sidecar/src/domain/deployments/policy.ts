/**
 * One policy per deployment action: the right it needs, who may use it (anyone who sees the deployment,
 * or only its owner and those who manage all deployments), the statuses it is allowed in, and whether it
 * must wait for a Proxmox action under way. The guards that refuse (403 naming the right, 409 saying why
 * not now) and the `can` sent to the UI both read this table, so what the UI offers is what is allowed.
 */
import { ApiError, conflict } from '../../http/api-error';
import type { DeploymentRecord } from '../../repositories/deployments-repo';
import { Caller, forbidden, has } from '../access';
import { Can, DeploymentAction, Right, Status, STATUSES } from '@spp/contract';

export type { DeploymentAction };

interface ActionPolicy {
  /** The right the action needs besides 'View the portal'; null: none. */
  right: Right | null;
  /**
   * 'seer': whoever sees the deployment and holds the right. 'owner': its owner holding the right, or a
   * holder of 'Manage all deployments' (a user it is shared with never).
   */
  relation: 'seer' | 'owner';
  statuses: readonly Status[];
  /** Refused while another Proxmox action is under way on the deployment. */
  idle: boolean;
  /** The 409 for a status the action is not allowed in. */
  notNow: (d: DeploymentRecord) => ApiError;
}

const cannot = (verb: string) => (d: DeploymentRecord) => conflict(`'${d.name}' cannot be ${verb} while it is ${d.status}.`);
const beingDeleted = (d: DeploymentRecord) => conflict(`'${d.name}' is being deleted.`);
const except = (...out: Status[]): Status[] => STATUSES.filter((s) => !out.includes(s));

export const DEPLOYMENT_POLICY: Readonly<Record<DeploymentAction, ActionPolicy>> = {
  start: {
    right: 'deployments.start',
    relation: 'seer',
    statuses: ['STOPPED'],
    idle: true,
    notNow: (d) => (d.status === 'EXPIRED' ? new ApiError('spp_expired', `'${d.name}' has expired; prolong it before starting it.`) : cannot('started')(d)),
  },
  stop: { right: 'deployments.stop', relation: 'seer', statuses: ['RUNNING'], idle: true, notNow: cannot('stopped') },
  prolong: { right: 'deployments.prolong', relation: 'seer', statuses: ['STOPPED', 'RUNNING', 'EXPIRED'], idle: false, notNow: cannot('prolonged') },
  refreshIps: {
    right: 'deployments.refresh_ips',
    relation: 'seer',
    statuses: ['RUNNING', 'STOPPED'],
    idle: false,
    notNow: (d) => conflict(`The addresses of '${d.name}' cannot be read while it is ${d.status}.`),
  },
  delete: { right: 'deployments.delete', relation: 'owner', statuses: ['STOPPED', 'RUNNING', 'EXPIRED', 'FAILED'], idle: true, notNow: cannot('deleted') },
  share: { right: null, relation: 'owner', statuses: except('DELETED', 'DELETING'), idle: false, notNow: beingDeleted },
  handOver: { right: 'deployments.manage_all', relation: 'seer', statuses: except('DELETED', 'DELETING'), idle: true, notNow: beingDeleted },
};

const busy = (d: DeploymentRecord) => conflict(`'${d.name}' is busy (${d.pendingAction} under way); try again when it has finished.`);

const isOwner = (caller: Caller, d: DeploymentRecord) => d.ownerId === caller.id;

/** The right that is missing for the action, checked before the deployment is read; null: none. */
function missingRight(caller: Caller, action: DeploymentAction): Right | null {
  if (!has(caller, 'portal.view')) return 'portal.view';
  const { right, relation } = DEPLOYMENT_POLICY[action];
  if (right === null || has(caller, right) || (relation === 'owner' && has(caller, 'deployments.manage_all'))) return null;
  return right;
}

/** An owner action on a deployment the caller sees but may not do this to. */
function relationBars(caller: Caller, d: DeploymentRecord, action: DeploymentAction): boolean {
  const { right, relation } = DEPLOYMENT_POLICY[action];
  if (relation === 'seer' || has(caller, 'deployments.manage_all')) return false;
  return !(isOwner(caller, d) && (right === null || has(caller, right)));
}

/** What in the deployment's state bars the action now: its status, or another action under way. */
function stateBars(d: DeploymentRecord, action: DeploymentAction): 'status' | 'busy' | null {
  const policy = DEPLOYMENT_POLICY[action];
  if (!policy.statuses.includes(d.status)) return 'status';
  if (policy.idle && d.pendingAction !== null) return 'busy';
  return null;
}

/**
 * Before the deployment is loaded: 'View the portal', then the action's right (for owner actions, that
 * right or 'Manage all deployments'), so the answer never depends on whether the deployment exists.
 */
export function authorizeAction(caller: Caller, action: DeploymentAction): void {
  const right = missingRight(caller, action);
  if (right !== null) throw forbidden(right);
}

/** Once it is loaded (and visible): the relation; then, unless the state is checked again in a transaction, the state. */
export function authorizeOn(caller: Caller, d: DeploymentRecord, action: DeploymentAction, checkState = true): void {
  if (relationBars(caller, d, action)) {
    const { right } = DEPLOYMENT_POLICY[action];
    if (action === 'share') {
      throw new ApiError('spp_forbidden', "Only the owner, or someone with the right 'Manage all deployments', can change who it is shared with.", { right: 'deployments.manage_all' });
    }
    throw forbidden(isOwner(caller, d) && right !== null ? right : 'deployments.manage_all');
  }
  if (checkState) requireState(d, action);
}

/** The state check alone (409), for the transaction that acts on a freshly read row. */
export function requireState(d: DeploymentRecord, action: DeploymentAction): void {
  const bar = stateBars(d, action);
  if (bar === 'status') throw DEPLOYMENT_POLICY[action].notNow(d);
  if (bar === 'busy') throw busy(d);
}

/** The same decision as the guards, without building their errors: for `can`. */
export function allow(caller: Caller, d: DeploymentRecord, action: DeploymentAction): boolean {
  return missingRight(caller, action) === null && !relationBars(caller, d, action) && stateBars(d, action) === null;
}

const CAN_ACTIONS = ['start', 'stop', 'prolong', 'refreshIps', 'delete', 'share'] as const satisfies ReadonlyArray<keyof Can>;

/** What the caller can do now, from the same table the guards refuse with. */
export function canFor(caller: Caller, d: DeploymentRecord): Can {
  return Object.fromEntries(CAN_ACTIONS.map((a) => [a, allow(caller, d, a)])) as unknown as Can;
}
