import { sql } from 'kysely';
import { authorize, systemActor, type Role } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId, randomToken } from '../../core/ids.js';
import { hashPassword, passwordProblem } from '../../core/passwords.js';
import type { Database } from '../../db/connect.js';
import type { Clock } from '../../core/clock.js';
import { TenancyErrors } from './errors.js';
import { TenancyActions } from './policy.js';
import { upsertMembership } from './members.js';

export interface NewUser {
  email: string;
  displayName: string;
  /** Omitted: a strong one-time password is generated and returned. */
  password?: string | undefined;
  platformAdmin?: boolean;
}

/** A readable random password that passes the policy (shown once). */
export function generatePassword(): string {
  return randomToken(15).replace(/[-_]/g, 'x');
}

/** Creates a user account inside a system transaction; returns the password if it was generated. */
export async function insertUser(tx: Tx, ctx: Ctx, u: NewUser): Promise<{ id: string; generatedPassword?: string }> {
  const email = u.email.trim().toLowerCase();
  const exists = await tx.selectFrom('users').select('id').where(sql`lower(email)`, '=', email).executeTakeFirst();
  if (exists) throw TenancyErrors.USER_EXISTS(`A user with the email ${email} exists`, [{ path: 'body.email', message: 'already registered' }]);
  const generated = u.password ? undefined : generatePassword();
  const password = u.password ?? generated!;
  const problem = passwordProblem(password, { email });
  if (problem) throw invalid('body.password', problem);
  const id = newId();
  const now = ctx.clock.now();
  await tx
    .insertInto('users')
    .values({ id, email, display_name: u.displayName, password_hash: await hashPassword(password), password_changed_at: now, platform_admin: u.platformAdmin ?? false, created_at: now })
    .execute();
  await audit(tx, ctx, { action: 'users.create', entityType: 'user', entityId: id, after: { email, displayName: u.displayName, platformAdmin: u.platformAdmin ?? false } });
  return generated ? { id, generatedPassword: generated } : { id };
}

/** Platform admins create an account with a membership in one org. */
export async function createUser(ctx: Ctx, input: NewUser & { orgId: string; roles: Role[] }) {
  authorize(ctx.actor, TenancyActions['users.create']);
  return inTx(ctx, async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const org = await tx.selectFrom('orgs').select('id').where('id', '=', input.orgId).executeTakeFirst();
    if (!org) throw TenancyErrors.ORG_NOT_FOUND();
    const user = await insertUser(tx, ctx, input);
    await upsertMembership(tx, ctx, input.orgId, user.id, input.roles);
    return user;
  });
}

/** CLI and administration: operations on accounts as the system. */
export interface SystemDeps {
  db: Database;
  clock: Clock;
}

async function platformCtx(deps: SystemDeps, tx: Tx, label: string): Promise<Ctx> {
  await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
  const platform = await tx.selectFrom('orgs').select('id').where('kind', '=', 'platform').executeTakeFirstOrThrow();
  return { db: deps.db, actor: systemActor(platform.id, 'platform', label), requestId: `cli-${newId()}`, ip: null, clock: deps.clock };
}

/** Runs `fn` as the system in one transaction (CLI, bootstrap, demo, jobs). */
export async function asPlatform<T>(deps: SystemDeps, label: string, fn: (tx: Tx, ctx: Ctx) => Promise<T>): Promise<T> {
  return deps.db.kysely.transaction().execute(async (tx) => fn(tx, await platformCtx(deps, tx, label)));
}

export async function findUserByEmail(tx: Tx, email: string) {
  return tx.selectFrom('users').select(['id', 'email', 'display_name', 'disabled_at', 'mfa_enabled', 'platform_admin']).where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
}

/** Sets a new password (given or generated), clears the lockout, signs the user out everywhere. */
export async function resetPassword(deps: SystemDeps, email: string, password?: string): Promise<{ password: string }> {
  return asPlatform(deps, 'system:cli', async (tx, ctx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) throw TenancyErrors.USER_NOT_FOUND();
    const next = password ?? generatePassword();
    const problem = passwordProblem(next, { email });
    if (problem) throw invalid('password', problem);
    const now = ctx.clock.now();
    await tx.updateTable('users').set({ password_hash: await hashPassword(next), password_changed_at: now, failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
    await audit(tx, ctx, { action: 'users.reset_password', entityType: 'user', entityId: user.id });
    return { password: next };
  });
}

/** Disables an account: sessions end and tokens stop working. */
export async function disableUser(deps: SystemDeps, email: string): Promise<void> {
  await asPlatform(deps, 'system:cli', async (tx, ctx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) throw TenancyErrors.USER_NOT_FOUND();
    const now = ctx.clock.now();
    await tx.updateTable('users').set({ disabled_at: now }).where('id', '=', user.id).execute();
    await tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
    await audit(tx, ctx, { action: 'users.disable', entityType: 'user', entityId: user.id });
  });
}

export async function listUsers(deps: SystemDeps) {
  return asPlatform(deps, 'system:cli', async (tx) =>
    tx
      .selectFrom('users as u')
      .leftJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.disabled_at', 'is', null))
      .leftJoin('orgs as o', 'o.id', 'm.org_id')
      .select(['u.email', 'u.display_name', 'u.platform_admin', 'u.mfa_enabled', 'u.disabled_at', 'o.short_name', 'm.roles'])
      .orderBy('u.email')
      .execute(),
  );
}

/** Used by the members admin to show whether the invitee already has an account. */
export async function userExists(ctx: Ctx, email: string): Promise<boolean> {
  return inTx(ctx, async (tx) => Boolean(await tx.selectFrom('users').select('id').where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst()));
}
