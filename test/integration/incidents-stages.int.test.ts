import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { HOUR } from '../../src/core/clock.js';
import { inTx } from '../../src/core/context.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, member, type CertWorld } from '../helpers/cert-world.js';
import { storePendingDeadlines } from '../../src/domains/incidents/service/clock.js';
import { actingAs, buildOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`incident stages: corrections and all-or-nothing submission (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  beforeAll(async () => {
    t = await testApp({ sessionIdleMs: 400 * 24 * HOUR, sessionMaxMs: 400 * 24 * HOUR });
    w = await certWorld(t, 1);
  });
  afterAll(async () => t.close());

  it('a stage submitted again is a correction: a new immutable stage, the deadline kept from the first, the change visible to the CERT', async () => {
    const bank = w.banks[0]!.reporter.client;
    const start = t.clock.now();
    const id = (await bank.post('/api/incidents', { draft: fullReport(start, 1) })).json().id as string;
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const firstDue = (await bank.get(`/api/incidents/${id}`)).json().deadlines[1].dueAt as string;
    expect(firstDue).toBe(new Date(start.getTime() + 72 * HOUR).toISOString());

    t.clock.advance(5 * HOUR);
    expect((await bank.patch(`/api/incidents/${id}/draft`, { summary: 'Corrected: the card switch and the ATM network.' })).statusCode).toBe(200);
    const again = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    expect(again.statusCode, again.body).toBe(200);
    // The intermediate clock still runs from the first initial submission.
    expect(again.json().deadlines[1].dueAt).toBe(firstDue);

    const stages = (await w.duty.client.get(`/api/incidents/${id}/stages`)).json() as Array<{ seq: number; stage: string; snapshot: { report: { summary: string } } }>;
    expect(stages.map((s) => [s.seq, s.stage])).toEqual([[1, 'initial'], [2, 'initial']]);
    expect(stages[0]!.snapshot.report.summary).toBe(fullReport(start, 1).summary);
    expect(stages[1]!.snapshot.report.summary).toMatch(/^Corrected/);
    const diff = (await w.duty.client.get(`/api/incidents/${id}/diff?from=1&to=2`)).json();
    expect(diff.changes).toEqual([expect.objectContaining({ kind: 'changed', path: 'summary' })]);
    expect((await w.duty.client.get(`/api/incidents/${id}/diff?from=1&to=9`)).json().code).toBe('INCIDENT_STAGE_NOT_FOUND');
  });

  it('a submission that fails after its checks writes nothing: no stage, no status, no observables, no audit record', async () => {
    const bank = w.banks[0]!.reporter.client;
    const id = (await bank.post('/api/incidents', { draft: fullReport(t.clock.now(), 1, { observables: [{ type: 'domain', value: 'rollback.example', tlp: 'green' }] }) })).json().id as string;
    const ctx = actingAs(t.rt, w.banks[0]!.reporter.user, w.banks[0]!.org, ['isms_manager']);
    const state = () =>
      inTx(ctx, async (tx) => ({
        stages: (await tx.selectFrom('incident_stages').select('seq').where('incident_id', '=', id).execute()).length,
        status: (await tx.selectFrom('incidents').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status,
        observables: (await tx.selectFrom('incident_observables').select('value').where('incident_id', '=', id).execute()).length,
        audited: (await tx.selectFrom('audit_log').select('action').where('entity_id', '=', id).where('action', '=', 'incidents.submit').execute()).length,
      }));
    const before = await state();
    expect(before).toEqual({ stages: 0, status: 'draft', observables: 0, audited: 0 });

    // A trigger makes the observable write (after the stage row and the status
    // update) fail, the way a crash or a constraint would halfway through.
    const asOwner = (q: string) =>
      t.rt.db.kysely.connection().execute(async (c) => {
        try {
          await sql`set role none`.execute(c);
          await sql.raw(q).execute(c);
        } finally {
          await sql`set role muhafiz_app`.execute(c);
        }
      });
    await asOwner(`CREATE FUNCTION test_fail_observable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.value = 'rollback.example' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await asOwner('CREATE TRIGGER test_fail_observable BEFORE INSERT ON incident_observables FOR EACH ROW EXECUTE FUNCTION test_fail_observable()');
    try {
      const res = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
      expect(res.statusCode).toBe(500);
      expect(await state()).toEqual(before);
      expect((await w.duty.client.get(`/api/incidents/${id}`)).statusCode).toBe(404);
    } finally {
      await asOwner('DROP TRIGGER test_fail_observable ON incident_observables');
    }
    // Once the fault is gone the same submission goes through in full.
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    expect(await state()).toEqual({ stages: 1, status: 'new', observables: 1, audited: 1 });
  });
  it('tuning a regime moves the stored next deadline of its running incidents (queue sort, due/missed filters)', async () => {
    const bank = w.banks[0]!.reporter.client;
    const start = t.clock.now();
    const id = (await bank.post('/api/incidents', { draft: fullReport(start, 1, { title: 'Regime retune' }) })).json().id as string;
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const regime = ((await w.duty.client.get('/api/regimes')).json() as Array<{ id: string; key: string; definition: { stages: Array<{ deadlines: Array<{ hours: number }> }> } }>).find((r) => r.key === 'dora')!;
    const row = async () => ((await w.duty.client.get(`/api/incidents?q=${encodeURIComponent('Regime retune')}`)).json().items as Array<{ id: string; nextDueAt: string | null }>).find((i) => i.id === id)!;
    expect((await row()).nextDueAt).toBe(new Date(start.getTime() + 72 * HOUR).toISOString());
    // The intermediate report is now due 12 h after the initial one: already missed.
    t.clock.advance(13 * HOUR);
    const def = structuredClone(regime.definition);
    def.stages[1]!.deadlines[0]!.hours = 12;
    expect((await w.duty.client.patch(`/api/regimes/${regime.id}`, { definition: def })).statusCode).toBe(200);
    expect((await row()).nextDueAt).toBe(new Date(start.getTime() + 12 * HOUR).toISOString());
    const missed = (await w.duty.client.get('/api/incidents?deadline=missed')).json().items as Array<{ id: string }>;
    expect(missed.map((i) => i.id)).toContain(id);
    // Put it back for the other tests.
    def.stages[1]!.deadlines[0]!.hours = 72;
    expect((await w.duty.client.patch(`/api/regimes/${regime.id}`, { definition: def })).statusCode).toBe(200);
  });
  it('each queue filter narrows to exactly the matching incidents', async () => {
    const bank = w.banks[0]!.reporter.client;
    const cert = w.duty.client;
    const now = t.clock.now();
    const a = (await bank.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Qf alpha ransomware' }) })).json().id as string;
    const b = (await bank.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Qf beta phishing', rsitClass: 'fraud', rsitType: 'phishing', severity: 'medium', major: false, criteria: { customers_affected: 10 } }) })).json().id as string;
    for (const id of [a, b]) expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    expect((await cert.post(`/api/incidents/${a}/assign`, { assigneeId: w.analyst.user.id })).statusCode).toBe(200);
    expect((await cert.post(`/api/incidents/${b}/transition`, { to: 'triage' })).statusCode).toBe(200);
    const ids = async (query: string) => ((await cert.get(`/api/incidents?q=Qf&${query}`)).json().items as Array<{ id: string }>).map((i) => i.id).sort();
    expect(await ids('')).toEqual([a, b].sort());
    expect(await ids('severity=critical')).toEqual([a]);
    expect(await ids('severity=medium')).toEqual([b]);
    expect(await ids('rsitClass=fraud')).toEqual([b]);
    expect(await ids('rsitClass=malicious-code')).toEqual([a]);
    expect(await ids('status=triage')).toEqual([b]);
    expect(await ids('status=new')).toEqual([a]);
    expect(await ids(`assigneeId=${w.analyst.user.id}`)).toEqual([a]);
    expect(await ids('major=true')).toEqual([a]);
    expect(await ids('major=false')).toEqual([b]);
    expect(await ids(`orgId=${w.banks[0]!.org.id}`)).toEqual([a, b].sort());
    // Deadlines: the major one's intermediate report (72 h) is due within 24 h after 50 h, missed after 73 h.
    expect(await ids('deadline=due')).toEqual([]);
    t.clock.advance(50 * HOUR);
    expect(await ids('deadline=due')).toEqual([a]);
    expect(await ids('deadline=missed')).toEqual([]);
    t.clock.advance(23 * HOUR);
    expect(await ids('deadline=missed')).toEqual([a]);
    expect(await ids('deadline=due')).toEqual([]);
  });
  it('search matches title, ref and the entity name case-insensitively, takes % and _ literally, and finds only what the reader may read', async () => {
    const bank = w.banks[0]!.reporter.client;
    const now = t.clock.now();
    const literal = (await bank.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Srch 100%_done outage' }) })).json().id as string;
    const wildcard = (await bank.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Srch 100ab done outage' }) })).json().id as string;
    const draftOnly = (await bank.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Srch draft never submitted' }) })).json().id as string;
    for (const id of [literal, wildcard]) expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const found = async (c: typeof bank, q: string) => {
      const page = (await c.get(`/api/incidents?limit=100&q=${encodeURIComponent(q)}`)).json() as { total: number; items: Array<{ id: string }> };
      expect(page.total).toBe(page.items.length);
      return page.items.map((i) => i.id).sort();
    };
    const cert = w.duty.client;
    expect(await found(cert, 'sRCH 100')).toEqual([literal, wildcard].sort());
    expect(await found(cert, '100%_')).toEqual([literal]);
    expect(await found(cert, 'Srch')).toEqual([literal, wildcard].sort());
    // The entity also finds its own draft; the CERT never sees drafts.
    expect(await found(bank, 'srch')).toEqual([literal, wildcard, draftOnly].sort());
    const ref = (await bank.get(`/api/incidents/${wildcard}`)).json().ref as string;
    expect(await found(cert, ref.toLowerCase())).toEqual([wildcard]);
    // The entity's name: every submitted incident of the bank, as the entity filter lists them.
    const byOrg = (await cert.get(`/api/incidents?limit=100&orgId=${w.banks[0]!.org.id}`)).json() as { total: number; items: Array<{ id: string }> };
    expect(await found(cert, w.banks[0]!.org.name.toUpperCase())).toEqual(byOrg.items.map((i) => i.id).sort());
    // A CERT that does not serve the bank finds nothing, whatever it searches.
    const other = await member(t, await buildOrg(t.rt, 'cert', 'Other CERT'), ['cert_duty_officer']);
    expect(await found(other.client, 'Srch')).toEqual([]);
    expect(await found(other.client, w.banks[0]!.org.name)).toEqual([]);
  });

  it('statistics count adherence from stored due times; a regime edit and the start-up backfill store them by the regime\'s rules', async () => {
    const bank = w.banks[0]!.reporter.client;
    const start = t.clock.now();
    const id = (await bank.post('/api/incidents', { draft: fullReport(start, 1, { title: 'Adherence stored' }) })).json().id as string;
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const intermediate = async () => ((await w.duty.client.get('/api/incidents/stats')).json().adherenceByStage as Array<{ key: string; overdue: number; met: number; late: number }>).find((s) => s.key === 'intermediate')!;
    t.clock.advance(13 * HOUR);
    const before = await intermediate();
    // Tightened to 12 h after the initial report: this incident's intermediate report is now overdue.
    const regime = ((await w.duty.client.get('/api/regimes')).json() as Array<{ id: string; key: string; definition: { stages: Array<{ deadlines: Array<{ hours: number }> }> } }>).find((r) => r.key === 'dora')!;
    const def = structuredClone(regime.definition);
    def.stages[1]!.deadlines[0]!.hours = 12;
    expect((await w.duty.client.patch(`/api/regimes/${regime.id}`, { definition: def })).statusCode).toBe(200);
    const tightened = await intermediate();
    expect(tightened.overdue).toBeGreaterThanOrEqual(before.overdue + 1);

    // A row from before migration 0205: its stored deadlines are gone until the start-up backfill.
    const owner = <T>(fn: (db: typeof t.rt.db.kysely) => Promise<T>) =>
      t.rt.db.kysely.connection().execute(async (c) => {
        await sql`set role none`.execute(c);
        try {
          return await fn(c as unknown as typeof t.rt.db.kysely);
        } finally {
          await sql`set role muhafiz_app`.execute(c);
        }
      });
    const stored = () => owner((db) => db.selectFrom('incidents').select(['next_due_at', 'next_due_stage', 'initial_due_at', 'initial_submitted_at', 'intermediate_due_at', 'intermediate_submitted_at', 'final_due_at', 'final_submitted_at', 'deadlines_stored']).where('id', '=', id).executeTakeFirstOrThrow());
    const expected = await stored();
    const detail = (await w.duty.client.get(`/api/incidents/${id}`)).json() as { deadlines: Array<{ stage: string; dueAt: string | null; submittedAt: string | null }> };
    // What is stored is what the regime's rules give for the incident (the detail view computes them live).
    for (const d of detail.deadlines) {
      expect((expected as unknown as Record<string, Date | null>)[`${d.stage}_due_at`]?.toISOString() ?? null).toBe(d.dueAt);
      expect((expected as unknown as Record<string, Date | null>)[`${d.stage}_submitted_at`]?.toISOString() ?? null).toBe(d.submittedAt);
    }
    expect(expected.intermediate_due_at).toEqual(new Date(start.getTime() + 12 * HOUR));
    expect(expected.next_due_at).toEqual(expected.intermediate_due_at);
    await owner((db) =>
      db
        .updateTable('incidents')
        .set({ deadlines_stored: false, next_due_at: null, next_due_stage: null, initial_due_at: null, initial_submitted_at: null, intermediate_due_at: null, intermediate_submitted_at: null, final_due_at: null, final_submitted_at: null })
        .where('id', '=', id)
        .execute(),
    );
    expect((await intermediate()).overdue).toBe(tightened.overdue - 1);
    expect(await storePendingDeadlines(t.rt.db, t.clock.now())).toBe(1);
    expect(await stored()).toEqual(expected);
    expect(await intermediate()).toEqual(tightened);
    expect(await storePendingDeadlines(t.rt.db, t.clock.now())).toBe(0);

    // Put the regime back: the stored due time moves back, and with it the count.
    def.stages[1]!.deadlines[0]!.hours = 72;
    expect((await w.duty.client.patch(`/api/regimes/${regime.id}`, { definition: def })).statusCode).toBe(200);
    expect(await intermediate()).toEqual(before);
  });
});
