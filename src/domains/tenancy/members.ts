import { sql } from 'kysely';
import { allowedActions, authorize, type Role } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import { TenancyErrors } from './errors.js';
import { TenancyActions } from './policy.js';
import type { MemberRow } from './schema.js';

const MEMBER_ACTIONS = [TenancyActions['members.manage']];

/** People of the acting org, searchable by name or email and filterable by role. */
export async function listMembers(ctx: Ctx, q: { q?: string | undefined; role?: Role | undefined; limit: number; offset: number }): Promise<PagedResult<MemberRow>> {
  authorize(ctx.actor, TenancyActions['members.read']);
  return inTx(ctx, async (tx) => {
    let base = tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .where('m.org_id', '=', ctx.actor.orgId)
      .where('m.disabled_at', 'is', null)
      .where('u.disabled_at', 'is', null);
    if (q.q) base = base.where((eb) => eb.or([eb('u.email', 'ilike', likePattern(q.q!)), eb('u.display_name', 'ilike', likePattern(q.q!))]));
    if (q.role) base = base.where(sql<boolean>`${q.role} = any(m.roles)`);
    // One round trip: the total rides along as a window count.
    const rows = await base
      .select(['u.id', 'u.email', 'u.display_name', 'u.mfa_enabled', 'm.roles', 'm.created_at', sql<number>`count(*) over ()`.as('total')])
      .orderBy('u.display_name')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    const total = rows.length > 0 || q.offset === 0 ? { n: rows[0]?.total ?? 0 } : await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const actions = allowedActions(ctx.actor, MEMBER_ACTIONS);
    return {
      items: rows.map((r) => ({
        userId: r.id,
        email: r.email,
        displayName: r.display_name,
        roles: r.roles,
        mfaEnabled: r.mfa_enabled,
        createdAt: r.created_at.toISOString(),
        actions: r.id === ctx.actor.userId ? [] : actions,
      })),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  });
}

async function assertKeepsAnAdmin(tx: Tx, orgId: string, userId: string): Promise<void> {
  const admins = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('disabled_at', 'is', null)
    .where(sql<boolean>`'org_admin' = any(roles)`)
    // Locks the admins' rows so two concurrent demotions cannot both see "another admin is left".
    .forUpdate()
    .execute();
  if (admins.length === 1 && admins[0]!.user_id === userId) throw TenancyErrors.LAST_ADMIN();
}

/** Changes a member's roles; the org always keeps one org_admin. */
export async function updateMemberRoles(ctx: Ctx, userId: string, roles: Role[]): Promise<void> {
  authorize(ctx.actor, TenancyActions['members.manage']);
  await inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('memberships').select(['roles']).where('org_id', '=', ctx.actor.orgId).where('user_id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
    if (!before) throw TenancyErrors.MEMBER_NOT_FOUND();
    if (!roles.includes('org_admin')) await assertKeepsAnAdmin(tx, ctx.actor.orgId, userId);
    const unique = [...new Set(roles)];
    await tx.updateTable('memberships').set({ roles: unique }).where('org_id', '=', ctx.actor.orgId).where('user_id', '=', userId).execute();
    await audit(tx, ctx, { action: 'members.update', entityType: 'membership', entityId: userId, before, after: { roles: unique }, details: { from: before.roles, to: unique } });
  });
}

/** Ends a membership (the account stays; the person loses access to this org). */
export async function removeMember(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx.actor, TenancyActions['members.manage']);
  await inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('memberships').select(['roles']).where('org_id', '=', ctx.actor.orgId).where('user_id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
    if (!before) throw TenancyErrors.MEMBER_NOT_FOUND();
    await assertKeepsAnAdmin(tx, ctx.actor.orgId, userId);
    await tx.updateTable('memberships').set({ disabled_at: ctx.clock.now() }).where('org_id', '=', ctx.actor.orgId).where('user_id', '=', userId).execute();
    await audit(tx, ctx, { action: 'members.remove', entityType: 'membership', entityId: userId, before });
  });
}

/** Adds (or re-activates) a membership inside the caller's transaction. */
export async function upsertMembership(tx: Tx, ctx: Ctx, orgId: string, userId: string, roles: Role[]): Promise<void> {
  const unique = [...new Set(roles)];
  await tx
    .insertInto('memberships')
    .values({ org_id: orgId, user_id: userId, roles: unique, created_at: ctx.clock.now(), disabled_at: null })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ roles: unique, disabled_at: null }))
    .execute();
  await audit(tx, ctx, { orgId, action: 'members.add', entityType: 'membership', entityId: userId, after: { roles: unique } });
}
