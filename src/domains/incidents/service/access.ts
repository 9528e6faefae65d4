import type { Selectable } from 'kysely';
import { authorize } from '../../../core/access/index.js';
import { asSystem, type Ctx, type Tx } from '../../../core/context.js';
import type { Mailer } from '../../../core/mail.js';
import { notify } from '../../../core/notify.js';
import { IncidentErrors } from '../errors.js';
import type { IncidentsTable } from '../tables.js';

export type IncidentDb = Selectable<IncidentsTable>;
export type Side = 'entity' | 'cert';

/**
 * Loads an incident the actor can see (row-level security decides: the
 * reporting entity, or the CERT serving it once something was submitted),
 * then checks the action. Anything else is INCIDENT_NOT_FOUND, so another
 * entity learns nothing from an id; the lookup comes before the role check
 * for the same reason.
 */
export async function loadIncident(tx: Tx, ctx: Ctx, id: string, action: string, opts: { side?: Side; forUpdate?: boolean } = {}): Promise<{ inc: IncidentDb; side: Side }> {
  let q = tx.selectFrom('incidents').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const inc = await q.executeTakeFirst();
  if (!inc) throw IncidentErrors.INCIDENT_NOT_FOUND();
  // Belt and braces over RLS: the row must be the actor's own or its CERT's.
  const side: Side | null = inc.org_id === ctx.actor.orgId ? 'entity' : inc.cert_org_id === ctx.actor.orgId && inc.status !== 'draft' ? 'cert' : null;
  if (!side) throw IncidentErrors.INCIDENT_NOT_FOUND();
  authorize(ctx.actor, action);
  if (opts.side && opts.side !== side) throw IncidentErrors.INCIDENT_NOT_FOUND();
  return { inc, side };
}

/** Active members of `orgId` holding any of `roles`, plus `extra` users (deduplicated). */
async function recipients(tx: Tx, orgId: string, roles: readonly string[], extra: readonly (string | null)[]): Promise<string[]> {
  const rows = await tx
    .selectFrom('memberships')
    .select(['user_id', 'roles'])
    .where('org_id', '=', orgId)
    .where('disabled_at', 'is', null)
    .execute();
  const ids = new Set(rows.filter((r) => r.roles.some((x) => roles.includes(x))).map((r) => r.user_id));
  for (const u of extra) if (u && rows.some((r) => r.user_id === u)) ids.add(u);
  return [...ids];
}

export interface OrgNotice {
  orgId: string;
  roles: readonly string[];
  extraUserIds?: readonly (string | null)[];
  kind: string;
  title: string;
  body?: string;
  link: string;
  email?: boolean;
}

/**
 * Notifies people of another org (the CERT about a submission, the entity
 * about a question) inside the caller's transaction. Notifications of
 * another org cannot be written under the caller's RLS, so this narrow step
 * runs as system: it reads only memberships of `orgId` and inserts only
 * notifications and mail.
 */
export async function notifyOrg(tx: Tx, ctx: Ctx, mailer: Mailer | undefined, n: OrgNotice): Promise<number> {
  return asSystem(tx, ctx.actor, async () => {
    const userIds = await recipients(tx, n.orgId, n.roles, n.extraUserIds ?? []);
    await notify(tx, ctx, mailer, { orgId: n.orgId, userIds, kind: n.kind, title: n.title, ...(n.body ? { body: n.body } : {}), link: n.link, email: n.email ?? false });
    return userIds.length;
  });
}

export const ENTITY_REPORTERS = ['org_admin', 'isms_manager'] as const;
export const CERT_DUTY = ['cert_duty_officer'] as const;
