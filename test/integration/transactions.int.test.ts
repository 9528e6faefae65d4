import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { inTx, type Ctx } from '../../src/core/context.js';
import type { DB } from '../../src/db/types.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

// The driver sends a transaction's BEGIN together with its first statement
// (src/db/deferred-begin.ts); these pin one connection and check that the
// transaction boundaries are still exactly where they were.
describe(`transactions with a deferred BEGIN (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let ctx: Ctx;
  beforeAll(async () => {
    t = await testApp();
    const org = await buildOrg(t.rt);
    const user = await buildUser(t.rt, org.id);
    ctx = actingAs(t.rt, user, org, ['org_admin']);
  });
  afterAll(async () => t.close());

  const pinned = <T>(fn: (c: Kysely<DB>, pctx: Ctx) => Promise<T>) =>
    t.rt.db.kysely.connection().execute((c) => fn(c, { ...ctx, db: { ...t.rt.db, kysely: c } }));
  const settings = async (k: Kysely<DB>) =>
    (await sql<{ org: string | null; role: string; tx: boolean }>`
      select current_setting('app.org_id', true) as org, current_user as role,
             now() = statement_timestamp() as tx`.execute(k)).rows[0]!;

  it('inTx is one transaction whose acting org and role end with it', async () => {
    await pinned(async (c, pctx) => {
      const inside = await inTx(pctx, async (tx) => {
        await sql`select pg_sleep(0.01)`.execute(tx);
        // now() is the transaction's start, so a later statement in the same transaction differs from it.
        return settings(tx);
      });
      expect(inside).toEqual({ org: ctx.actor.orgId, role: 'muhafiz_app', tx: false });
      const after = await settings(c);
      expect(after.org ?? '').toBe('');
      expect(after.role).toBe('muhafiz_app');
      expect(after.tx).toBe(true);
    });
  });

  it('a failing first statement rolls back and leaves the connection usable', async () => {
    await pinned(async (c) => {
      await expect(c.transaction().execute((tx) => sql`select 1 / 0`.execute(tx))).rejects.toThrow(/division by zero/);
      expect((await sql<{ one: number }>`select 1 as one`.execute(c)).rows).toEqual([{ one: 1 }]);
      expect((await settings(c)).tx).toBe(true);
    });
  });

  it('a failing inTx writes nothing, after the BEGIN went out with the acting org', async () => {
    const name = `rolled-back-${Date.now()}`;
    await expect(
      inTx(ctx, async (tx) => {
        await tx.updateTable('users').set({ display_name: name }).where('id', '=', ctx.actor.userId!).execute();
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const row = await inTx(ctx, (tx) => tx.selectFrom('users').select('display_name').where('id', '=', ctx.actor.userId!).executeTakeFirstOrThrow());
    expect(row.display_name).not.toBe(name);
  });

  it('a transaction that runs nothing commits nothing and the next one works', async () => {
    await pinned(async (c) => {
      await c.transaction().execute(async () => undefined);
      expect((await settings(c)).tx).toBe(true);
      expect(await c.transaction().execute(async (tx) => (await sql<{ one: number }>`select 1 as one`.execute(tx)).rows)).toEqual([{ one: 1 }]);
    });
  });

  it('refuses an acting org that is not a UUID before any SQL', async () => {
    await expect(inTx({ ...ctx, actor: { ...ctx.actor, orgId: "x', true), set_config('role', 'muhafiz_system" } }, async () => 1)).rejects.toThrow(/UUID/);
  });
});
