import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { inTx } from '../../src/core/context.js';
import { listNotifications } from '../../src/domains/notifications/service.js';
import { createRiskReview } from '../../src/domains/risks/treatment.js';
import { listRisksForControl } from '../../src/domains/risks/service.js';
import { testApp, Client, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`risks (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let org: BuiltOrg;
  let manager: BuiltUser;
  let owner: BuiltUser;
  let otherOwner: BuiltUser;
  let c: Client;
  let asOwner: Client;
  let asOther: Client;
  let outsider: Client;
  let assetId: string;

  beforeAll(async () => {
    t = await testApp();
    t.clock.set('2027-03-02T08:00:00Z');
    org = await buildOrg(t.rt);
    const other = await buildOrg(t.rt);
    manager = await buildUser(t.rt, org.id, ['isms_manager', 'org_admin']);
    owner = await buildUser(t.rt, org.id, ['risk_owner']);
    otherOwner = await buildUser(t.rt, org.id, ['risk_owner']);
    const stranger = await buildUser(t.rt, other.id, ['org_admin']);
    c = new Client(t.app);
    asOwner = new Client(t.app);
    asOther = new Client(t.app);
    outsider = new Client(t.app);
    for (const [cl, u] of [[c, manager], [asOwner, owner], [asOther, otherOwner], [outsider, stranger]] as const) {
      expect((await cl.login(u.email, u.password)).statusCode).toBe(200);
    }
    assetId = (await c.post('/api/assets', { name: 'Online banking', type: 'service', confidentiality: 5, integrity: 5, availability: 5 })).json().id;
  });
  afterAll(async () => t.close());

  const newRisk = (over: Record<string, unknown> = {}) => ({
    title: 'Credential stuffing against online banking',
    threat: 'Organised crime with leaked password lists',
    vulnerability: 'No MFA for retail customers',
    cia: ['C', 'I'],
    ownerId: owner.id,
    assetIds: [assetId],
    inherent: { likelihood: 4, impact: 5 },
    current: { likelihood: 4, impact: 4 },
    residual: { likelihood: 2, impact: 3 },
    treatment: 'modify',
    reviewDueOn: '2027-03-10',
    ...over,
  });

  it('scores a risk with the default 5x5 method and links tasks to Annex A controls', async () => {
    const m = (await c.get('/api/risks/method')).json();
    expect(m).toMatchObject({ name: 'ISO/IEC 27005-style 5x5', version: 0, saved: false, appetiteLevel: 'medium' });
    const r = await c.post('/api/risks', newRisk());
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      ref: 'R-001',
      inherent: { score: 20, level: 'critical', colour: '#c62828' },
      current: { score: 16, level: 'high' },
      residual: { score: 6, level: 'medium' },
      aboveAppetite: true,
      cia: ['C', 'I'],
      methodVersion: 1,
      assets: [{ id: assetId, name: 'Online banking' }],
    });
    const id = r.json().id;
    const task = await c.post(`/api/risks/${id}/tasks`, { title: 'Malware protection on endpoints', controlIds: ['A.8.7', '8.5'], ownerId: owner.id, dueOn: '2027-03-05' });
    expect(task.statusCode, task.body).toBe(201);
    expect(task.json()).toMatchObject({ controlIds: ['A.8.7', 'A.8.5'], status: 'open', overdue: false });
    const bad = await c.post(`/api/risks/${id}/tasks`, { title: 'x', controlIds: ['A.8.7', 'A.8.35'] });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.controlIds.1' }] });
    const forControl = await listRisksForControl(actingAs(t.rt, manager, org, ['isms_manager']), 'A.8.7');
    expect(forControl.map((x) => x.ref)).toEqual(['R-001']);
    expect((await c.get('/api/risks?controlId=A.8.7')).json().total).toBe(1);
    expect((await c.get('/api/risks?controlId=A.5.1')).json().total).toBe(0);
    expect((await c.get(`/api/risks?assetId=${assetId}&level=high&treatment=modify&aboveAppetite=true&q=stuffing`)).json().total).toBe(1);

    // Field errors and other tenants.
    const wrong = await c.post('/api/risks', newRisk({ inherent: { likelihood: 6, impact: 1 } }));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].path).toBe('body.inherent.likelihood');
    expect((await c.post('/api/risks', newRisk({ ownerId: '00000000-0000-4000-8000-000000000000' }))).json().errors[0].path).toBe('body.ownerId');
    expect((await outsider.get(`/api/risks/${id}`)).json().code).toBe('RISK_NOT_FOUND');
    expect((await outsider.patch(`/api/risks/${id}`, { title: 'x' })).statusCode).toBe(404);
    expect((await outsider.post('/api/risks', newRisk({ ownerId: owner.id }))).json().errors[0].path).toBe('body.ownerId');
    // The asset is in use now.
    expect((await c.delete(`/api/assets/${assetId}`)).json().code).toBe('ASSET_IN_USE');
  });

  it('only the risk owner may sign off an acceptance', async () => {
    const id = (await c.post('/api/risks', newRisk({ title: 'Legacy core without vendor support', treatment: 'retain' }))).json().id;
    const byManager = await c.post(`/api/risks/${id}/acceptance`, { rationale: 'Replacement project funded for next year', expiresOn: '2027-12-31' });
    expect(byManager.statusCode).toBe(403);
    expect(byManager.json().code).toBe('RISK_ACCEPTANCE_NOT_OWNER');
    const byOtherOwner = await asOther.post(`/api/risks/${id}/acceptance`, { rationale: 'Replacement project funded for next year', expiresOn: '2027-12-31' });
    expect(byOtherOwner.json().code).toBe('RISK_ACCEPTANCE_NOT_OWNER');
    const tooShort = await asOwner.post(`/api/risks/${id}/acceptance`, { rationale: 'ok', expiresOn: '2027-12-31' });
    expect(tooShort.json().errors[0].path).toBe('body.rationale');
    const past = await asOwner.post(`/api/risks/${id}/acceptance`, { rationale: 'Replacement project funded for next year', expiresOn: '2027-03-01' });
    expect(past.json().errors[0].path).toBe('body.expiresOn');
    const ok = await asOwner.post(`/api/risks/${id}/acceptance`, { rationale: 'Replacement project funded for next year', expiresOn: '2027-12-31' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().acceptance).toMatchObject({ acceptedBy: { id: owner.id }, rationale: 'Replacement project funded for next year', expiresOn: '2027-12-31', level: 'medium', expired: false });
    expect(ok.json().actions).toContain('accept');
    const log = (await c.get('/api/audit-log?action=risks.accept')).json();
    expect(log.items[0]).toMatchObject({ action: 'risks.accept', entityId: id });
  });

  it('changing the method re-scores every risk and records the history', async () => {
    const before = (await c.get('/api/risks?limit=100')).json();
    expect(before.total).toBe(2);
    const invalidMethod = await c.request('PUT', '/api/risks/method', { ...(await c.get('/api/risks/method/presets')).json()['simple-3x3'], matrix: [['low', 'low', 'low', 'low'], ['low', 'nope', 'high'], ['low', 'low', 'low']] });
    expect(invalidMethod.json()).toMatchObject({ code: 'RISK_METHOD_INVALID' });
    expect(invalidMethod.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.matrix.0', 'body.matrix.1.1']);
    const changed = await c.post('/api/risks/method/preset', { preset: 'simple-3x3' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ rescored: 2, method: { name: 'Simple 3x3', version: 2 } });
    const r1 = (await c.get('/api/risks?q=stuffing')).json().items[0];
    // 5x5 (4,5) -> 3x3 (3,3); (4,4) -> (3,3); (2,3) -> (2,2).
    expect(r1).toMatchObject({ methodVersion: 2, inherent: { likelihood: 3, impact: 3, score: 9, level: 'high' }, current: { score: 9, level: 'high' }, residual: { likelihood: 2, impact: 2, score: 4, level: 'medium' } });
    const history = (await c.get(`/api/risks/${r1.id}/history`)).json();
    expect(history.map((h: { reason: string }) => h.reason)).toEqual(['created', 'method_change']);
    expect(history[1]).toMatchObject({ methodVersion: 2, scores: { inherent: { score: 9, level: 'high' }, previous: { inherent: { score: 20, level: 'critical' }, methodVersion: 1 } } });
    // A rating outside the new scales is refused with its field.
    expect((await c.patch(`/api/risks/${r1.id}`, { current: { likelihood: 4, impact: 1 } })).json().errors[0].path).toBe('body.current.likelihood');
    // Back to 5x5: positions carry back.
    await c.post('/api/risks/method/preset', { preset: 'iso27005-5x5' });
    const back = (await c.get(`/api/risks/${r1.id}`)).json();
    expect(back).toMatchObject({ methodVersion: 3, inherent: { likelihood: 5, impact: 5, level: 'critical' } });
    expect((await c.get('/api/audit-log?action=risks.method')).json().items[0].details).toMatchObject({ rescored: 2, version: 3 });
  });

  it('heat map counts and register exports', async () => {
    const hm = (await c.get('/api/risks/heatmap')).json();
    expect(hm.cells).toHaveLength(25);
    expect(hm.totals).toEqual({ risks: 2, withResidual: 2 });
    const sum = (k: 'inherent' | 'residual') => hm.cells.reduce((a: number, x: Record<string, number>) => a + x[k]!, 0);
    expect(sum('inherent')).toBe(2);
    expect(sum('residual')).toBe(2);
    expect(hm.cells.find((x: { likelihood: number; impact: number }) => x.likelihood === 5 && x.impact === 5)).toMatchObject({ inherent: 2, level: 'critical', colour: '#c62828' });

    const xlsx = await c.get('/api/risks/export?format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Risk register')!;
    expect(ws.rowCount).toBe(3);
    expect(ws.getRow(2).getCell(1).value).toBe('R-001');
    const pdf = await c.get('/api/risks/export?format=pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.length).toBeGreaterThan(1500);
  });

  it('createRiskReview opens a review on an existing or a new risk and notifies the owner', async () => {
    const ctx = actingAs(t.rt, manager, org, ['isms_manager']);
    const r1 = (await c.get('/api/risks?q=stuffing')).json().items[0];
    const a = await createRiskReview(ctx, { riskId: r1.id, source: { type: 'incident', id: 'INC-2027-0042' }, note: 'Attack succeeded against 12 accounts' });
    expect(a.riskId).toBe(r1.id);
    const b = await createRiskReview(ctx, { risk: newRisk({ title: 'Phishing of branch staff', assetIds: [] }) as never, source: { type: 'incident', id: 'INC-2027-0043' } });
    expect(b.riskId).not.toBe(r1.id);
    await expect(createRiskReview(actingAs(t.rt, manager, org, ['isms_manager']), { riskId: '00000000-0000-4000-8000-000000000000', source: { type: 'incident', id: 'x' } })).rejects.toMatchObject({ code: 'RISK_NOT_FOUND' });
    const detail = (await c.get(`/api/risks/${r1.id}`)).json();
    expect(detail.reviews[0]).toMatchObject({ sourceType: 'incident', sourceId: 'INC-2027-0042', completedAt: null });
    const notes = (await asOwner.get('/api/notifications')).json();
    expect(notes.items.map((n: { kind: string }) => n.kind)).toContain('risk.review_requested');
    const done = await c.post(`/api/risks/${r1.id}/review`, { outcome: 'MFA rollout accelerated', current: { likelihood: 3, impact: 4 }, nextReviewOn: '2027-09-01' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ reviewDueOn: '2027-09-01', current: { likelihood: 3, impact: 4 }, reviews: [{ completedAt: expect.any(String), outcome: 'MFA rollout accelerated' }] });
    expect(await inTx(ctx, async (tx) => (await tx.selectFrom('risk_reviews').select('id').where('completed_at', 'is', null).execute()).length)).toBe(1);
  });

  it('the daily job reminds owners of due reviews, overdue tasks and expiring acceptances, once each', async () => {
    // Read through the service: sessions idle out while the clock jumps days ahead.
    const ownerCtx = actingAs(t.rt, owner, org, ['risk_owner']);
    const kinds = async () => (await listNotifications(ownerCtx, { limit: 100, offset: 0 })).items.map((n) => n.kind).filter((k) => k !== 'risk.review_requested').sort();
    // The clock starts after the schedule's first run time, so the first pass fires the scan.
    // 2027-03-02: R-002 review due 03-10 (within 14 days); R-001 now due 09-01; the new R-003 due 03-10.
    await t.rt.jobs.runDue();
    expect(await kinds()).toEqual(['risk.review_due', 'risk.review_due']);
    await t.rt.jobs.runDue();
    expect(await kinds()).toHaveLength(2);
    // Three days later the task due 03-05 is overdue.
    t.clock.advance(4 * DAY);
    await t.rt.jobs.runDue();
    expect(await kinds()).toEqual(['risk.review_due', 'risk.review_due', 'risk.task_overdue']);
    // Past 03-10: reviews overdue.
    t.clock.set('2027-03-11T08:00:00Z');
    await t.rt.jobs.runDue();
    expect((await kinds()).filter((k: string) => k === 'risk.review_overdue')).toHaveLength(2);
    // Acceptance expiring 2027-12-31: announced 30 days ahead, not before.
    t.clock.set('2027-11-30T08:00:00Z');
    await t.rt.jobs.runDue();
    expect(await kinds()).not.toContain('risk.acceptance_expiring');
    t.clock.set('2027-12-02T08:00:00Z');
    await t.rt.jobs.runDue();
    expect((await kinds()).filter((k: string) => k === 'risk.acceptance_expiring')).toHaveLength(1);
  });
});
