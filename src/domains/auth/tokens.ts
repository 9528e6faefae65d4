import { sql } from 'kysely';
import { authorize, can, isRole, type Actor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { E } from '../../core/errors.js';
import { LRUCache } from 'lru-cache';
import { changeWatch, type ChangeMark } from '../../core/change-watch.js';
import { FreshRuns } from '../../core/fresh-runs.js';
import { newId, randomToken, sha256 } from '../../core/ids.js';
import type { AppDeps } from '../../server/deps.js';
import type { OrgKind } from '../../db/types.js';
import { AuthActions } from './policy.js';
import { AuthErrors } from './errors.js';
import type { TokenRow } from './schema.js';

/**
 * API tokens look like `mfz_<org id, 32 hex>_<43 random chars>`. The org part
 * lets the lookup stay inside one tenant (and one shard); only the sha256 of
 * the whole token is stored, and the token is shown once, at creation.
 */
const TOKEN = /^mfz_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

function orgIdFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface TokenLookup {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  role: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  email: string;
  user_disabled_at: Date | null;
  member_active: boolean;
  member_roles: string[] | null;
  org_kind: OrgKind;
}

/**
 * How tokens are looked up on one database. Concurrent requests with the
 * same token (a TAXII client's parallel connections) share one query that
 * started after each of them arrived (FreshRuns), and a lookup is kept,
 * keyed by the token's hash, while no transaction that touches what it read
 * (api_tokens, users, memberships, orgs: topic `auth` of the change log,
 * 0080) has committed since, as the change watch judges for the request
 * (one query shared with its other checks on PostgreSQL, none on PGlite).
 * At most a minute, so `last_used_at`, which the lookup refreshes once a
 * minute, stays as fresh. A revocation committed before a request came in
 * is always seen. Only tokens that exist are kept.
 */
class TokenLookups {
  readonly runs = new FreshRuns<string, { row: TokenLookup | undefined; mark: ChangeMark | null }>();
  readonly kept = new LRUCache<string, { row: TokenLookup; mark: ChangeMark; at: number }>({ max: 10_000 });
}

const KEEP_MS = 60_000;
const lookups = new WeakMap<object, TokenLookups>();

/**
 * Resolves a bearer token to its actor, or throws TOKEN_INVALID. `arrival`:
 * the request's (ChangeWatch.arrival() when it came in), so that what is
 * kept is judged by a check that started after it.
 */
export async function resolveToken(deps: Pick<AppDeps, 'db' | 'clock'>, token: string, arrival?: number): Promise<Actor> {
  const m = TOKEN.exec(token);
  if (!m) throw E.TOKEN_INVALID();
  let l = lookups.get(deps.db);
  if (!l) lookups.set(deps.db, (l = new TokenLookups()));
  const watch = changeWatch(deps.db);
  const hash = sha256(token);
  const at = deps.clock.now().getTime();
  const known = l.kept.get(hash);
  let t: TokenLookup | undefined;
  const still = known && at - known.at < KEEP_MS ? await watch.check(known.mark, 'auth', arrival) : null;
  if (known && still) {
    known.mark = still;
    t = known.row;
  } else {
    const found = await l.runs.run(hash, async () => {
      // PGlite: counted before the lookup; PostgreSQL: the lookup statement's own snapshot, which
      // precedes the function's reads. Either way a change committing meanwhile makes the kept row
      // stale, never the reverse.
      const local = watch.localMark('auth');
      const { rows } = await sql<TokenLookup & { mark_snap: string; mark_epoch: number }>`
        select t.*, m.snap as mark_snap, m.epoch as mark_epoch
          from auth_token(${orgIdFromHex(m[1]!)}, ${hash}, ${deps.clock.now()}) t, change_mark() m`.execute(deps.db.kysely);
      const r = rows[0];
      return { row: r, mark: local ?? (r ? watch.markOf(r.mark_snap, r.mark_epoch) : null) };
    });
    t = found.row;
    if (t && found.mark) l.kept.set(hash, { row: t, mark: found.mark, at });
  }
  const now = deps.clock.now();
  // The owner must still hold the token's role: a token never outlives its owner's privileges.
  const held = t?.member_roles ?? [];
  if (!t || t.revoked_at || (t.expires_at && new Date(t.expires_at) <= now) || t.user_disabled_at || !t.member_active || !isRole(t.role) || !held.includes(t.role)) {
    throw E.TOKEN_INVALID();
  }
  return {
    kind: 'token',
    userId: t.user_id,
    orgId: t.org_id,
    orgKind: t.org_kind,
    roles: [t.role],
    platformAdmin: false,
    label: `${t.email} (token ${t.name})`,
    tokenId: t.id,
  };
}

function toRow(actor: Actor, r: { id: string; name: string; role: string; token_prefix: string; user_id: string; created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null }): TokenRow {
  const mine = r.user_id === actor.userId;
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.token_prefix,
    userId: r.user_id,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    actions: !r.revoked_at && (mine || can(actor, AuthActions['tokens.revoke_any'])) ? ['revoke'] : [],
  };
}

