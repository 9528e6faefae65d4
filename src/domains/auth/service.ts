import { sql } from 'kysely';
import { actorPermissions, systemActor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import type { Ctx, Tx } from '../../core/context.js';
import { E } from '../../core/errors.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../core/passwords.js';
import type { AppDeps } from '../../server/deps.js';
import { AuthErrors } from './errors.js';
import { matchTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash } from './mfa.js';
import type { SessionInfo } from './schema.js';
import { createSession, listUserSessions, revokeSessionByPublicId, revokeUserSessions, rotateSession, type NewSession, type ResolvedSession } from './sessions.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** Where a request comes from: for sessions and the audit trail. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

/** Runs `fn` as the system actor in one transaction, auditing to `orgId` (the platform org by default). */
async function systemTx<T>(deps: AppDeps, meta: RequestMeta, fn: (tx: Tx, ctx: Ctx) => Promise<T>, label = 'system:auth'): Promise<T> {
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const platform = await tx.selectFrom('orgs').select('id').where('kind', '=', 'platform').executeTakeFirstOrThrow();
    const ctx: Ctx = { db: deps.db, actor: systemActor(platform.id, 'platform', label), requestId: meta.requestId, ip: meta.ip, clock: deps.clock };
    return fn(tx, ctx);
  });
}

/** The org a user lands in after sign-in: their oldest active membership. */
async function defaultOrg(tx: Tx, userId: string) {
  return tx
    .selectFrom('memberships as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['o.id', 'o.mfa_required'])
    .where('m.user_id', '=', userId)
    .where('m.disabled_at', 'is', null)
    .where('o.disabled_at', 'is', null)
    .orderBy('m.created_at')
    .executeTakeFirst();
}

/**
 * Password sign-in. Wrong passwords count towards a temporary lockout; the
 * answer never tells whether the email exists. Returns a new session, which
 * still waits for a TOTP code when the user has MFA, or for enrolment when
 * the org demands MFA and the user has none.
 */
export async function login(deps: AppDeps, meta: RequestMeta, input: { email: string; password: string }, replaces?: ResolvedSession | null): Promise<NewSession> {
  const now = deps.clock.now();
  const user = await systemTx(deps, meta, (tx) =>
    tx
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'locked_until', 'disabled_at', 'mfa_enabled', 'failed_logins'])
      .where(sql`lower(email)`, '=', input.email.toLowerCase())
      .executeTakeFirst(),
  );
  if (user?.locked_until && user.locked_until > now) {
    const retry = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    const err = AuthErrors.ACCOUNT_LOCKED(`Too many failed sign-ins; try again in ${Math.ceil(retry / 60)} minutes`);
    Object.assign(err, { headers: { 'retry-after': String(retry) } });
    throw err;
  }
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok || user.disabled_at) {
    if (user) await recordFailure(deps, meta, user.id, user.email, 'password');
    throw AuthErrors.INVALID_CREDENTIALS();
  }
  return systemTx(deps, meta, async (tx, ctx) => {
    // With MFA the password alone is half a sign-in: the failure count (which
    // also counts wrong codes) is cleared only once the code is right, or a
    // new login would hand a code-guesser fresh attempts.
    if (!user.mfa_enabled) await tx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    // Signing in always issues a new id; a session the browser still presented ends here (no fixation, no stale twin).
    if (replaces) await tx.updateTable('sessions').set({ revoked_at: now }).where('id_hash', '=', replaces.idHash).where('revoked_at', 'is', null).execute();
    const org = await defaultOrg(tx, user.id);
    const stage = user.mfa_enabled ? 'mfa_pending' : org?.mfa_required ? 'mfa_enrolment' : 'active';
    const session = await createSession(tx, deps, { userId: user.id, orgId: org?.id ?? null, stage, ip: meta.ip, userAgent: meta.userAgent });
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: user.id, label: user.email } }, {
      orgId: org?.id ?? ctx.actor.orgId,
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      details: { stage },
    });
    return session;
  });
}

async function recordFailure(deps: AppDeps, meta: RequestMeta, userId: string, email: string, factor: 'password' | 'mfa'): Promise<void> {
  const now = deps.clock.now();
  await systemTx(deps, meta, async (tx, ctx) => {
    const row = await tx
      .updateTable('users')
      .set({ failed_logins: sql`failed_logins + 1` })
      .where('id', '=', userId)
      .returning(['failed_logins'])
      .executeTakeFirstOrThrow();
    const locked = row.failed_logins >= MAX_FAILED_LOGINS;
    if (locked) {
      await tx.updateTable('users').set({ failed_logins: 0, locked_until: new Date(now.getTime() + LOCKOUT_MS) }).where('id', '=', userId).execute();
    }
    await audit(tx, { ...ctx, actor: { ...ctx.actor, label: email } }, {
      action: locked ? 'auth.locked' : 'auth.login_failed',
      entityType: 'user',
      entityId: userId,
      details: { factor },
    });
  });
}

