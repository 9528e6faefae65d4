import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../src/core/context.js';
import { newId } from '../../src/core/ids.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, member, type CertWorld, type Member } from '../helpers/cert-world.js';
import { actingAs, buildOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

/** Every route addressing one incident, with a body that would be valid for it. */
function incidentRoutes(id: string, taskId: string): Array<[method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown]> {
  return [
    ['GET', `/api/incidents/${id}`],
    ['PATCH', `/api/incidents/${id}/draft`, { summary: 'x' }],
    ['POST', `/api/incidents/${id}/stages`, { stage: 'intermediate' }],
    ['GET', `/api/incidents/${id}/stages`],
    ['GET', `/api/incidents/${id}/diff?from=1&to=1`],
    ['POST', `/api/incidents/${id}/transition`, { to: 'triage' }],
    ['POST', `/api/incidents/${id}/assign`, { assigneeId: null }],
    ['GET', `/api/incidents/${id}/messages`],
    ['POST', `/api/incidents/${id}/messages`, { body: 'hello', tlp: 'green' }],
    ['GET', `/api/incidents/${id}/notes`],
    ['POST', `/api/incidents/${id}/notes`, { body: 'note' }],
    ['GET', `/api/incidents/${id}/timeline`],
    ['POST', `/api/incidents/${id}/journal`, { text: 'entry' }],
    ['GET', `/api/incidents/${id}/tasks`],
    ['POST', `/api/incidents/${id}/tasks`, { title: 'task' }],
    ['PATCH', `/api/incidents/${id}/tasks/${taskId}`, { status: 'done' }],
    ['GET', `/api/incidents/${id}/correlations`],
    ['POST', `/api/incidents/${id}/lessons`, { lessonsLearned: 'x' }],
    ['GET', `/api/incidents/${id}/attachments`],
    ['GET', `/api/incidents/${id}/attachments/${taskId}/file`],
  ];
}

describe(`incident access (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let otherCert: Member;
  let id: string;
  let draftId: string;
  let taskId: string;
  beforeAll(async () => {
    t = await testApp();
    w = await certWorld(t, 2);
    otherCert = await member(t, await buildOrg(t.rt, 'cert', 'Other CERT'), ['cert_duty_officer']);
    const bank = w.banks[0]!.reporter.client;
    id = (await bank.post('/api/incidents', { draft: fullReport(t.clock.now(), 1) })).json().id;
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    draftId = (await bank.post('/api/incidents', { draft: { title: 'Only a draft' } })).json().id;
    taskId = (await w.analyst.client.post(`/api/incidents/${id}/tasks`, { title: 'look' })).json().id;
  });
  afterAll(async () => t.close());

  it('another entity gets 404 INCIDENT_NOT_FOUND on every incident route', async () => {
    const other = w.banks[1]!.reporter.client;
    for (const [method, url, body] of incidentRoutes(id, taskId)) {
      const res = await other.request(method, url, body);
      expect([url, method, res.statusCode, res.json().code]).toEqual([url, method, 404, 'INCIDENT_NOT_FOUND']);
    }
    const list = (await other.get('/api/incidents')).json();
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it('a CERT that does not serve the entity gets 404 on every incident route', async () => {
    for (const [method, url, body] of incidentRoutes(id, taskId)) {
      const res = await otherCert.client.request(method, url, body);
      expect([url, method, res.statusCode]).toEqual([url, method, 404]);
    }
    expect((await otherCert.client.get('/api/incidents')).json().total).toBe(0);
  });

  it("the serving CERT cannot see an entity's draft", async () => {
    for (const [method, url, body] of incidentRoutes(draftId, taskId)) {
      const res = await w.duty.client.request(method, url, body);
      expect([url, method, res.statusCode]).toEqual([url, method, 404]);
    }
  });

  it('an unknown id is 404 for everyone', async () => {
    const res = await w.banks[0]!.reporter.client.get(`/api/incidents/${newId()}`);
    expect(res.statusCode).toBe(404);
  });

  it("row-level security alone keeps a constituent's incidents from another entity and the CERT's notes from the entity", async () => {
    const ctxB = actingAs(t.rt, w.banks[1]!.reporter.user, w.banks[1]!.org, ['isms_manager']);
    const seen = await inTx(ctxB, (tx) => tx.selectFrom('incidents').select('id').execute());
    expect(seen.map((r) => r.id)).not.toContain(id);
    const stages = await inTx(ctxB, (tx) => tx.selectFrom('incident_stages').select('incident_id').execute());
    expect(stages).toEqual([]);
    const ctxA = actingAs(t.rt, w.banks[0]!.reporter.user, w.banks[0]!.org, ['isms_manager']);
    expect(await inTx(ctxA, (tx) => tx.selectFrom('incident_tasks').select('id').execute())).toEqual([]);
    expect(await inTx(ctxA, (tx) => tx.selectFrom('incident_journal').select('id').execute())).toEqual([]);
    // The CERT reads the report but never the entity's ISMS asset links.
    const ctxCert = actingAs(t.rt, w.duty.user, w.cert, ['cert_duty_officer']);
    expect(await inTx(ctxCert, (tx) => tx.selectFrom('incident_assets').select('asset_id').execute())).toEqual([]);
    expect((await inTx(ctxCert, (tx) => tx.selectFrom('incident_stages').select('incident_id').execute())).length).toBe(1);
  });

  it('entity-only and CERT-only writes are refused to the other side', async () => {
    const bank = w.banks[0]!.reporter.client;
    expect((await bank.post(`/api/incidents/${id}/transition`, { to: 'triage' })).statusCode).toBe(403);
    expect((await bank.post(`/api/incidents/${id}/notes`, { body: 'x' })).statusCode).toBe(403);
    expect((await w.duty.client.patch(`/api/incidents/${id}/draft`, { summary: 'x' })).statusCode).toBe(403);
    expect((await w.duty.client.post(`/api/incidents/${id}/stages`, { stage: 'intermediate' })).statusCode).toBe(403);
    expect((await w.duty.client.post('/api/incidents', { draft: {} })).statusCode).toBe(403);
  });
});
