import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/connect.js';
import type { DB } from '../db/types.js';
import type { Actor } from './access/index.js';
import type { Clock } from './clock.js';

export type Tx = Transaction<DB>;

/** What every service function receives: who acts, on which database, for which request, at what time. */
export interface Ctx {
  db: Database;
  actor: Actor;
  requestId: string;
  ip: string | null;
  clock: Clock;
  /** For a request: the change-watch round count when it came in (see change-watch.ts); anything kept is checked by a round started after it. */
  arrival?: number;
}

/**
 * Runs `fn` in one transaction as the actor: the database role is
 * muhafiz_app (row-level security on) for people and tokens, muhafiz_system
 * for the system actor, and app.org_id / app.user_id are set for this
 * transaction only, so a query that forgets its org filter still sees only
 * the acting org's rows.
 */
export async function inTx<T>(ctx: Ctx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await setActor(tx, ctx.actor);
    return fn(tx);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// One statement without parameters, so the driver sends it together with the
// BEGIN (src/db/deferred-begin.ts). The values are written as literals, so
// each must be a UUID (or empty); anything else is refused before it nears SQL.
async function setActor(tx: Tx, actor: Actor): Promise<void> {
  const role = actor.kind === 'system' ? 'muhafiz_system' : 'muhafiz_app';
  const userId = actor.userId ?? '';
  if (!UUID.test(actor.orgId) || (userId !== '' && !UUID.test(userId))) throw new Error('actor ids must be UUIDs');
  await sql`select set_config('role', ${sql.lit(role)}, true), set_config('app.org_id', ${sql.lit(actor.orgId)}, true), set_config('app.user_id', ${sql.lit(userId)}, true)`.execute(
    tx,
  );
}

/**
 * Runs `fn` inside the current transaction with row-level security lifted
 * (role muhafiz_system), then drops back to muhafiz_app. For the few reads
 * that must cross tenants by design, e.g. finding an API token by its hash
 * before the org is known. Keep every use narrow and filtered by hand.
 */
export async function asSystem<T>(tx: Tx, actor: Actor, fn: () => Promise<T>): Promise<T> {
  await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
  try {
    return await fn();
  } finally {
    if (actor.kind !== 'system') await sql`select set_config('role', 'muhafiz_app', true)`.execute(tx);
  }
}

/** Switches the acting org for the rest of the transaction (e.g. a CERT delivering to a constituent). */
export async function actAsOrg(tx: Tx, orgId: string): Promise<void> {
  await sql`select set_config('app.org_id', ${orgId}, true)`.execute(tx);
}
