import { sql } from 'kysely';
import { authorize, can, isRole, type Actor } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { E } from '../../core/errors.js';
import { LRUCache } from 'lru-cache';
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
 * started after each of them arrived, so a revocation committed before a
 * request came in is always seen (FreshRuns); keyed by the token's hash.
 *
 * On PGlite every writer goes through this process's one connection, and
 * any commit that touches what a lookup reads (api_tokens, users,
 * memberships, orgs) notifies before it returns (migration 0080): a lookup
 * is kept while no such commit has happened, for at most a minute (so
 * `last_used_at`, which the lookup refreshes once a minute, stays about as
 * fresh as on PostgreSQL). Only tokens that exist are kept.
 */
class TokenLookups {
  readonly runs = new FreshRuns<string, TokenLookup | undefined>();
  readonly kept: LRUCache<string, { row: TokenLookup; commits: number; at: number }> | null;
  readonly listening: Promise<void> | null;
  commits = 0;

  constructor(db: AppDeps['db']) {
    this.kept = db.onCommitNotify ? new LRUCache({ max: 10_000 }) : null;
    this.listening = db.onCommitNotify ? db.onCommitNotify('muhafiz_auth_changes', () => void this.commits++) : null;
  }
}

const KEEP_MS = 60_000;
const lookups = new WeakMap<object, TokenLookups>();

/** Resolves a bearer token to its actor, or throws TOKEN_INVALID. */
export async function resolveToken(deps: Pick<AppDeps, 'db' | 'clock'>, token: string): Promise<Actor> {
  const m = TOKEN.exec(token);
  if (!m) throw E.TOKEN_INVALID();
  let l = lookups.get(deps.db);
  if (!l) lookups.set(deps.db, (l = new TokenLookups(deps.db)));
  if (l.listening) await l.listening;
  const hash = sha256(token);
  const at = deps.clock.now().getTime();
  const known = l.kept?.get(hash);
  let t: TokenLookup | undefined;
  if (known && known.commits === l.commits && at - known.at < KEEP_MS) t = known.row;
  else {
    // Counted before the lookup: a change committing meanwhile makes the kept row stale, never the reverse.
    const commits = l.commits;
    t = await l.runs.run(hash, async () => {
      const { rows } = await sql<TokenLookup>`select * from auth_token(${orgIdFromHex(m[1]!)}, ${hash}, ${deps.clock.now()})`.execute(deps.db.kysely);
      return rows[0];
    });
    if (t && l.kept) l.kept.set(hash, { row: t, commits, at });
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

