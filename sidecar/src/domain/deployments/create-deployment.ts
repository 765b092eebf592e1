/**
 * Create: sizes come from the template, never from the request. The contingent check, the name check
 * and the insert are one write transaction, so parallel creates can never oversubscribe. Provisioning
 * then runs in the background; the caller sees PROVISIONING at once.
 */
import { AUDIT_ACTION } from '@spp/contract';
import { conflict, invalidParams } from '../../http/api-error';
import { writeTx } from '../../db/open';
import type { Caller } from '../access';
import type { Portal } from '../portal';
import { HOUR_MS } from '../clock';
import { checkTtl } from './ttl';
import type { Provisioner } from './provisioner';
import type { DeploymentRecord } from '../../repositories/deployments-repo';

export interface CreateInput {
  templateId: number;
  name: string;
  ttlHours?: number;
  neverExpires?: boolean;
}

export function createDeployment(portal: Portal, provisioner: Provisioner, caller: Caller, input: CreateInput): DeploymentRecord {
  const id = writeTx(portal.db, () => {
    const template = portal.templates.get(input.templateId);
    if (!template || !template.active) throw invalidParams({ templateId: 'No approved template with this id; choose one of the listed templates.' });
    const hours = checkTtl(input, template);
    if (portal.deployments.nameTaken(input.name)) throw conflict(`A deployment named '${input.name}' already exists; choose another name.`);
    portal.contingents.assertFits(caller.id, template.memoryMb);
    const now = portal.clock();
    const id = portal.deployments.insert(
      {
        name: input.name,
        templateId: template.id,
        ownerId: caller.id,
        node: portal.settings.view().node,
        cores: template.cores,
        memoryMb: template.memoryMb,
        diskGb: template.diskGb,
        neverExpires: hours === null,
        expiresAt: hours === null ? null : now + hours * HOUR_MS,
      },
      now,
    );
    portal.audit.append({
      actor: caller.actor,
      action: AUDIT_ACTION.create_deployment,
      target: { type: 'deployment', id },
      deploymentId: id,
      result: 'ok',
      status: 201,
      details: { name: input.name, templateId: template.id, template: template.name, ttlHours: hours, neverExpires: hours === null, memoryMb: template.memoryMb },
    });
    return id;
  });
  provisioner.provision(id);
  return portal.deployments.get(id, caller.id) as DeploymentRecord;
}