const COLUMNS = ['id', 'name', 'role', 'token_prefix', 'user_id', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'] as const;

/** Creates a token for the acting user in the acting org, with one role the user holds. */
export async function createToken(ctx: Ctx, input: { name: string; role: string; expiresInDays?: number | undefined }) {
  authorize(ctx.actor, AuthActions['tokens.create']);
  if (ctx.actor.kind !== 'user' || !ctx.actor.userId) throw E.FORBIDDEN('Only a signed-in person can create API tokens');
  // Strictly a role the user holds (org_admin included): a token is a narrower key, never a wider one.
  if (!isRole(input.role) || !ctx.actor.roles.includes(input.role)) {
    throw AuthErrors.TOKEN_ROLE_NOT_HELD(`You do not hold the role ${input.role} in this organisation`, [{ path: 'body.role', message: 'role not held' }]);
  }
  const token = `mfz_${ctx.actor.orgId.replaceAll('-', '')}_${randomToken(32)}`;
  const now = ctx.clock.now();
  const id = newId();
  return inTx(ctx, async (tx) => {
    const row = await tx
      .insertInto('api_tokens')
      .values({
        org_id: ctx.actor.orgId,
        id,
        user_id: ctx.actor.userId!,
        name: input.name,
        role: input.role,
        token_hash: sha256(token),
        token_prefix: token.slice(0, 12) + '…' + token.slice(-4),
        created_at: now,
        expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'tokens.create', entityType: 'api_token', entityId: id, after: { name: input.name, role: input.role, expiresAt: row.expires_at } });
    return { ...toRow(ctx.actor, row), token };
  });
}

/** Org admins see every token of the org; others see their own. */
export async function listTokens(ctx: Ctx): Promise<TokenRow[]> {
  authorize(ctx.actor, AuthActions['tokens.read']);
  return inTx(ctx, async (tx) => {
    let q = tx.selectFrom('api_tokens').select(COLUMNS).where('org_id', '=', ctx.actor.orgId).orderBy('created_at', 'desc');
    if (!can(ctx.actor, AuthActions['tokens.revoke_any'])) q = q.where('user_id', '=', ctx.actor.userId!);
    return (await q.execute()).map((r) => toRow(ctx.actor, r));
  });
}

export async function revokeToken(ctx: Ctx, id: string): Promise<TokenRow> {
  authorize(ctx.actor, AuthActions['tokens.read']);
  return inTx(ctx, async (tx) => {
    const row = await tx.selectFrom('api_tokens').select(COLUMNS).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!row || (row.user_id !== ctx.actor.userId && !can(ctx.actor, AuthActions['tokens.revoke_any']))) throw AuthErrors.TOKEN_NOT_FOUND();
    if (row.revoked_at) return toRow(ctx.actor, row);
    const now = ctx.clock.now();
    await tx.updateTable('api_tokens').set({ revoked_at: now }).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'tokens.revoke', entityType: 'api_token', entityId: id, before: { revokedAt: null }, after: { revokedAt: now } });
    return toRow(ctx.actor, { ...row, revoked_at: now });
  });
}

