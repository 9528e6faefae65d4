import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { DAY, HOUR } from '../../src/core/clock.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, type CertWorld } from '../helpers/cert-world.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`incident statistics, export and coordination cases (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let a: string;
  let b: string;
  beforeAll(async () => {
    t = await testApp({ sessionIdleMs: 400 * DAY, sessionMaxMs: 400 * DAY });
    w = await certWorld(t, 2);
    const t0 = t.clock.now();
    const bank1 = w.banks[0]!.reporter.client;
    const bank2 = w.banks[1]!.reporter.client;
    a = (await bank1.post('/api/incidents', { draft: fullReport(t0, 2) })).json().id;
    b = (await bank2.post('/api/incidents', { draft: fullReport(t0, 1, { title: 'Same campaign at bank 2', rsitClass: 'fraud', rsitType: 'phishing', severity: 'high' }) })).json().id;
    expect((await bank1.post(`/api/incidents/${a}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    expect((await bank2.post(`/api/incidents/${b}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const cert = w.analyst.client;
    t.clock.advance(HOUR);
    await cert.post(`/api/incidents/${a}/transition`, { to: 'triage' });
    t.clock.advance(HOUR);
    await cert.post(`/api/incidents/${a}/transition`, { to: 'analysis' });
    t.clock.advance(HOUR);
    await cert.post(`/api/incidents/${a}/transition`, { to: 'containment' });
    t.clock.advance(47 * HOUR);
    expect((await bank1.post(`/api/incidents/${a}/stages`, { stage: 'intermediate' })).statusCode).toBe(200);
    t.clock.advance(30 * HOUR);
  });
  afterAll(async () => t.close());

  it('answers chart-ready series, medians and deadline adherence', async () => {
    const res = await w.duty.client.get('/api/incidents/stats');
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.total).toBe(2);
    expect(s.byClass).toEqual(expect.arrayContaining([{ key: 'malicious-code', label: 'malicious-code', value: 1 }, { key: 'fraud', label: 'fraud', value: 1 }]));
    expect(s.bySeverity.find((p: { key: string }) => p.key === 'critical').value).toBe(1);
    expect(s.byEntity.map((p: { value: number }) => p.value)).toEqual([1, 1]);
    expect(s.byMonth.reduce((n: number, p: { value: number }) => n + p.value, 0)).toBe(2);
    expect(s.medianHours).toEqual({ detectToReport: 1.5, reportToTriage: 1, reportToContain: 3 });
    const stage = Object.fromEntries(s.adherenceByStage.map((x: { key: string }) => [x.key, x]));
    expect(stage.initial).toMatchObject({ met: 2, late: 0, overdue: 0, rate: 1 });
    expect(stage.intermediate).toMatchObject({ met: 1, overdue: 1, rate: 0.5 });
    const bank2 = s.adherenceByEntity.find((x: { key: string }) => x.key === w.banks[1]!.org.id);
    expect(bank2).toMatchObject({ met: 1, overdue: 1 });
    // An entity sees statistics over its own incidents only.
    const own = (await w.banks[0]!.reporter.client.get('/api/incidents/stats')).json();
    expect(own.total).toBe(1);
    expect(own.byEntity).toHaveLength(1);
  });

  it('exports statistics and the incident list to XLSX', async () => {
    const res = await w.duty.client.get('/api/incidents/stats.xlsx');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Summary', 'By class', 'By severity', 'By entity', 'By month', 'Adherence by entity', 'Adherence by stage']);
    expect(wb.getWorksheet('Summary')!.getRow(2).values).toEqual([undefined, 'incidents', 2]);
    const list = await w.duty.client.get('/api/incidents/export.xlsx?deadline=missed');
    const wl = new ExcelJS.Workbook();
    await wl.xlsx.load(list.rawPayload as unknown as ArrayBuffer);
    const ws = wl.getWorksheet('Incidents')!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(3).value).toBe('Same campaign at bank 2');
  });

  it('links incidents of two entities into a case without exposing report content', async () => {
    const cert = w.duty.client;
    const created = await cert.post('/api/cases', { title: 'Macro dropper campaign', incidentIds: [a, b] });
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json();
    expect(c.affectedEntities).toHaveLength(2);
    expect(c.sharedObservables.map((o: { type: string; entities: number }) => [o.type, o.entities])).toEqual(expect.arrayContaining([['ipv4', 2], ['domain', 2], ['sha256', 2]]));
    expect(c.timeline.length).toBeGreaterThanOrEqual(5);
    expect(created.body).not.toContain('Ransomware encrypted');
    expect((await cert.get('/api/cases?q=macro')).json().items[0]).toMatchObject({ id: c.id, incidents: 2 });
    const closed = await cert.patch(`/api/cases/${c.id}`, { status: 'closed', removeIncidentIds: [b] });
    expect(closed.json()).toMatchObject({ status: 'closed', affectedEntities: [{ orgId: w.banks[0]!.org.id }] });
    expect((await w.banks[0]!.reporter.client.get(`/api/cases/${c.id}`)).statusCode).toBe(403);
  });
  it('reports advisory acknowledgement and remediation rates, over the CERT\'s own advisories only', async () => {
    const before = (await w.duty.client.get('/api/incidents/stats')).json().advisories;
    expect(before).toEqual({ recipients: 0, acknowledged: 0, acknowledgementRate: null, affected: 0, remediated: 0, remediationRate: null });
    const id = (await w.analyst.client.post('/api/advisories', { title: 'Patch the VPN', tlp: 'green', severity: 'high', description: 'd', recommendedActions: 'r', audience: { kind: 'all' } })).json().id as string;
    expect((await w.analyst.client.post(`/api/advisories/${id}/publish`)).statusCode).toBe(200);
    expect((await w.banks[0]!.reporter.client.post(`/api/advisories/${id}/response`, { acknowledge: true, applicability: 'affected', remediationStatus: 'remediated', remediationDate: '2026-01-10' })).statusCode).toBe(200);
    const s = (await w.duty.client.get('/api/incidents/stats')).json().advisories;
    expect(s).toEqual({ recipients: 2, acknowledged: 1, acknowledgementRate: 0.5, affected: 1, remediated: 1, remediationRate: 1 });
    // An entity's own view counts only what was delivered to it.
    expect((await w.banks[1]!.reporter.client.get('/api/incidents/stats')).json().advisories).toMatchObject({ recipients: 1, acknowledged: 0 });
  });
});