/** Second factor: a TOTP code (not replayable) or an unused recovery code. Rotates the session id. */
export async function verifyMfa(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, code: string): Promise<NewSession> {
  if (session.stage !== 'mfa_pending') throw AuthErrors.MFA_NOT_PENDING();
  const now = deps.clock.now();
  const result = await systemTx(deps, meta, async (tx, ctx) => {
    const user = await tx.selectFrom('users').select(['totp_secret_enc', 'totp_last_step', 'locked_until']).where('id', '=', session.userId).forUpdate().executeTakeFirstOrThrow();
    if (user.locked_until && user.locked_until > now) throw AuthErrors.ACCOUNT_LOCKED();
    let method: 'totp' | 'recovery' | null = null;
    if (user.totp_secret_enc) {
      const step = matchTotp(deps.secrets.open(user.totp_secret_enc), code, now, user.totp_last_step === null ? null : Number(user.totp_last_step));
      if (step !== null) {
        await tx.updateTable('users').set({ totp_last_step: step }).where('id', '=', session.userId).execute();
        method = 'totp';
      }
    }
    if (!method) {
      const used = await tx
        .updateTable('mfa_recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', session.userId)
        .where('code_hash', '=', recoveryCodeHash(code))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) === 1) method = 'recovery';
    }
    if (!method) return null;
    await tx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', session.userId).execute();
    const next = await rotateSession(tx, deps, session, { stage: 'active', ip: meta.ip, userAgent: meta.userAgent });
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId: session.orgId ?? ctx.actor.orgId,
      action: 'auth.mfa_verified',
      entityType: 'user',
      entityId: session.userId,
      details: { method },
    });
    return next;
  });
  if (!result) {
    await recordFailure(deps, meta, session.userId, session.email, 'mfa');
    throw AuthErrors.MFA_CODE_INVALID();
  }
  return result;
}

/** Starts TOTP enrolment: stores a new (sealed) secret, not yet active. */
export async function startMfaEnrolment(deps: AppDeps, meta: RequestMeta, session: ResolvedSession) {
  if (session.mfaEnabled) throw AuthErrors.MFA_ALREADY_ENABLED();
  const enrolment = newTotpSecret(session.email);
  await systemTx(deps, meta, (tx) =>
    tx.updateTable('users').set({ totp_secret_enc: deps.secrets.seal(enrolment.secret), totp_last_step: null }).where('id', '=', session.userId).execute(),
  );
  return enrolment;
}

/** Confirms enrolment with a first code; returns the recovery codes, shown once. Rotates the session. */
export async function confirmMfaEnrolment(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, code: string) {
  if (session.mfaEnabled) throw AuthErrors.MFA_ALREADY_ENABLED();
  const now = deps.clock.now();
  return systemTx(deps, meta, async (tx, ctx) => {
    const user = await tx.selectFrom('users').select(['totp_secret_enc']).where('id', '=', session.userId).forUpdate().executeTakeFirstOrThrow();
    if (!user.totp_secret_enc) throw AuthErrors.MFA_NOT_STARTED();
    const step = matchTotp(deps.secrets.open(user.totp_secret_enc), code, now, null);
    if (step === null) throw AuthErrors.MFA_CODE_INVALID();
    const codes = newRecoveryCodes();
    await tx.updateTable('users').set({ mfa_enabled: true, totp_last_step: step }).where('id', '=', session.userId).execute();
    await tx.deleteFrom('mfa_recovery_codes').where('user_id', '=', session.userId).execute();
    await tx
      .insertInto('mfa_recovery_codes')
      .values(codes.map((c) => ({ user_id: session.userId, code_hash: recoveryCodeHash(c), used_at: null })))
      .execute();
    const next = await rotateSession(tx, deps, session, { stage: 'active', ip: meta.ip, userAgent: meta.userAgent });
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId: session.orgId ?? ctx.actor.orgId,
      action: 'auth.mfa_enrolled',
      entityType: 'user',
      entityId: session.userId,
    });
    return { session: next, recoveryCodes: codes };
  });
}

/** Switches the acting org (a privilege change: the session id rotates). Non-members get not found. */
export async function switchOrg(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, orgId: string): Promise<NewSession> {
  return systemTx(deps, meta, async (tx, ctx) => {
    const m = await tx
      .selectFrom('memberships as m')
      .innerJoin('orgs as o', 'o.id', 'm.org_id')
      .select(['o.id', 'o.mfa_required'])
      .where('m.user_id', '=', session.userId)
      .where('m.org_id', '=', orgId)
      .where('m.disabled_at', 'is', null)
      .where('o.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!m) throw AuthErrors.ORG_NOT_FOUND();
    const stage = m.mfa_required && !session.mfaEnabled ? 'mfa_enrolment' : 'active';
    const next = await rotateSession(tx, deps, session, { orgId, stage, ip: meta.ip, userAgent: meta.userAgent });
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId,
      action: 'auth.switch_org',
      entityType: 'user',
      entityId: session.userId,
      details: { from: session.orgId },
    });
    return next;
  });
}

