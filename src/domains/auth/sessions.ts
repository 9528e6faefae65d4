import { sql } from 'kysely';
import type { Actor, Role } from '../../core/access/index.js';
import { isRole } from '../../core/access/index.js';
import { E } from '../../core/errors.js';
import { randomToken, sha256 } from '../../core/ids.js';
import type { Tx } from '../../core/context.js';
import type { AppDeps } from '../../server/deps.js';
import type { OrgKind } from '../../db/types.js';
import { AuthErrors } from './errors.js';

export type SessionStage = 'mfa_pending' | 'mfa_enrolment' | 'active';

/** What a valid session cookie resolves to. */
export interface ResolvedSession {
  idHash: string;
  stage: SessionStage;
  csrfToken: string;
  userId: string;
  email: string;
  displayName: string;
  platformAdmin: boolean;
  mfaEnabled: boolean;
  orgId: string | null;
  orgKind: OrgKind | null;
  orgMfaRequired: boolean;
  roles: Role[];
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  /** The actor, when the session is fully signed in and has an acting org. */
  actor: Actor | null;
}

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** Resolves a session cookie in one round trip (auth_session), sliding the idle timeout. */
export async function resolveSession(deps: Deps, rawId: string): Promise<ResolvedSession> {
  const idHash = sha256(rawId);
  const now = deps.clock.now();
  const { rows } = await sql<{
    user_id: string;
    org_id: string | null;
    stage: SessionStage;
    csrf_token: string;
    idle_expires_at: Date;
    absolute_expires_at: Date;
    revoked_at: Date | null;
    email: string;
    display_name: string;
    platform_admin: boolean;
    mfa_enabled: boolean;
    user_disabled_at: Date | null;
    roles: string[] | null;
    org_kind: OrgKind | null;
    org_mfa_required: boolean | null;
  }>`select * from auth_session(${idHash}, ${now}, ${Math.round(deps.config.sessionIdleMs / 1000)})`.execute(deps.db.kysely);
  const row = rows[0];
  if (!row) throw E.UNAUTHENTICATED();
  if (row.revoked_at || row.user_disabled_at || new Date(row.idle_expires_at) <= now || new Date(row.absolute_expires_at) <= now) {
    throw E.SESSION_EXPIRED();
  }
  const roles = (row.roles ?? []).filter(isRole);
  // An org that made MFA mandatory after this session began still gets it:
  // a member without MFA is held at enrolment until they enrol.
  const stage: SessionStage = row.stage === 'active' && row.org_mfa_required && !row.mfa_enabled ? 'mfa_enrolment' : row.stage;
  const actor: Actor | null =
    stage === 'active' && row.org_id && row.org_kind && roles.length > 0
      ? {
          kind: 'user',
          userId: row.user_id,
          orgId: row.org_id,
          orgKind: row.org_kind,
          roles,
          platformAdmin: row.platform_admin,
          label: row.email,
          sessionId: idHash.slice(0, 16),
        }
      : null;
  return {
    idHash,
    stage,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    platformAdmin: row.platform_admin,
    mfaEnabled: row.mfa_enabled,
    orgId: row.org_id,
    orgKind: row.org_kind,
    orgMfaRequired: row.org_mfa_required ?? false,
    roles,
    idleExpiresAt: new Date(row.idle_expires_at),
    absoluteExpiresAt: new Date(row.absolute_expires_at),
    actor,
  };
}

export interface NewSession {
  /** The cookie value; only its hash is stored. */
  rawId: string;
  idHash: string;
  stage: SessionStage;
}

/** Creates a session (system role, inside the caller's transaction). */
export async function createSession(
  tx: Tx,
  deps: Deps,
  s: { userId: string; orgId: string | null; stage: SessionStage; ip: string | null; userAgent: string | null; absoluteExpiresAt?: Date },
): Promise<NewSession> {
  const rawId = randomToken(32);
  const idHash = sha256(rawId);
  const now = deps.clock.now();
  const absolute = s.absoluteExpiresAt ?? new Date(now.getTime() + deps.config.sessionMaxMs);
  // A half-signed-in session (waiting for a code) lives 10 minutes at most.
  const idleMs = s.stage === 'mfa_pending' ? Math.min(10 * 60_000, deps.config.sessionIdleMs) : deps.config.sessionIdleMs;
  await tx
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      user_id: s.userId,
      org_id: s.orgId,
      stage: s.stage,
      csrf_token: randomToken(24),
      created_at: now,
      last_seen_at: now,
      idle_expires_at: new Date(Math.min(now.getTime() + idleMs, absolute.getTime())),
      absolute_expires_at: absolute,
      ip: s.ip,
      user_agent: s.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { rawId, idHash, stage: s.stage };
}

/**
 * Replaces a session with a fresh id (after MFA, org switch, password change):
 * the old cookie stops working, the absolute lifetime is kept.
 */
export async function rotateSession(
  tx: Tx,
  deps: Deps,
  old: ResolvedSession,
  changes: { orgId?: string | null; stage?: SessionStage; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const now = deps.clock.now();
  const revoked = await tx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id_hash', '=', old.idHash)
    .where('revoked_at', 'is', null)
    .returning('id_hash')
    .executeTakeFirst();
  if (!revoked) throw E.SESSION_EXPIRED();
  return createSession(tx, deps, {
    userId: old.userId,
    orgId: changes.orgId === undefined ? old.orgId : changes.orgId,
    stage: changes.stage ?? old.stage,
    ip: changes.ip,
    userAgent: changes.userAgent,
    absoluteExpiresAt: old.absoluteExpiresAt,
  });
}

/** Revokes every session of a user except, optionally, one. */
export async function revokeUserSessions(tx: Tx, userId: string, now: Date, exceptIdHash?: string): Promise<number> {
  let q = tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptIdHash) q = q.where('id_hash', '!=', exceptIdHash);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Lists a user's live sessions; ids shown are hash prefixes, never the cookie. */
export async function listUserSessions(tx: Tx, userId: string, now: Date, currentIdHash: string | undefined) {
  const rows = await tx
    .selectFrom('sessions')
    .select(['id_hash', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id_hash.slice(0, 16),
    current: r.id_hash === currentIdHash,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

export async function revokeSessionByPublicId(tx: Tx, userId: string, publicId: string, now: Date): Promise<void> {
  if (!/^[0-9a-f]{16}$/.test(publicId)) throw AuthErrors.SESSION_NOT_FOUND();
  const res = await tx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('id_hash', 'like', `${publicId}%`)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw AuthErrors.SESSION_NOT_FOUND();
}
