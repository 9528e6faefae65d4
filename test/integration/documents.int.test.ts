import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { listNotifications } from '../../src/domains/notifications/service.js';
import { addMonths } from '../../src/domains/documents/service.js';
import { testApp, Client, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`policies and documents (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let org: BuiltOrg;
  let author: BuiltUser;
  let approver: BuiltUser;
  let staff1: BuiltUser;
  let staff2: BuiltUser;
  let writer: Client;
  let boss: Client;
  let s1: Client;
  let outsider: Client;
  let docId: string;

  beforeAll(async () => {
    t = await testApp();
    t.clock.set('2027-01-31T09:00:00Z');
    org = await buildOrg(t.rt);
    const other = await buildOrg(t.rt);
    author = await buildUser(t.rt, org.id, ['isms_manager']);
    approver = await buildUser(t.rt, org.id, ['org_admin']);
    staff1 = await buildUser(t.rt, org.id, ['staff']);
    staff2 = await buildUser(t.rt, org.id, ['staff']);
    const stranger = await buildUser(t.rt, other.id, ['org_admin']);
    writer = new Client(t.app);
    boss = new Client(t.app);
    s1 = new Client(t.app);
    outsider = new Client(t.app);
    for (const [cl, u] of [[writer, author], [boss, approver], [s1, staff1], [outsider, stranger]] as const) {
      expect((await cl.login(u.email, u.password)).statusCode).toBe(200);
    }
  });
  afterAll(async () => t.close());

  it('adds months the way a review cycle expects', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2027-11-15', 12)).toBe('2028-11-15');
  });

  it('runs draft -> in_review -> approved -> published with a non-author approver', async () => {
    const created = await writer.post('/api/documents', { title: 'Information security policy', kind: 'policy', classification: 'internal', ownerId: author.id, reviewCycleMonths: 12, content: '# Policy\n\nDraft one.' });
    expect(created.statusCode, created.body).toBe(201);
    docId = created.json().id;
    expect(created.json()).toMatchObject({ status: 'draft', latest: { version: 1, status: 'draft', author: { id: author.id } }, content: { markdown: '# Policy\n\nDraft one.' } });
    expect(created.json().actions).toEqual(expect.arrayContaining(['edit', 'submit']));

    // Staff cannot see an unpublished document; another org cannot either.
    expect((await s1.get(`/api/documents/${docId}`)).json().code).toBe('DOCUMENT_NOT_FOUND');
    expect((await s1.get('/api/documents')).json().total).toBe(0);
    expect((await outsider.get(`/api/documents/${docId}`)).statusCode).toBe(404);
    expect((await outsider.post(`/api/documents/${docId}/transition`, { action: 'submit' })).statusCode).toBe(404);

    expect((await writer.request('PUT', `/api/documents/${docId}/draft`, { content: '# Policy\n\nDraft two.', changeNote: 'wording' })).statusCode).toBe(200);
    expect((await writer.post(`/api/documents/${docId}/transition`, { action: 'publish' })).json().code).toBe('DOCUMENT_WRONG_STATE');
    expect((await writer.post(`/api/documents/${docId}/transition`, { action: 'submit' })).json().latest.status).toBe('in_review');
    expect((await writer.request('PUT', `/api/documents/${docId}/draft`, { content: 'sneaky edit' })).json().code).toBe('DOCUMENT_WRONG_STATE');
    // The author cannot approve, even holding an approver role.
    const self = await writer.post(`/api/documents/${docId}/transition`, { action: 'approve' });
    expect(self.statusCode).toBe(403);
    expect((await s1.post(`/api/documents/${docId}/transition`, { action: 'approve' })).json().code).toBe('FORBIDDEN');
    const rejected = await boss.post(`/api/documents/${docId}/transition`, { action: 'reject', note: 'Add the scope section' });
    expect(rejected.json().latest).toMatchObject({ status: 'draft', decisionNote: 'Add the scope section' });
    await writer.request('PUT', `/api/documents/${docId}/draft`, { content: '# Policy\n\n## Scope\n\nAll staff.' });
    await writer.post(`/api/documents/${docId}/transition`, { action: 'submit' });
    const approved = await boss.post(`/api/documents/${docId}/transition`, { action: 'approve', note: 'Approved by the board' });
    expect(approved.json().latest).toMatchObject({ status: 'approved', approvedBy: { id: approver.id } });
    const published = await boss.post(`/api/documents/${docId}/transition`, { action: 'publish' });
    expect(published.json()).toMatchObject({ status: 'published', publishedVersion: 1, nextReviewOn: '2028-01-31', latest: { status: 'published' } });

    const forStaff = (await s1.get(`/api/documents/${docId}`)).json();
    expect(forStaff).toMatchObject({ content: { version: 1, markdown: '# Policy\n\n## Scope\n\nAll staff.' }, acknowledged: false });
    expect(forStaff.actions).toEqual(['acknowledge']);

    // Version 2: staff keep seeing version 1 until 2 is published.
    await writer.post(`/api/documents/${docId}/versions`, { changeNote: 'annual update' });
    await writer.request('PUT', `/api/documents/${docId}/draft`, { content: '# Policy v2' });
    expect((await s1.get(`/api/documents/${docId}`)).json().content.markdown).toContain('All staff');
    expect((await s1.get(`/api/documents/${docId}/versions/2`)).statusCode).toBe(404);
    expect((await writer.get(`/api/documents/${docId}/versions/2`)).json().markdown).toBe('# Policy v2');
    expect((await writer.get('/api/documents?versionStatus=draft&kind=policy&q=security')).json().total).toBe(1);
    expect((await writer.get('/api/documents?classification=restricted')).json().total).toBe(0);

    const log = (await boss.get('/api/audit-log?action=documents')).json().items.map((i: { action: string }) => i.action);
    expect(log).toEqual(expect.arrayContaining(['documents.create', 'documents.edit', 'documents.submit', 'documents.reject', 'documents.approve', 'documents.publish', 'documents.new_version']));

    const bad = await writer.post('/api/documents', { title: '', kind: 'memo', classification: 'secret', ownerId: 'x' });
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.title', 'body.kind', 'body.classification', 'body.ownerId']));
  });

  it('acknowledgement campaigns track who accepted the current version, with reminders', async () => {
    const camp = await boss.post(`/api/documents/${docId}/campaigns`, { dueOn: '2027-02-15', roles: ['staff'] });
    expect(camp.statusCode, camp.body).toBe(201);
    expect(camp.json()).toMatchObject({ version: 1, targets: 2, acknowledged: 0, percent: 0 });
    const cid = camp.json().id;
    expect((await s1.get('/api/documents/acknowledgements/mine')).json()).toEqual([expect.objectContaining({ documentId: docId, campaignId: cid, dueOn: '2027-02-15', overdue: false })]);
    expect((await s1.post(`/api/documents/${docId}/campaigns`, { dueOn: '2027-02-15' })).statusCode).toBe(403);

    const ack = await s1.post(`/api/documents/${docId}/acknowledge`);
    expect(ack.json()).toMatchObject({ version: 1 });
    expect((await s1.post(`/api/documents/${docId}/acknowledge`)).statusCode).toBe(200);
    expect((await s1.get('/api/documents/acknowledgements/mine')).json()).toEqual([]);
    const progress = (await boss.get(`/api/documents/${docId}/campaigns`)).json()[0];
    expect(progress).toMatchObject({ targets: 2, acknowledged: 1, percent: 50 });
    const pending = (await boss.get(`/api/documents/campaigns/${cid}?status=pending`)).json();
    expect(pending.items.map((p: { userId: string }) => p.userId)).toEqual([staff2.id]);
    expect((await boss.post(`/api/documents/campaigns/${cid}/remind`)).json()).toEqual({ reminded: 1 });
    expect((await outsider.get(`/api/documents/campaigns/${cid}`)).json().code).toBe('DOCUMENT_CAMPAIGN_NOT_FOUND');

    // Daily scan (ManualClock): 3 days before the due date, then overdue; once each.
    const staff2Ctx = actingAs(t.rt, staff2, org, ['staff']);
    const kinds = async () => (await listNotifications(staff2Ctx, { limit: 100, offset: 0 })).items.map((n) => n.kind).sort();
    expect(await kinds()).toEqual(['document.acknowledge', 'document.acknowledge_reminder']);
    await t.rt.jobs.runDue();
    expect(await kinds()).toHaveLength(2);
    t.clock.set('2027-02-12T09:00:00Z');
    await t.rt.jobs.runDue();
    await t.rt.jobs.runDue();
    expect((await kinds()).filter((k) => k === 'document.acknowledge_due')).toHaveLength(1);
    t.clock.set('2027-02-16T09:00:00Z');
    await t.rt.jobs.runDue();
    expect((await kinds()).filter((k) => k === 'document.acknowledge_overdue')).toHaveLength(1);
    // The one who acknowledged is never reminded.
    const s1Kinds = (await listNotifications(actingAs(t.rt, staff1, org, ['staff']), { limit: 100, offset: 0 })).items.map((n) => n.kind);
    expect(s1Kinds).toEqual(['document.acknowledge']);

    // Review cycle reminder to the owner 14 days before 2028-01-31.
    const ownerKinds = async () => (await listNotifications(actingAs(t.rt, author, org, ['isms_manager']), { limit: 100, offset: 0 })).items.map((n) => n.kind);
    t.clock.set('2028-01-16T09:00:00Z');
    await t.rt.jobs.runDue();
    expect(await ownerKinds()).not.toContain('document.review_due');
    t.clock.advance(DAY);
    await t.rt.jobs.runDue();
    expect(await ownerKinds()).toContain('document.review_due');
  });

  it('publishing a new version asks for a new acknowledgement; retiring closes campaigns', async () => {
    t.clock.set('2028-01-20T09:00:00Z');
    const b = new Client(t.app);
    await b.login(approver.email, approver.password);
    const w = new Client(t.app);
    await w.login(author.email, author.password);
    const st = new Client(t.app);
    await st.login(staff1.email, staff1.password);
    await w.post(`/api/documents/${docId}/transition`, { action: 'submit' });
    await b.post(`/api/documents/${docId}/transition`, { action: 'approve' });
    const pub = (await b.post(`/api/documents/${docId}/transition`, { action: 'publish' })).json();
    expect(pub).toMatchObject({ publishedVersion: 2, nextReviewOn: '2029-01-20' });
    expect(pub.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[2, 'published'], [1, 'retired']]);
    expect((await st.get(`/api/documents/${docId}`)).json()).toMatchObject({ acknowledged: false, content: { version: 2 } });
    const camp = (await b.post(`/api/documents/${docId}/campaigns`, { dueOn: '2028-02-20' })).json();
    expect(camp).toMatchObject({ version: 2, targets: 4, acknowledged: 0 });
    const retired = (await b.post(`/api/documents/${docId}/transition`, { action: 'retire' })).json();
    expect(retired.status).toBe('retired');
    expect((await b.get(`/api/documents/${docId}/campaigns`)).json()[0].closedAt).not.toBeNull();
    expect((await st.post(`/api/documents/${docId}/acknowledge`)).json().code).toBe('DOCUMENT_NOT_PUBLISHED');
  });
});
