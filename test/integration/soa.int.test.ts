import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { scanControlJobs } from '../../src/domains/controls/checks.js';
import { listNotifications } from '../../src/domains/notifications/service.js';
import { testApp, Client, expectProblem, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { multipartBody } from '../helpers/multipart.js';
import { pdfText } from '../helpers/pdf-text.js';
import { sharedData } from '../helpers/shared-data.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ISO = 'iso27001-2022';

describe(`statement of applicability, controls and evidence (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let org: BuiltOrg;
  let ciso: BuiltUser;
  let owner: BuiltUser;
  let c: Client;
  let asOwner: Client;
  let outsider: Client;
  let stranger: BuiltUser;
  let malwareId: string;
  let edrId: string;
  let evidenceId: string;
  let siemId: string;
  let fileEvidenceId: string;

  beforeAll(async () => {
    t = await testApp();
    t.clock.set('2027-03-02T08:00:00Z');
    org = await buildOrg(t.rt, 'regulated_entity', 'Bank of Tests');
    const other = await buildOrg(t.rt);
    ciso = await buildUser(t.rt, org.id, ['isms_manager', 'org_admin']);
    owner = await buildUser(t.rt, org.id, ['control_owner']);
    stranger = await buildUser(t.rt, other.id, ['org_admin', 'isms_manager']);
    c = new Client(t.app);
    asOwner = new Client(t.app);
    outsider = new Client(t.app);
    for (const [cl, u] of [[c, ciso], [asOwner, owner], [outsider, stranger]] as const) expect((await cl.login(u.email, u.password)).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  /** Moves the clock; sessions idle out across such jumps, so everyone signs in again. */
  async function setClock(at: string): Promise<void> {
    t.clock.set(at);
    for (const [cl, u] of [[c, ciso], [asOwner, owner]] as const) expect((await cl.login(u.email, u.password)).statusCode).toBe(200);
  }

  it('lists all 93 Annex A controls, undecided, before anything is entered', async () => {
    const r = await c.get('/api/soa?limit=500');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.total).toBe(93);
    expect(body.items).toHaveLength(93);
    expect(body.items[0]).toMatchObject({ ref: 'A.5.1', applicable: null, status: 'not_started', statusSource: 'derived', gaps: expect.arrayContaining(['undecided']) });
    expect(body.items.at(-1).ref).toBe('A.8.34');
    expect(body.summary).toMatchObject({ total: 93, decided: 0, latestVersion: null, actions: ['edit', 'approve'] });
    const tech = await c.get('/api/soa?group=A.8&limit=10');
    expect(tech.json()).toMatchObject({ total: 34, limit: 10 });
    expect(tech.json().items).toHaveLength(10);
  });

  it('requires a justification for inclusion and exclusion, naming the field', async () => {
    const none = await c.request('PUT', '/api/soa/controls/A.7.4', { applicable: false, justification: '  ' });
    expect(expectProblem(none, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ path: 'body.justification' })]);
    const missing = await c.request('PUT', '/api/soa/controls/A.7.4', { applicable: true });
    expect(expectProblem(missing, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.justification');
    expectProblem(await c.request('PUT', '/api/soa/controls/A.9.1', { applicable: true, justification: 'x' }), 404, 'SOA_REQUIREMENT_NOT_FOUND');
    const ok = await c.request('PUT', '/api/soa/controls/A.7.4', { applicable: false, justification: 'No physical premises of our own: the data centre provider monitors (contract DC-7).' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ref: 'A.7.4', applicable: false, gaps: [] });
    expectProblem(await asOwner.request('PUT', '/api/soa/controls/A.7.4', { applicable: true, justification: 'x' }), 403, 'FORBIDDEN');
  });

  it('validates applied-control mappings through the catalog', async () => {
    const bad = await c.post('/api/controls', { name: 'x', requirements: [{ framework: ISO, ref: 'A.8.7' }, { framework: ISO, ref: 'A.8.99' }] });
    expect(expectProblem(bad, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.requirements.1.ref');
    const fw = await c.post('/api/controls', { name: 'x', requirements: [{ framework: 'no-such-framework', ref: 'A.8.7' }] });
    expect(expectProblem(fw, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.requirements.0.framework');
    const owner404 = await c.post('/api/controls', { name: 'x', ownerId: '00000000-0000-4000-8000-000000000000' });
    expect(expectProblem(owner404, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.ownerId');
    expect((await c.get('/api/controls')).json().total).toBe(0);
  });

  it('derives the SoA status from the applied controls mapped to a control, unless set by hand', async () => {
    const a = await c.post('/api/controls', { name: 'Anti-malware on all endpoints', ownerId: owner.id, status: 'partial', requirements: [{ framework: ISO, ref: 'A.8.7' }] });
    expect(a.statusCode, a.body).toBe(201);
    malwareId = a.json().id;
    expect(a.json()).toMatchObject({ ref: 'C-001', status: 'partial', requirements: [{ framework: ISO, ref: 'A.8.7' }], owner: { id: owner.id } });
    const entry = async () => (await c.get('/api/soa/controls/A.8.7')).json();
    expect(await entry()).toMatchObject({ status: 'partial', derivedStatus: 'partial', statusSource: 'derived', controls: [{ ref: 'C-001' }], owner: { id: owner.id } });
    const b = await c.post('/api/controls', { name: 'EDR with central alerting', status: 'implemented', requirements: [{ framework: ISO, ref: 'A.8.7' }, { framework: ISO, ref: 'A.8.16' }] });
    edrId = b.json().id;
    expect(await entry()).toMatchObject({ status: 'partial', controls: [{ ref: 'C-001' }, { ref: 'C-002' }] });
    expect((await c.get('/api/soa/controls/A.8.16')).json()).toMatchObject({ status: 'implemented' });
    await c.patch(`/api/controls/${malwareId}`, { status: 'implemented' });
    expect(await entry()).toMatchObject({ status: 'implemented', derivedStatus: 'implemented' });
    const manual = await c.request('PUT', '/api/soa/controls/A.8.7', { applicable: true, justification: 'Malware is the top threat in our risk assessment (R-001).', status: 'partial' });
    expect(manual.json()).toMatchObject({ status: 'partial', statusSource: 'manual', derivedStatus: 'implemented' });
    const back = await c.request('PUT', '/api/soa/controls/A.8.7', { applicable: true, justification: 'Malware is the top threat in our risk assessment (R-001).', status: 'derived' });
    expect(back.json()).toMatchObject({ status: 'implemented', statusSource: 'derived' });
    const list = await c.get(`/api/controls?framework=${ISO}&ref=A.8.16`);
    expect(list.json().items.map((x: { ref: string }) => x.ref)).toEqual(['C-002']);
  });

  it('links risks whose treatment names the control', async () => {
    const asset = (await c.post('/api/assets', { name: 'Branch laptops', type: 'hardware', confidentiality: 4, integrity: 3, availability: 3 })).json();
    const risk = (await c.post('/api/risks', { title: 'Ransomware on branch laptops', ownerId: ciso.id, assetIds: [asset.id], inherent: { likelihood: 4, impact: 5 } })).json();
    const task = await c.post(`/api/risks/${risk.id}/tasks`, { title: 'Roll out anti-malware', controlIds: ['A.8.7'] });
    expect(task.statusCode, task.body).toBe(201);
    expect((await c.get('/api/soa/controls/A.8.7')).json().risks).toEqual([expect.objectContaining({ riskRef: risk.ref, taskTitle: 'Roll out anti-malware', taskStatus: 'open' })]);
  });

  it('derives CSF 2.0 compliance through the catalog mapping, and from controls mapped to CSF directly', async () => {
    const csf = async () => (await c.get('/api/compliance/nist-csf-2.0')).json();
    const before = await csf();
    expect(before).toMatchObject({ framework: 'nist-csf-2.0', frameworkName: expect.stringContaining('2.0'), overall: { total: 106 } });
    // C-002 (implemented) is mapped only to ISO A.8.16; the catalog maps DE.CM-01 to A.8.16.
    expect(before.gaps.find((g: { ref: string }) => g.ref === 'DE.CM-01')).toMatchObject({ status: 'implemented', reasons: ['no_evidence'], via: ['A.8.16'] });
    expect(before.groups.find((g: { ref: string }) => g.ref === 'DE')).toMatchObject({ level: 0, total: 11 });
    expect(before.groups.find((g: { ref: string }) => g.ref === 'DE.CM')).toMatchObject({ level: 1 });
    const siem = await c.post('/api/controls', { name: 'SIEM collects security logs', ownerId: owner.id, status: 'partial', requirements: [{ framework: ISO, ref: 'A.8.15' }, { framework: 'nist-csf-2.0', ref: 'DE.CM-01' }] });
    expect(siem.statusCode, siem.body).toBe(201);
    siemId = siem.json().id;
    const after = await csf();
    expect(after.gaps.find((g: { ref: string }) => g.ref === 'DE.CM-01')).toMatchObject({ status: 'partial', via: ['C-003', 'A.8.16'] });
    expect((await c.get('/api/soa/controls/A.8.15')).json()).toMatchObject({ status: 'partial', controls: [{ ref: 'C-003' }] });
    const bad = await c.post('/api/controls', { name: 'x', requirements: [{ framework: 'nist-csf-2.0', ref: 'DE.CM' }] });
    expect(expectProblem(bad, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.requirements.0.ref');
    const iso = (await c.get(`/api/compliance/${ISO}`)).json();
    expect(iso.overall).toMatchObject({ total: 93, applicable: 92, implemented: 2, partial: 1 });
    expect(iso.groups.map((g: { ref: string }) => g.ref)).toEqual(['A.5', 'A.6', 'A.7', 'A.8']);
    expect(iso.attributes.find((a: { type: string; value: string }) => a.type === 'control_type' && a.value === 'detective').implemented).toBeGreaterThanOrEqual(1);
    expectProblem(await c.get('/api/compliance/no-such'), 400, 'VALIDATION_FAILED');
  });

  it('keeps evidence with a validity period, reviewed by the control owner, and reminds before it expires', async () => {
    const e = await c.post('/api/evidence', { kind: 'link', title: 'EDR console coverage report', url: 'https://edr.example.test/reports/coverage', validUntil: '2027-04-15', controlIds: [malwareId, edrId] });
    expect(e.statusCode, e.body).toBe(201);
    evidenceId = e.json().id;
    expect(e.json()).toMatchObject({ ref: 'E-0001', state: 'valid', validFrom: '2027-03-02', controls: [{ ref: 'C-001' }, { ref: 'C-002' }] });
    const badPeriod = await c.post('/api/evidence', { kind: 'link', title: 'x', url: 'https://x.test', validFrom: '2027-03-02', validUntil: '2027-03-01', controlIds: [malwareId] });
    expect(expectProblem(badPeriod, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.validUntil');
    const badControl = await c.post('/api/evidence', { kind: 'link', title: 'x', url: 'https://x.test', controlIds: [malwareId, '00000000-0000-4000-8000-000000000000'] });
    expect(expectProblem(badControl, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.controlIds.1');
    const js = await c.post('/api/evidence', { kind: 'link', title: 'x', url: 'javascript:alert(1)', controlIds: [malwareId] });
    expectProblem(js, 400, 'VALIDATION_FAILED');
    expect((await c.get('/api/soa/controls/A.8.7')).json()).toMatchObject({ evidence: { total: 1, valid: 1, expired: 0 }, gaps: [] });

    // The CISO owns neither control: only their owner reviews.
    expectProblem(await c.post(`/api/evidence/${evidenceId}/review`, { outcome: 'accepted' }), 403, 'EVIDENCE_REVIEW_NOT_OWNER');
    const rev = await asOwner.post(`/api/evidence/${evidenceId}/review`, { outcome: 'accepted', note: 'Coverage 99.6 %, matches the CMDB' });
    expect(rev.json()).toMatchObject({ review: { outcome: 'accepted', by: { id: owner.id } } });

    const deps = { db: t.rt.db, clock: t.clock };
    expect((await scanControlJobs(deps)).evidenceReminders).toBe(0);
    await setClock('2027-03-20T06:00:00Z'); // within 30 days of 2027-04-15
    expect((await scanControlJobs(deps)).evidenceReminders).toBe(1);
    expect((await scanControlJobs(deps)).evidenceReminders).toBe(0);
    const ownerCtx = actingAs(t.rt, owner, org, ['control_owner']);
    const notes = await listNotifications(ownerCtx, { limit: 50, offset: 0 });
    expect(notes.items.map((n) => n.kind)).toContain('controls.evidence_expiring');
    await setClock('2027-04-16T06:00:00Z');
    expect((await scanControlJobs(deps)).evidenceReminders).toBe(1);
    expect((await listNotifications(ownerCtx, { limit: 50, offset: 0 })).items.map((n) => n.kind)).toContain('controls.evidence_expired');
    expect((await c.get('/api/soa/controls/A.8.7')).json()).toMatchObject({ evidence: { valid: 0, expired: 1 }, gaps: ['no_evidence', 'expired_evidence'] });
    expect((await c.get('/api/evidence?state=expired')).json().total).toBe(1);
    const renewed = await c.patch(`/api/evidence/${evidenceId}`, { validUntil: '2028-04-15' });
    expect(renewed.json()).toMatchObject({ state: 'valid' });
  });

  it('stores evidence files content-addressed and serves them only as attachments, to their own org', async () => {
    const body = multipartBody({ name: 'siem-retention.pdf', content: Buffer.from('%PDF-1.4\n% retention settings\n%%EOF\n') }, { title: 'SIEM retention settings', controlIds: siemId, validUntil: '2028-01-31' });
    const up = await t.app.inject({ method: 'POST', url: '/api/evidence/upload', remoteAddress: c.ip, headers: { cookie: `mfz_session=${c.cookie}`, 'x-csrf-token': c.csrf!, ...body.headers }, payload: body.payload });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ kind: 'file', file: { name: 'siem-retention.pdf', mediaType: 'application/pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, controls: [{ ref: 'C-003' }] });
    fileEvidenceId = up.json().id;
    const noTitle = multipartBody({ name: 'x.txt', content: 'x' }, { controlIds: siemId });
    const bad = await t.app.inject({ method: 'POST', url: '/api/evidence/upload', remoteAddress: c.ip, headers: { cookie: `mfz_session=${c.cookie}`, 'x-csrf-token': c.csrf!, ...noTitle.headers }, payload: noTitle.payload });
    expect(expectProblem(bad, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.title');
    const dl = await c.get(`/api/evidence/${fileEvidenceId}/file`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.toString()).toContain('retention settings');
    expect(dl.headers['content-disposition']).toContain('attachment');
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect((await c.get('/api/soa/controls/A.8.15')).json().evidence).toMatchObject({ total: 1, valid: 1 });
  });

  it('schedules recurring checks, reminds the owner and moves the next check when one is recorded', async () => {
    const k = await c.post('/api/controls', { name: 'Quarterly access review', ownerId: owner.id, status: 'implemented', frequency: 'quarterly', nextCheckOn: '2027-04-20', requirements: [{ framework: ISO, ref: 'A.5.18' }] });
    expect(k.statusCode, k.body).toBe(201);
    const id = k.json().id;
    const deps = { db: t.rt.db, clock: t.clock };
    // Today is 2027-04-16: the check due in 4 days is within the 7-day lead, so the scan creates it (once).
    expect((await scanControlJobs(deps)).checksCreated).toBe(1);
    expect((await scanControlJobs(deps)).checksCreated).toBe(0);
    const open = (await c.get(`/api/controls/checks?controlId=${id}&state=open`)).json();
    expect(open.items).toEqual([expect.objectContaining({ dueOn: '2027-04-20', overdue: false, result: null })]);
    await setClock(new Date(t.clock.now().getTime() + 5 * DAY).toISOString());
    const s = await scanControlJobs(deps);
    expect(s.checkReminders).toBeGreaterThanOrEqual(1);
    expect((await c.get('/api/controls/checks?state=overdue')).json().total).toBe(1);
    const rec = await asOwner.post(`/api/controls/${id}/checks`, { result: 'pass', note: 'All 212 accounts reviewed', evidenceId });
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json()).toMatchObject({ dueOn: '2027-04-20', result: 'pass', performedBy: { id: owner.id }, evidenceId });
    const after = (await c.get(`/api/controls/${id}`)).json();
    expect(after).toMatchObject({ nextCheckOn: '2027-07-20', checkOverdue: false, evidence: { total: 1 } });
    expect(after.checks[0]).toMatchObject({ result: 'pass' });
  });

  it('approves versions only when every control is decided, and compares them', async () => {
    const refused = await c.post('/api/soa/versions', {});
    const p = expectProblem(refused, 409, 'SOA_INCOMPLETE');
    expect(p.errors!.length).toBe(93 - 2);
    const all = (await c.get('/api/soa?applicable=undecided&limit=500')).json().items.map((r: { ref: string }) => r.ref);
    const bulk = await c.post('/api/soa/bulk', { refs: all, applicable: true, justification: 'Required by the banking regulator baseline (circular 2025/4).' });
    expect(bulk.json()).toEqual({ updated: 91 });
    expect(expectProblem(await c.post('/api/soa/bulk', { refs: ['A.5.1', 'A.5.99'], applicable: true, justification: 'x' }), 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.refs.1');
    const v1 = await c.post('/api/soa/versions', { note: 'First SoA' });
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v1.json()).toMatchObject({ version: 1, approvedBy: { id: ciso.id }, counts: { total: 93, applicable: 92 } });
    expect((await c.get('/api/soa?limit=1')).json().summary).toMatchObject({ decided: 93, latestVersion: { version: 1 }, changedSinceApproval: false });

    await c.patch(`/api/controls/${malwareId}`, { status: 'partial' });
    await c.request('PUT', '/api/soa/controls/A.5.7', { applicable: false, justification: 'Threat intelligence is received from the sector CERT under the group contract.' });
    expect((await c.get('/api/soa?limit=1')).json().summary.changedSinceApproval).toBe(true);
    const draft = (await c.get('/api/soa/compare?from=1&to=current')).json();
    expect(draft.changed.map((x: { ref: string }) => x.ref).sort()).toEqual(['A.5.7', 'A.8.7']);
    const v2 = await c.post('/api/soa/versions', {});
    expect(v2.json().version).toBe(2);
    const cmp = (await c.get('/api/soa/compare?from=1&to=2')).json();
    expect(cmp.unchanged).toBe(91);
    expect(cmp.changed.find((x: { ref: string }) => x.ref === 'A.8.7').changes).toEqual([{ field: 'status', from: 'implemented', to: 'partial' }]);
    expect(cmp.changed.find((x: { ref: string }) => x.ref === 'A.5.7').changes.map((x: { field: string }) => x.field)).toEqual(['applicable', 'justification']);
    const versions = (await c.get('/api/soa/versions')).json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const old = (await c.get('/api/soa/versions/1')).json();
    expect(old.rows.find((r: { ref: string }) => r.ref === 'A.8.7')).toMatchObject({ status: 'implemented', controls: ['C-001', 'C-002'], evidence: ['E-0001 EDR console coverage report'] });
    expectProblem(await c.get('/api/soa/versions/9'), 404, 'SOA_VERSION_NOT_FOUND');
  });

  it('exports the SoA as XLSX and PDF in the auditor layout', async () => {
    const x = await c.get('/api/soa/export?format=xlsx&version=2');
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-disposition']).toContain('soa-v2.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Statement of Applicability')!;
    const text = (r: number) => (ws.getRow(r).values as unknown[]).slice(1).map((v) => String(v ?? ''));
    expect(text(1)[0]).toBe('Statement of Applicability - Bank of Tests');
    expect(text(3)[0]).toMatch(/^Version 2, approved by User \d+ on 2027-04-21$/);
    expect(text(6)).toEqual(['Control', 'Title', 'Theme', 'Applicable', 'Justification', 'Implementation status', 'Owner', 'Applied controls', 'Evidence', 'Risks']);
    const rows = new Map<string, string[]>();
    for (let i = 7; i <= ws.rowCount; i++) rows.set(text(i)[0]!, text(i));
    expect(rows.size).toBe(93);
    expect(rows.get('A.8.7')).toEqual(['A.8.7', expect.any(String), 'Technological controls', 'Yes', 'Malware is the top threat in our risk assessment (R-001).', 'Partially implemented', expect.stringMatching(/^User /), 'C-001, C-002', 'E-0001 EDR console coverage report', 'R-001']);
    expect(rows.get('A.5.7')!.slice(3, 6)).toEqual(['No', 'Threat intelligence is received from the sector CERT under the group contract.', 'Not applicable']);

    const p = await c.get('/api/soa/export?format=pdf');
    expect(p.headers['content-type']).toBe('application/pdf');
    const lines = pdfText(p.rawPayload);
    const all = lines.join('\n');
    expect(lines[0]).toBe('Statement of Applicability - Bank of Tests');
    expect(all).toContain('Current working version (not approved)');
    expect(all).toContain('93 controls: 91 applicable, 2 excluded');
    for (const s of ['A.5.1', 'A.8.34', 'A.8.7', 'E-0001 EDR console coverage report', 'Partially implemented', 'Not applicable']) expect(all).toContain(s);
  });

  it('exports the implementation as an OSCAL SSP that validates against the NIST schema', async () => {
    const r = await c.get('/api/soa/export?format=oscal');
    expect(r.statusCode).toBe(200);
    const ssp = r.json();
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(sharedData('oscal', 'schemas', 'v1.1.2', 'oscal_ssp_schema.json'), 'utf8')));
    const ok = validate(ssp);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    const reqs = ssp['system-security-plan']['control-implementation']['implemented-requirements'];
    expect(reqs).toHaveLength(93);
    const a87 = reqs.find((q: { 'control-id': string }) => q['control-id'] === 'A.8.7');
    expect(a87['by-components']).toHaveLength(3);
    expect(a87['by-components'][0]['implementation-status']).toEqual({ state: 'partial' });
    expect(reqs.find((q: { 'control-id': string }) => q['control-id'] === 'A.5.7')['by-components'][0]['implementation-status']).toEqual({ state: 'not-applicable' });
    expect(a87.links[0]).toMatchObject({ rel: 'evidence' });
    // Stable identifiers: the same control has the same UUID in the next export.
    const again = (await c.get('/api/soa/export?format=oscal')).json();
    expect(again['system-security-plan']['control-implementation']['implemented-requirements'][0].uuid).toBe(reqs[0].uuid);
  });

  it("answers another tenant's controls, evidence and versions with 404", async () => {
    expect((await outsider.login(stranger.email, stranger.password)).statusCode).toBe(200);
    expectProblem(await outsider.get(`/api/controls/${malwareId}`), 404, 'CONTROL_NOT_FOUND');
    expectProblem(await outsider.patch(`/api/controls/${malwareId}`, { name: 'mine' }), 404, 'CONTROL_NOT_FOUND');
    expectProblem(await outsider.get(`/api/evidence/${evidenceId}`), 404, 'EVIDENCE_NOT_FOUND');
    expectProblem(await outsider.get(`/api/evidence/${fileEvidenceId}/file`), 404, 'EVIDENCE_NOT_FOUND');
    expectProblem(await outsider.post(`/api/evidence/${evidenceId}/review`, { outcome: 'rejected' }), 404, 'EVIDENCE_NOT_FOUND');
    expectProblem(await outsider.get('/api/soa/versions/1'), 404, 'SOA_VERSION_NOT_FOUND');
    const theirs = (await outsider.get('/api/soa?limit=1')).json();
    expect(theirs.summary).toMatchObject({ total: 93, decided: 0, latestVersion: null });
    expect((await outsider.get('/api/evidence')).json().total).toBe(0);
    const link = await outsider.post('/api/evidence', { kind: 'link', title: 'x', url: 'https://x.test', controlIds: [malwareId] });
    expect(expectProblem(link, 400, 'VALIDATION_FAILED').errors?.[0]?.path).toBe('body.controlIds.0');
  });
});
