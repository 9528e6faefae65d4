import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { HOUR } from '../../src/core/clock.js';
import { inTx } from '../../src/core/context.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, type CertWorld } from '../helpers/cert-world.js';
import { actingAs } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`incident reporting on regulatory clocks (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  beforeAll(async () => {
    // Sessions outlive the days this test moves the clock by.
    t = await testApp({ sessionIdleMs: 400 * 24 * HOUR, sessionMaxMs: 400 * 24 * HOUR });
    w = await certWorld(t, 2);
  });
  afterAll(async () => t.close());

  it('runs a major incident from draft through stages, triage, thread, notes and closure to corrective actions', async () => {
    const bank = w.banks[0]!.reporter.client;
    const cert = w.analyst.client;
    const now = t.clock.now();

    // Draft: autosaves, invisible to the CERT.
    const created = await bank.post('/api/incidents', { draft: { title: 'Payments down' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ status: 'draft', side: 'entity', regime: { key: 'dora' } });
    expect((await cert.get(`/api/incidents/${id}`)).statusCode).toBe(404);

    const { title: _t, ...rest } = fullReport(now, 2);
    const saved = await bank.patch(`/api/incidents/${id}/draft`, { ...rest, summary: 'first words', rootCause: null });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().draft.summary).toBe('first words');
    expect(saved.json().draft.observables[2].value).toBe('evil.example.com');
    expect(saved.json().suggestion.major).toBe(true);

    // Bad observable: field-level error.
    const badObs = await bank.patch(`/api/incidents/${id}/draft`, { observables: [{ type: 'ipv4', value: '999.1.1.1', tlp: 'red' }] });
    expect(badObs.statusCode).toBe(400);
    expect(badObs.body).toContain('observables');

    // An incomplete stage is refused as a whole, naming every missing field.
    const incomplete = await bank.post(`/api/incidents/${id}/stages`, { stage: 'final' });
    expect(incomplete.statusCode).toBe(409);
    expect(incomplete.json().code).toBe('INCIDENT_STAGE_OUT_OF_ORDER');
    await bank.patch(`/api/incidents/${id}/draft`, { rsitType: 'phishing', contact: null });
    const bad = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INCIDENT_STAGE_INCOMPLETE');
    const paths = (bad.json().errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['draft.contact', 'draft.rsitType']));
    expect((await bank.get(`/api/incidents/${id}/stages`)).json()).toEqual([]);

    // Initial stage.
    await bank.patch(`/api/incidents/${id}/draft`, { title: 'Card payment outage', rsitType: 'infected-system', contact: { name: 'Ayla', email: 'AYLA@bank.example' } });
    const initial = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    expect(initial.statusCode, initial.body).toBe(200);
    const inc = initial.json();
    expect(inc.status).toBe('new');
    const dl = Object.fromEntries((inc.deadlines as Array<{ stage: string }>).map((d) => [d.stage, d]));
    expect(dl.initial).toMatchObject({ state: 'met' });
    expect(dl.intermediate).toMatchObject({ state: 'open', dueAt: new Date(now.getTime() + 72 * HOUR).toISOString(), msRemaining: 72 * HOUR });
    expect(dl.final).toMatchObject({ state: 'waiting' });

    // The CERT sees it in its queue, with the submitted report, not the draft.
    const queue = await cert.get('/api/incidents?sort=deadline');
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().items.map((i: { id: string }) => i.id)).toEqual([id]);
    const seen = (await cert.get(`/api/incidents/${id}`)).json();
    expect(seen).toMatchObject({ side: 'cert', draft: null, assetIds: [] });
    expect(seen.report.title).toBe('Card payment outage');
    expect(seen.actions).toContain('incidents.triage');

    // Triage: lifecycle with allowed transitions only, assignment.
    const skip = await cert.post(`/api/incidents/${id}/transition`, { to: 'recovery' });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().code).toBe('INCIDENT_TRANSITION_NOT_ALLOWED');
    t.clock.advance(30 * 60_000);
    expect((await cert.post(`/api/incidents/${id}/transition`, { to: 'triage' })).statusCode).toBe(200);
    const assigned = await cert.post(`/api/incidents/${id}/assign`, { assigneeId: w.analyst.user.id });
    expect(assigned.json().assigneeId).toBe(w.analyst.user.id);
    expect((await cert.post(`/api/incidents/${id}/assign`, { assigneeId: w.banks[0]!.reporter.user.id })).statusCode).toBe(400);

    // The thread: CERT asks, the bank answers; each side is notified.
    const q = await cert.post(`/api/incidents/${id}/messages`, { body: 'Which card schemes are affected?', tlp: 'amber' });
    expect(q.statusCode, q.body).toBe(201);
    expect(q.json().fromCert).toBe(true);
    const bankNotes = await bank.get('/api/notifications');
    expect(bankNotes.json().items.map((n: { kind: string }) => n.kind)).toContain('incident.message');
    expect((await bank.post(`/api/incidents/${id}/messages`, { body: 'Visa and local debit.', tlp: 'amber' })).statusCode).toBe(201);
    const thread = (await cert.get(`/api/incidents/${id}/messages`)).json();
    expect(thread.map((m: { fromCert: boolean; tlp: string }) => [m.fromCert, m.tlp])).toEqual([[true, 'amber'], [false, 'amber']]);

    // Internal notes and tasks: CERT only.
    expect((await cert.post(`/api/incidents/${id}/notes`, { body: 'Same dropper as last month?' })).statusCode).toBe(201);
    expect((await bank.get(`/api/incidents/${id}/notes`)).statusCode).toBe(403);
    const task = await cert.post(`/api/incidents/${id}/tasks`, { title: 'Check dropper hash', ownerId: w.analyst.user.id, dueAt: new Date(now.getTime() + 5 * HOUR).toISOString() });
    expect(task.statusCode, task.body).toBe(201);
    const done = await cert.patch(`/api/incidents/${id}/tasks/${task.json().id}`, { status: 'done' });
    expect(done.json().status).toBe('done');
    expect((await bank.get(`/api/incidents/${id}/tasks`)).statusCode).toBe(403);
    const bankNotesDb = await inTx(actingAs(t.rt, w.banks[0]!.reporter.user, w.banks[0]!.org, ['isms_manager']), (tx) => tx.selectFrom('incident_notes').select('id').execute());
    expect(bankNotesDb).toEqual([]);

    // Intermediate and final stages; the CERT sees what changed.
    t.clock.advance(20 * HOUR);
    await bank.patch(`/api/incidents/${id}/draft`, { impactDescription: 'Card payments down for 6 hours.', observables: [{ type: 'ipv4', value: '203.0.113.7', tlp: 'amber' }, { type: 'url', value: 'https://evil.example.com/x', tlp: 'amber' }] });
    const mid = await bank.post(`/api/incidents/${id}/stages`, { stage: 'intermediate' });
    expect(mid.statusCode, mid.body).toBe(200);
    const diff = (await cert.get(`/api/incidents/${id}/diff?from=1&to=2`)).json();
    const changed = diff.changes.map((c: { path: string; kind: string }) => `${c.kind}:${c.path}`);
    expect(changed).toEqual(expect.arrayContaining(['changed:impactDescription', 'added:observables[]', 'removed:observables[]']));
    t.clock.advance(48 * HOUR);
    await bank.patch(`/api/incidents/${id}/draft`, { rootCause: 'Phishing mail with a macro dropper.' });
    const fin = await bank.post(`/api/incidents/${id}/stages`, { stage: 'final' });
    expect(fin.statusCode, fin.body).toBe(200);
    expect(fin.json().deadlines.map((d: { state: string }) => d.state)).toEqual(['met', 'met', 'met']);
    expect(fin.json().nextDueAt).toBeNull();

    // Submitted stages are immutable, even to a direct query.
    const ctx = actingAs(t.rt, w.banks[0]!.reporter.user, w.banks[0]!.org, ['isms_manager']);
    await expect(inTx(ctx, (tx) => sql`update incident_stages set snapshot = '{}'::jsonb`.execute(tx))).rejects.toThrow(/permission denied/);

    // Lifecycle to closure, each state stamped once.
    for (const to of ['analysis', 'containment', 'eradication', 'recovery', 'post_incident', 'closed']) {
      t.clock.advance(HOUR);
      const r = await cert.post(`/api/incidents/${id}/transition`, { to, reason: to === 'closed' ? 'final report received' : '' });
      expect(r.statusCode, r.body).toBe(200);
    }
    const closed = (await bank.get(`/api/incidents/${id}`)).json();
    expect(Object.keys(closed.stateEntered)).toEqual(expect.arrayContaining(['new', 'triage', 'analysis', 'containment', 'closed']));
    const tl = (await cert.get(`/api/incidents/${id}/timeline`)).json();
    expect(tl.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['state', 'stage', 'message', 'journal.task']));
    const entityTl = (await bank.get(`/api/incidents/${id}/timeline`)).json();
    expect(entityTl.some((e: { kind: string }) => e.kind.startsWith('journal'))).toBe(false);

    // Lessons learned become corrective actions and risk reviews in the bank's own ISMS.
    const risk = await bank.post('/api/risks', {
      title: 'Phishing of payments staff',
      threat: 'Targeted phishing with macro documents',
      vulnerability: 'Macros enabled for internet documents',
      cia: ['C', 'I'],
      ownerId: w.banks[0]!.reporter.user.id,
      inherent: { likelihood: 4, impact: 4 },
      treatment: 'modify',
    });
    expect(risk.statusCode, risk.body).toBe(201);
    const riskId = risk.json().id as string;
    const badRisk = await bank.post(`/api/incidents/${id}/lessons`, {
      lessonsLearned: 'Macros must be blocked.',
      correctiveActions: [{ title: 'Block Office macros from the internet' }],
      riskReviews: [{ riskId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(badRisk.statusCode).toBe(400);
    expect(badRisk.json().errors[0].path).toBe('body.riskReviews.0.riskId');
    expect((await bank.get(`/api/corrective-actions?sourceId=${id}`)).json().total).toBe(0);
    const lessons = await bank.post(`/api/incidents/${id}/lessons`, {
      lessonsLearned: 'Macros must be blocked.',
      correctiveActions: [{ title: 'Block Office macros from the internet', dueDate: '2026-12-31' }, { title: 'Phishing drill for payments staff' }],
      riskReviews: [{ riskId, note: 'Likelihood was underestimated' }],
    });
    expect(lessons.statusCode, lessons.body).toBe(200);
    expect(lessons.json().correctiveActions).toHaveLength(2);
    expect(lessons.json().riskReviews).toEqual([{ reviewId: expect.any(String), riskId }]);
    const reviewLog = await inTx(ctx, (tx) => tx.selectFrom('audit_log').select('details').where('action', '=', 'risks.review_open').execute());
    expect(reviewLog[0]!.details).toMatchObject({ source: { type: 'incident', id } });
    const cas = (await bank.get(`/api/corrective-actions?sourceId=${id}`)).json();
    expect(cas.total).toBe(2);
    expect(cas.items[0].source).toEqual({ type: 'incident', id });
    expect((await cert.get(`/api/corrective-actions`)).statusCode).toBe(403);
    const certView = (await cert.get(`/api/incidents/${id}`)).json();
    expect(certView.lessonsLearned).toBeNull();

    // Every write left an audit record in the writer's chain.
    const log = (await inTx(ctx, (tx) => tx.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute())).map((r) => r.action);
    expect(log).toEqual(expect.arrayContaining(['incidents.create', 'incidents.draft', 'incidents.submit', 'incidents.lessons']));
  });

  it('correlates exact observables across entities for the CERT', async () => {
    const a = w.banks[0]!.reporter.client;
    const b = w.banks[1]!.reporter.client;
    const now = t.clock.now();
    const ia = (await a.post('/api/incidents', { draft: fullReport(now, 1) })).json().id;
    expect((await a.post(`/api/incidents/${ia}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const ib = (await b.post('/api/incidents', { draft: fullReport(now, 1, { title: 'Phishing wave', observables: [{ type: 'domain', value: 'evil.example.com.', tlp: 'green' }] }) })).json().id;
    expect((await b.post(`/api/incidents/${ib}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const corr = (await w.duty.client.get(`/api/incidents/${ib}/correlations`)).json();
    const domain = corr.find((c: { type: string }) => c.type === 'domain');
    expect(domain.value).toBe('evil.example.com');
    expect(domain.incidents.map((i: { id: string }) => i.id)).toContain(ia);
    expect((await b.get(`/api/incidents/${ib}/correlations`)).statusCode).toBe(403);
  });

  it('reminds before and escalates after a deadline, once, to the entity and the duty officer', async () => {
    const b = w.banks[1]!.reporter.client;
    const now = t.clock.now();
    const id = (await b.post('/api/incidents', { draft: fullReport(now, 0) })).json().id;
    expect((await b.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    // Intermediate due at +72 h; DORA reminds 2 h before.
    t.clock.advance(69 * HOUR);
    await t.rt.jobs.runDue();
    const kinds = async (c: typeof b) => {
      const items = (await c.get('/api/notifications?limit=200')).json().items as Array<{ kind: string; link: string }>;
      return items.filter((n) => n.link === `/incidents/${id}`).map((n) => n.kind);
    };
    expect(await kinds(b)).not.toContain('incident.deadline.reminder');
    t.clock.advance(1.5 * HOUR);
    await t.rt.jobs.runDue();
    expect(await kinds(b)).toContain('incident.deadline.reminder');
    expect(await kinds(w.duty.client)).toContain('incident.deadline.reminder');
    expect((await b.get(`/api/incidents/${id}`)).json().deadlines[1].state).toBe('due_soon');
    t.clock.advance(2 * HOUR);
    await t.rt.jobs.runDue();
    expect((await kinds(b)).filter((k) => k === 'incident.deadline.escalation')).toHaveLength(1);
    expect(await kinds(w.duty.client)).toContain('incident.deadline.escalation');
    // Running again (another node, a restart) sends nothing twice.
    t.clock.advance(10 * 60_000);
    await t.rt.jobs.runDue();
    expect((await kinds(w.duty.client)).filter((k) => k === 'incident.deadline.escalation')).toHaveLength(1);
    // The queue shows it as overdue.
    const missed = (await w.duty.client.get('/api/incidents?deadline=missed&sort=deadline')).json();
    const row = missed.items.find((i: { id: string }) => i.id === id);
    expect(row).toMatchObject({ overdue: true, nextDueStage: 'intermediate' });
    expect((await b.get(`/api/incidents/${id}`)).json().deadlines[1].state).toBe('overdue');
    // Mail went to the outbox for the entity.
    const mails = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('mail_outbox').select(['to_address', 'subject']).where('subject', 'like', '%OVERDUE%').execute();
    });
    expect(mails.map((m) => m.to_address)).toEqual(expect.arrayContaining([w.banks[1]!.reporter.user.email, w.duty.user.email]));
  });

  it('links ISMS assets of the entity only, and never shows them to the CERT', async () => {
    const bank = w.banks[0]!.reporter.client;
    const asset = await bank.post('/api/assets', { name: 'Card switch', type: 'hardware', confidentiality: 3, integrity: 4, availability: 5 });
    expect(asset.statusCode, asset.body).toBe(201);
    const assetId = asset.json().id as string;
    const id = (await bank.post('/api/incidents', { draft: fullReport(t.clock.now(), 1, { assetIds: [assetId, '00000000-0000-4000-8000-000000000000'] }) })).json().id;
    const bad = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    expect(bad.json().code).toBe('ASSET_NOT_FOUND');
    expect(bad.json().errors[0].path).toBe('draft.assetIds');
    await bank.patch(`/api/incidents/${id}/draft`, { assetIds: [assetId] });
    const ok = await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().assetIds).toEqual([assetId]);
    const certView = (await w.duty.client.get(`/api/incidents/${id}`)).json();
    expect(certView.assetIds).toEqual([]);
    expect(JSON.stringify(certView.report)).not.toContain(assetId);
  });

  it('filters, searches and paginates the queue', async () => {
    const c = w.duty.client;
    const all = (await c.get('/api/incidents?limit=2')).json();
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items).toHaveLength(2);
    const page2 = (await c.get('/api/incidents?limit=2&offset=2')).json();
    expect(page2.items[0].id).not.toBe(all.items[0].id);
    const byOrg = (await c.get(`/api/incidents?orgId=${w.banks[1]!.org.id}`)).json();
    expect(byOrg.items.every((i: { orgId: string }) => i.orgId === w.banks[1]!.org.id)).toBe(true);
    const search = (await c.get('/api/incidents?q=phishing')).json();
    expect(search.items.map((i: { title: string }) => i.title)).toEqual(['Phishing wave']);
    expect((await c.get('/api/incidents?severity=critical&rsitClass=malicious-code&status=new')).statusCode).toBe(200);
    expect((await c.get('/api/incidents?sort=bogus')).statusCode).toBe(400);
  });
});
