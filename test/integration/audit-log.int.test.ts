import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, recordHash, verifyAuditLog, type ChainedFields } from '../../src/core/audit.js';
import { MINUTE } from '../../src/core/clock.js';
import { inTx } from '../../src/core/context.js';
import { AUDIT_CSV_HEADER } from '../../src/domains/audit/service.js';
import { totpAt } from '../../src/domains/auth/mfa.js';
import { Client, expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

type Row = ChainedFields & { hash: string };

describe(`audit log (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let admin: BuiltUser;
  let c: Client;
  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt);
    admin = await buildUser(t.rt, bank.id, ['org_admin']);
    c = new Client(t.app);
    expect((await c.login(admin.email, admin.password)).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  /** The org's chain as stored, read as the system role. */
  async function chain(orgId: string): Promise<Row[]> {
    return t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return (await tx.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).orderBy('seq').execute()) as unknown as Row[];
    });
  }

  /** Tampering as the table owner with the append-only triggers off: what an attacker with the database would do. */
  async function tamper(statements: (c: Parameters<Parameters<ReturnType<typeof t.rt.db.kysely.connection>['execute']>[0]>[0]) => Promise<void>): Promise<void> {
    await t.rt.db.kysely.connection().execute(async (conn) => {
      await sql`SET ROLE NONE`.execute(conn);
      try {
        await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(conn);
        await statements(conn);
        await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(conn);
      } finally {
        await sql`SET ROLE muhafiz_app`.execute(conn);
      }
    });
  }

  const insertRow = (row: Row) => (conn: Parameters<Parameters<typeof tamper>[0]>[0]) =>
    conn.insertInto('audit_log').values({ ...row, details: JSON.stringify(row.details) }).execute().then(() => undefined);

  it('records every write with its request id, and no record for a failed write', async () => {
    const staffer = await buildUser(t.rt, bank.id, ['staff']);
    const writes: Array<{ res: Awaited<ReturnType<Client['post']>>; action: string; entityId: (body: Record<string, string>) => string }> = [];
    const track = async (res: Awaited<ReturnType<Client['post']>>, action: string, entityId: (body: Record<string, string>) => string) => {
      expect(res.statusCode, res.body).toBeLessThan(300);
      writes.push({ res, action, entityId });
      return res.json();
    };
    await track(await c.patch(`/api/orgs/${bank.id}`, { name: 'Renamed Bank' }), 'orgs.update', () => bank.id);
    const inv = await track(await c.post('/api/invitations', { email: 'audited@example.test', roles: ['staff'] }), 'invitations.create', (b) => b.id!);
    await track(await c.delete(`/api/invitations/${inv.id}`), 'invitations.revoke', () => inv.id);
    const tok = await track(await c.post('/api/tokens', { name: 'audited', role: 'org_admin' }), 'tokens.create', (b) => b.id!);
    await track(await c.delete(`/api/tokens/${tok.id}`), 'tokens.revoke', () => tok.id);
    await track(await c.patch(`/api/members/${staffer.id}`, { roles: ['risk_owner'] }), 'members.update', () => staffer.id);
    await track(await c.delete(`/api/members/${staffer.id}`), 'members.remove', () => staffer.id);
    const enrol = await track(await c.post('/api/auth/mfa/enrol'), 'auth.mfa_enrol_started', () => admin.id);
    writes.pop(); // starting enrolment changes nothing of record until it is confirmed
    await track(await c.post('/api/auth/mfa/confirm', { code: totpAt(enrol.secret, t.clock.now()) }), 'auth.mfa_enrolled', () => admin.id);
    for (const w of writes) {
      const rows = (await c.get(`/api/audit-log?action=${w.action}&entityId=${w.entityId(w.res.json())}`)).json().items;
      expect(rows, w.action).toHaveLength(1);
      expect(rows[0].requestId, w.action).toBe(w.res.headers['x-request-id']);
      expect(rows[0].actor).toBe(admin.email);
    }

    const before = (await chain(bank.id)).length;
    expectProblem(await c.patch(`/api/members/${admin.id}`, { roles: ['staff'] }), 409, 'LAST_ADMIN');
    expectProblem(await c.post('/api/invitations', { email: 'x@example.test', roles: ['staff'], extra: true }), 400, 'VALIDATION_FAILED');
    // A service that fails after writing its record rolls both back.
    await expect(
      inTx(actingAs(t.rt, admin, bank, ['org_admin']), async (tx) => {
        await audit(tx, actingAs(t.rt, admin, bank, ['org_admin']), { action: 'probe.fail', entityType: 'probe' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await chain(bank.id)).length).toBe(before);
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);
  });

  it('verifies a clean log and finds a modified, deleted, reordered or truncated record', async () => {
    const org = await buildOrg(t.rt);
    const ctx = actingAs(t.rt, admin, org, ['org_admin']);
    for (let i = 1; i <= 5; i++) await inTx(ctx, (tx) => audit(tx, ctx, { action: 'probe.write', entityType: 'probe', entityId: `p${i}`, details: { i, note: 'ünïcode ✓' }, after: { i } }));
    const clean = await verifyAuditLog(t.rt.db);
    expect(clean.ok, JSON.stringify(clean.problem)).toBe(true);
    expect(clean.chains).toBeGreaterThanOrEqual(3);
    expect(clean.records).toBeGreaterThan(10);
    const rows = await chain(org.id);
    // The org's chain holds the five probes (its creation is recorded in the platform's chain).
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    const [, r2, r3, r4, r5] = rows as [Row, Row, Row, Row, Row];
    const expectBroken = async (seq: number, reason: RegExp) => {
      const v = await verifyAuditLog(t.rt.db);
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ orgId: org.id, seq });
      expect(v.problem!.reason).toMatch(reason);
    };

    // (a) a modified record
    await tamper((conn) => sql`UPDATE audit_log SET details = '{"i": 99}'::jsonb WHERE org_id = ${org.id} AND seq = 3`.execute(conn).then(() => undefined));
    await expectBroken(3, /modified/);
    // ... even when its hash is recomputed: the next link breaks.
    const forged = { ...r3, details: { i: 99 } };
    await tamper((conn) => sql`UPDATE audit_log SET hash = ${recordHash(forged)} WHERE org_id = ${org.id} AND seq = 3`.execute(conn).then(() => undefined));
    await expectBroken(4, /previous-hash/);
    await tamper((conn) => sql`UPDATE audit_log SET details = ${JSON.stringify(r3.details)}::jsonb, hash = ${r3.hash} WHERE org_id = ${org.id} AND seq = 3`.execute(conn).then(() => undefined));
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);

    // (b) a deleted record
    await tamper((conn) => sql`DELETE FROM audit_log WHERE org_id = ${org.id} AND seq = 4`.execute(conn).then(() => undefined));
    await expectBroken(5, /record 4 is missing/);
    await tamper(insertRow(r4));
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);

    // (c) two records' contents swapped (reordered)
    const swap = (target: Row, source: Row) =>
      sql`UPDATE audit_log SET id = ${source.id}, at = ${source.at}, actor_label = ${source.actor_label}, action = ${source.action},
            entity_id = ${source.entity_id}, details = ${JSON.stringify(source.details)}::jsonb, after_digest = ${source.after_digest},
            request_id = ${source.request_id}, prev_hash = ${source.prev_hash}, hash = ${source.hash}
          WHERE org_id = ${org.id} AND seq = ${target.seq}`;
    await tamper(async (conn) => {
      await swap(r2, r3).execute(conn);
      await swap(r3, r2).execute(conn);
    });
    await expectBroken(2, /previous-hash/);
    await tamper(async (conn) => {
      await swap(r2, r2).execute(conn);
      await swap(r3, r3).execute(conn);
    });
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);

    // (d) a truncated tail
    await tamper((conn) => sql`DELETE FROM audit_log WHERE org_id = ${org.id} AND seq = 5`.execute(conn).then(() => undefined));
    await expectBroken(5, /removed from the end/);
    await tamper(insertRow(r5));
    const again = await verifyAuditLog(t.rt.db);
    expect(again.ok).toBe(true);
    expect(again.records).toBe(clean.records);
  });

  it('exports the filtered log as CSV with formulas neutralised, and filters the list', async () => {
    const org = await buildOrg(t.rt);
    const boss = await buildUser(t.rt, org.id, ['org_admin']);
    const ctx = { ...actingAs(t.rt, boss, org, ['org_admin']), actor: { ...actingAs(t.rt, boss, org, ['org_admin']).actor, label: '@SUM(A1:A9)' } };
    const start = t.clock.now();
    await inTx(ctx, (tx) => audit(tx, ctx, { action: 'probe.inject', entityType: 'probe', entityId: '=HYPERLINK("http://evil.example","x")', details: { note: 'has "quotes", commas' } }));
    t.clock.advance(5 * MINUTE);
    const mid = t.clock.now();
    await inTx(ctx, (tx) => audit(tx, ctx, { action: 'probe.later', entityType: 'probe', entityId: '+1-2', details: {} }));
    await inTx(ctx, (tx) => audit(tx, ctx, { action: 'probe_x.other', entityType: 'other', entityId: 'plain' }));

    const b = new Client(t.app);
    await b.login(boss.email, boss.password);
    const csv = await b.get('/api/audit-log/export.csv?entityType=probe');
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(AUDIT_CSV_HEADER.join(','));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"'@SUM(A1:A9)"`);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines[1]).toContain(`"{""note"":""has \\""quotes\\"", commas""}"`);
    expect(lines[2]).toContain(`"'+1-2"`);
    expect(lines.slice(1).every((l) => !/(^|,)"?[=+@-]/.test(l.replace(/"'[=+@-]/g, '')))).toBe(true);
    // Nothing of another org leaks into the export.
    const mine = await c.get('/api/audit-log/export.csv?entityType=probe');
    expect(mine.body).not.toContain('HYPERLINK');

    const list = async (q: string) => (await b.get(`/api/audit-log?${q}`)).json() as { total: number; items: Array<{ action: string }> };
    expect((await list('action=probe.')).items.map((r) => r.action)).toEqual(['probe.later', 'probe.inject']);
    expect((await list('action=probe_')).items.map((r) => r.action)).toEqual(['probe_x.other']);
    expect((await list('entityType=other')).total).toBe(1);
    expect((await list(`entityId=${encodeURIComponent('+1-2')}`)).items.map((r) => r.action)).toEqual(['probe.later']);
    expect((await list('actor=%40sum')).total).toBe(3);
    expect((await list(`from=${mid.toISOString()}&entityType=probe`)).items.map((r) => r.action)).toEqual(['probe.later']);
    expect((await list(`to=${mid.toISOString()}&from=${start.toISOString()}&entityType=probe`)).items.map((r) => r.action)).toEqual(['probe.inject']);
    const paged = await list('limit=1&offset=1&entityType=probe');
    expect(paged.total).toBe(2);
    expect(paged.items.map((r) => r.action)).toEqual(['probe.inject']);
    expectProblem(await b.get('/api/audit-log?from=yesterday'), 400, 'VALIDATION_FAILED');
  });
});
