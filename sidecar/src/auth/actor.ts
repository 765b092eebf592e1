/** The actor WordPress signs into X-SPP-Actor: a WordPress user, or the system actor for sync and cron. */
import { z } from 'zod';
import { USER_FIELD_LIMITS as U } from '@spp/contract';

const userActor = z
  .object({
    id: z.number().int().positive(),
    login: z.string().min(1).max(U.login),
    email: z.string().max(U.email).default(''),
    name: z.string().max(U.name).default(''),
    /** WordPress capabilities the sidecar asks about: manage_options (this site), manage_network_options (a network). */
    caps: z.array(z.string().max(100)).max(50).default([]),
    /** WordPress runs as a network (multisite): the directory and the rights are the network's. */
    network: z.boolean().optional(),
    /** The user holds a role on the site they act from (false: removed from it, or no role left). */
    member: z.boolean().optional(),
    ip: z.string().max(64).optional(),
    userAgent: z.string().max(512).optional(),
  })
  .strict();

const systemActor = z.object({ id: z.literal(0), system: z.literal(true) }).strict();

export type UserActor = z.infer<typeof userActor> & { system?: undefined };
export type SystemActor = z.infer<typeof systemActor> & { ip?: undefined; userAgent?: undefined; login?: undefined };
export type Actor = UserActor | SystemActor;

export function parseActor(header: string): Actor | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const system = systemActor.safeParse(json);
  if (system.success) return system.data;
  const user = userActor.safeParse(json);
  return user.success ? user.data : null;
}

export function isSystem(actor: Actor): actor is SystemActor {
  return actor.system === true;
}

export const SYSTEM_ACTOR: SystemActor = { id: 0, system: true };
