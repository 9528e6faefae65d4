import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/core/audit.js';
import { updateMemberRoles } from '../../src/domains/tenancy/members.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';

// `audit-log verify` and every restore rely on this: an intact chain passes, any edit is named.
describe(`audit chain verification (${TEST_DRIVER})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  /** Runs SQL as the owner with the append-only trigger off: what an attacker with database access could do. */
  const tamper = (statement: string) =>
    t.rt.db.kysely.connection().execute(async (c) => {
      await sql`set role none`.execute(c);
      try {
        await sql`alter table audit_log disable trigger audit_log_append_only`.execute(c);
        await sql.raw(statement).execute(c);
        await sql`alter table audit_log enable trigger audit_log_append_only`.execute(c);
      } finally {
        await sql`set role muhafiz_app`.execute(c);
      }
    });

  it('passes an intact log and names the first truncated, modified or deleted record', async () => {
    const org = await buildOrg(t.rt);
    const admin = await buildUser(t.rt, org.id, ['org_admin']);
    const other = await buildUser(t.rt, org.id, ['staff']);
    const ctx = actingAs(t.rt, admin, org, ['org_admin']);
    for (const roles of [['viewer'], ['staff'], ['risk_owner'], ['staff']] as const) await updateMemberRoles(ctx, other.id, [...roles]);
    const ok = await verifyAuditLog(t.rt.db);
    expect(ok).toMatchObject({ ok: true });
    expect(ok.records).toBeGreaterThanOrEqual(6);

    // Cut the newest record: the chain head no longer matches.
    const tail = await t.rt.db.kysely.connection().execute(async (c) => {
      await sql`set role none`.execute(c);
      try {
        return Number((await sql<{ n: number }>`select max(seq) as n from audit_log where org_id = ${org.id}`.execute(c)).rows[0]!.n);
      } finally {
        await sql`set role muhafiz_app`.execute(c);
      }
    });
    await tamper(`delete from audit_log where org_id = '${org.id}' and seq = ${tail}`);
    expect((await verifyAuditLog(t.rt.db)).problem).toMatchObject({ orgId: org.id, reason: expect.stringMatching(/removed from the end/) });

    await tamper(`update audit_log set details = '{"to":["org_admin"]}' where org_id = '${org.id}' and seq = 4`);
    expect((await verifyAuditLog(t.rt.db)).problem).toEqual({ orgId: org.id, seq: 4, reason: expect.stringMatching(/modified/) });

    await tamper(`delete from audit_log where org_id = '${org.id}' and seq = 4`);
    expect((await verifyAuditLog(t.rt.db)).problem).toEqual({ orgId: org.id, seq: 5, reason: expect.stringMatching(/record 4 is missing/) });
  });
});