export async function logout(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, everywhere: boolean): Promise<number> {
  return systemTx(deps, meta, async (tx, ctx) => {
    const now = deps.clock.now();
    const n = everywhere
      ? await revokeUserSessions(tx, session.userId, now)
      : Number((await tx.updateTable('sessions').set({ revoked_at: now }).where('id_hash', '=', session.idHash).executeTakeFirst()).numUpdatedRows);
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId: session.orgId ?? ctx.actor.orgId,
      action: everywhere ? 'auth.logout_everywhere' : 'auth.logout',
      entityType: 'user',
      entityId: session.userId,
      details: { sessions: n },
    });
    return n;
  });
}

/** Changes one's own password; other sessions are signed out. */
export async function changePassword(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, current: string, next: string): Promise<void> {
  const problem = passwordProblem(next, { email: session.email });
  if (problem) throw AuthErrors.PASSWORD_WEAK(`newPassword ${problem}`, [{ path: 'body.newPassword', message: problem }]);
  const stored = await systemTx(deps, meta, (tx) => tx.selectFrom('users').select('password_hash').where('id', '=', session.userId).executeTakeFirstOrThrow());
  if (!(await verifyPassword(stored.password_hash, current))) {
    await recordFailure(deps, meta, session.userId, session.email, 'password');
    throw AuthErrors.INVALID_CREDENTIALS('The current password is wrong');
  }
  const hash = await hashPassword(next);
  await systemTx(deps, meta, async (tx, ctx) => {
    const now = deps.clock.now();
    await tx.updateTable('users').set({ password_hash: hash, password_changed_at: now }).where('id', '=', session.userId).execute();
    await revokeUserSessions(tx, session.userId, now, session.idHash);
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId: session.orgId ?? ctx.actor.orgId,
      action: 'auth.password_changed',
      entityType: 'user',
      entityId: session.userId,
    });
  });
}

export async function sessionsOf(deps: AppDeps, meta: RequestMeta, session: ResolvedSession) {
  return systemTx(deps, meta, (tx) => listUserSessions(tx, session.userId, deps.clock.now(), session.idHash));
}

export async function revokeOwnSession(deps: AppDeps, meta: RequestMeta, session: ResolvedSession, publicId: string): Promise<void> {
  await systemTx(deps, meta, async (tx, ctx) => {
    await revokeSessionByPublicId(tx, session.userId, publicId, deps.clock.now());
    await audit(tx, { ...ctx, actor: { ...ctx.actor, userId: session.userId, label: session.email } }, {
      orgId: session.orgId ?? ctx.actor.orgId,
      action: 'auth.session_revoked',
      entityType: 'session',
      entityId: publicId,
    });
  });
}

/** What the UI needs about the signed-in user: identity, acting org, roles, permissions, memberships. */
export async function sessionInfo(deps: AppDeps, meta: RequestMeta, session: ResolvedSession): Promise<SessionInfo> {
  return systemTx(deps, meta, async (tx) => {
    const memberships = await tx
      .selectFrom('memberships as m')
      .innerJoin('orgs as o', 'o.id', 'm.org_id')
      .select(['o.id', 'o.name', 'o.kind', 'o.mfa_required', 'm.roles'])
      .where('m.user_id', '=', session.userId)
      .where('m.disabled_at', 'is', null)
      .where('o.disabled_at', 'is', null)
      .orderBy('o.name')
      .execute();
    // Before the second factor, the password alone reveals nothing about the account's orgs.
    const pending = session.stage === 'mfa_pending';
    const acting = pending ? undefined : memberships.find((m) => m.id === session.orgId);
    return {
      stage: session.stage,
      csrfToken: session.csrfToken,
      user: { id: session.userId, email: session.email, displayName: session.displayName, mfaEnabled: session.mfaEnabled, platformAdmin: session.platformAdmin },
      org: acting ? { id: acting.id, name: acting.name, kind: acting.kind, mfaRequired: acting.mfa_required } : null,
      roles: pending ? [] : session.roles,
      permissions: session.actor ? actorPermissions(session.actor) : [],
      memberships: (pending ? [] : memberships).map((m) => ({ orgId: m.id, orgName: m.name, orgKind: m.kind, roles: m.roles })),
      idleExpiresAt: session.idleExpiresAt.toISOString(),
      absoluteExpiresAt: session.absoluteExpiresAt.toISOString(),
    };
  });
}

/** Guards for routes that a half-signed-in session may not pass. */
export function requireActiveSession(session: ResolvedSession): void {
  if (session.stage === 'mfa_pending') throw E.MFA_REQUIRED();
  if (session.stage === 'mfa_enrolment') throw E.MFA_ENROLMENT_REQUIRED();
}
