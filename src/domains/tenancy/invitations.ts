import { sql } from 'kysely';
import { allowedActions, authorize, isRole, type Role } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId, randomToken, sha256 } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import type { PagedResult } from '../../core/paging.js';
import { TenancyErrors } from './errors.js';
import { TenancyActions } from './policy.js';
import type { InvitationRow } from './schema.js';
import { asPlatform, findUserByEmail, insertUser, type SystemDeps } from './users.js';
import { upsertMembership } from './members.js';

const COLUMNS = ['id', 'email', 'roles', 'created_at', 'expires_at', 'accepted_at', 'revoked_at'] as const;
type Row = { id: string; email: string; roles: string[]; created_at: Date; expires_at: Date; accepted_at: Date | null; revoked_at: Date | null };

function toRow(ctx: Ctx, r: Row): InvitationRow {
  const now = ctx.clock.now();
  const status = r.accepted_at ? 'accepted' : r.revoked_at ? 'revoked' : r.expires_at <= now ? 'expired' : 'pending';
  return {
    id: r.id,
    email: r.email,
    roles: r.roles,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    acceptedAt: r.accepted_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    status,
    actions: status === 'pending' ? allowedActions(ctx.actor, [TenancyActions['invitations.manage']]).map(() => 'revoke') : [],
  };
}

/**
 * Invites someone by email. The link carries a random token in its fragment
 * (never sent to servers or logs); only its sha256 is stored. The mail goes
 * through the outbox.
 */
export async function createInvitation(
  ctx: Ctx,
  deps: { mailer: Mailer; publicUrl: string },
  input: { email: string; roles: Role[]; expiresInDays: number },
): Promise<InvitationRow & { link: string }> {
  authorize(ctx.actor, TenancyActions['invitations.manage']);
  const token = randomToken(32);
  const now = ctx.clock.now();
  const link = `${deps.publicUrl}/invite#${token}`;
  return inTx(ctx, async (tx) => {
    const org = await tx.selectFrom('orgs').select(['name']).where('id', '=', ctx.actor.orgId).executeTakeFirstOrThrow();
    // Accepting replaces a membership's roles: inviting a member would be a
    // side door around role changes (and around keeping one org_admin).
    const member = await tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('m.org_id', '=', ctx.actor.orgId)
      .where('m.disabled_at', 'is', null)
      .where(sql`lower(u.email)`, '=', input.email.toLowerCase())
      .executeTakeFirst();
    if (member) throw TenancyErrors.ALREADY_MEMBER(undefined, [{ path: 'body.email', message: 'already a member' }]);
    const row = await tx
      .insertInto('invitations')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        email: input.email,
        roles: [...new Set(input.roles)],
        token_hash: sha256(token),
        invited_by: ctx.actor.userId!,
        created_at: now,
        expires_at: new Date(now.getTime() + input.expiresInDays * 86_400_000),
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await deps.mailer.send(tx, {
      orgId: ctx.actor.orgId,
      to: input.email,
      subject: `You are invited to ${org.name} on Muhafiz`,
      text: `${ctx.actor.label} invited you to join ${org.name} on Muhafiz as ${row.roles.join(', ')}.\n\nAccept before ${row.expires_at.toISOString()}:\n${link}\n`,
    });
    await audit(tx, ctx, { action: 'invitations.create', entityType: 'invitation', entityId: row.id, after: { email: row.email, roles: row.roles, expiresAt: row.expires_at } });
    return { ...toRow(ctx, row), link };
  });
}

export async function listInvitations(ctx: Ctx, page: { limit: number; offset: number }): Promise<PagedResult<InvitationRow>> {
  authorize(ctx.actor, TenancyActions['invitations.manage']);
  return inTx(ctx, async (tx) => {
    const base = tx.selectFrom('invitations').where('org_id', '=', ctx.actor.orgId);
    const [rows, total] = await Promise.all([
      base.select(COLUMNS).orderBy('created_at', 'desc').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toRow(ctx, r)), total: Number(total.n), limit: page.limit, offset: page.offset };
  });
}

export async function revokeInvitation(ctx: Ctx, id: string): Promise<InvitationRow> {
  authorize(ctx.actor, TenancyActions['invitations.manage']);
  return inTx(ctx, async (tx) => {
    const row = await tx
      .updateTable('invitations')
      .set({ revoked_at: ctx.clock.now() })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw TenancyErrors.INVITATION_NOT_FOUND();
    await audit(tx, ctx, { action: 'invitations.revoke', entityType: 'invitation', entityId: id });
    return toRow(ctx, row);
  });
}

async function findPending(tx: Tx, token: string, now: Date) {
  const inv = await tx
    .selectFrom('invitations as i')
    .innerJoin('orgs as o', 'o.id', 'i.org_id')
    .select(['i.org_id', 'i.id', 'i.email', 'i.roles', 'i.expires_at', 'o.name as org_name'])
    .where('i.token_hash', '=', sha256(token))
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', now)
    .forUpdate(['i'])
    .executeTakeFirst();
  if (!inv) throw TenancyErrors.INVITATION_NOT_FOUND();
  return inv;
}

/** What the invitation page shows before accepting. */
export async function previewInvitation(deps: SystemDeps, token: string) {
  return asPlatform(deps, 'system:invitation', async (tx) => {
    const inv = await findPending(tx, token, deps.clock.now());
    const user = await findUserByEmail(tx, inv.email);
    return { orgName: inv.org_name, email: inv.email, roles: inv.roles, expiresAt: inv.expires_at.toISOString(), userExists: Boolean(user) };
  });
}

/**
 * Accepts an invitation. A newcomer gives a name and password and gets an
 * account; an existing user must be signed in as the invited email.
 */
export async function acceptInvitation(
  deps: SystemDeps,
  input: { token: string; displayName?: string | undefined; password?: string | undefined; signedInUserId?: string | undefined },
): Promise<{ orgId: string; userId: string; created: boolean }> {
  return asPlatform(deps, 'system:invitation', async (tx, ctx) => {
    const now = ctx.clock.now();
    const inv = await findPending(tx, input.token, now);
    const roles = inv.roles.filter(isRole);
    let user = await findUserByEmail(tx, inv.email);
    let created = false;
    if (user) {
      if (!input.signedInUserId) throw TenancyErrors.INVITATION_EMAIL_MISMATCH(`Sign in as ${inv.email} to accept this invitation`);
      if (input.signedInUserId !== user.id) throw TenancyErrors.INVITATION_EMAIL_MISMATCH();
    } else {
      if (!input.displayName) throw invalid('body.displayName', 'required to create your account');
      if (!input.password) throw invalid('body.password', 'required to create your account');
      const made = await insertUser(tx, { ...ctx, actor: { ...ctx.actor, orgId: inv.org_id } }, { email: inv.email, displayName: input.displayName, password: input.password });
      user = await findUserByEmail(tx, inv.email);
      created = Boolean(made.id);
    }
    const userId = user!.id;
    const active = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', inv.org_id).where('user_id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
    if (active) throw TenancyErrors.ALREADY_MEMBER();
    const orgCtx: Ctx = { ...ctx, actor: { ...ctx.actor, orgId: inv.org_id, userId, label: inv.email } };
    await upsertMembership(tx, orgCtx, inv.org_id, userId, roles);
    await tx.updateTable('invitations').set({ accepted_at: now, accepted_by: userId }).where('org_id', '=', inv.org_id).where('id', '=', inv.id).execute();
    await audit(tx, orgCtx, { action: 'invitations.accept', entityType: 'invitation', entityId: inv.id, details: { email: inv.email, roles } });
    return { orgId: inv.org_id, userId, created };
  });
}

