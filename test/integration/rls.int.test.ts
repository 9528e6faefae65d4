import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTx } from '../../src/core/context.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`row-level security (${TEST_DRIVER})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  it('a query without an org filter still sees only the acting org', async () => {
    const bank = await buildOrg(t.rt, 'regulated_entity');
    const broker = await buildOrg(t.rt, 'regulated_entity');
    const alice = await buildUser(t.rt, bank.id, ['org_admin']);
    const bob = await buildUser(t.rt, broker.id, ['org_admin']);
    const ctx = actingAs(t.rt, alice, bank, ['org_admin']);
    // Deliberately no org_id filter: RLS must do the scoping.
    const members = await inTx(ctx, (tx) => tx.selectFrom('memberships').select(['org_id', 'user_id']).execute());
    expect(members.map((m) => m.org_id)).toEqual([bank.id]);
    expect(members.map((m) => m.user_id)).not.toContain(bob.id);
    const audit = await inTx(ctx, (tx) => tx.selectFrom('audit_log').select('org_id').distinct().execute());
    expect(audit.map((a) => a.org_id)).toEqual([bank.id]);
  });

  it('runs as a role that owns nothing and cannot bypass RLS', async () => {
    const org = await buildOrg(t.rt);
    const user = await buildUser(t.rt, org.id);
    const ctx = actingAs(t.rt, user, org, ['org_admin']);
    const role = await inTx(ctx, async (tx) => (await sql<{ r: string; bypass: boolean; owns: number }>`
      select current_user as r,
             (select rolbypassrls from pg_roles where rolname = current_user) as bypass,
             (select count(*)::int from pg_tables where tableowner = current_user) as owns`.execute(tx)).rows[0]!);
    expect(role).toEqual({ r: 'muhafiz_app', bypass: false, owns: 0 });
  });

  it('a write into another org is refused by the policy', async () => {
    const a = await buildOrg(t.rt);
    const b = await buildOrg(t.rt);
    const user = await buildUser(t.rt, a.id);
    const ctx = actingAs(t.rt, user, a, ['org_admin']);
    await expect(
      inTx(ctx, (tx) => tx.insertInto('memberships').values({ org_id: b.id, user_id: user.id, roles: ['org_admin'] }).execute()),
    ).rejects.toThrow(/row-level security/);
  });

  it('the audit log rejects UPDATE and DELETE even from its owner', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(t.rt.db.kysely)).rejects.toThrow(/permission denied|append-only/);
    await expect(
      t.rt.db.kysely.connection().execute(async (c) => {
        try {
          await sql`set role none`.execute(c);
          await sql`delete from audit_log`.execute(c);
        } finally {
          await sql`set role muhafiz_app`.execute(c);
        }
      }),
    ).rejects.toThrow(/append-only/);
  });
});
