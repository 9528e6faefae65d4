import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, member, type CertWorld, type Member } from '../helpers/cert-world.js';
import { actingAs, buildOrg, type BuiltOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
const ind = (n: number, ip: string) => ({
  type: 'indicator', spec_version: '2.1', id: `indicator--80000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
  modified: '2025-05-01T00:00:00.000Z', name: `telecom C2 ${n}`, pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
});

/** An incident's reported observables join the threat exchange's correlation; the correlation view shows each side only what it may see. */
describe(`incident observables in intel correlation (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let telecomOrg: BuiltOrg;
  let telecom: Member;
  let third: Member;
  let incidentId: string;

  beforeAll(async () => {
    t = await testApp({ sessionIdleMs: 400 * DAY, sessionMaxMs: 400 * DAY });
    w = await certWorld(t, 1);
    telecomOrg = await buildOrg(t.rt, 'service_provider', 'Telecom');
    telecom = await member(t, telecomOrg, ['org_admin']);
    third = await member(t, await buildOrg(t.rt, 'regulated_entity', 'Third'), ['org_admin']);
  });
  afterAll(async () => t.close());

  it('a submitted stage correlates its IP with a telecom indicator published later, alerts the bank and shows the match on the incident', async () => {
    const bank = w.banks[0]!.reporter.client;
    const created = await bank.post('/api/incidents', { draft: { title: 'C2 beacon' } });
    incidentId = created.json().id as string;
    await bank.patch(`/api/incidents/${incidentId}/draft`, fullReport(t.clock.now(), 2, { observables: [{ type: 'ipv4', value: '51.15.50.60', tlp: 'amber' }, { type: 'filename', value: 'dropper.exe', tlp: 'amber' }] }));
    expect((await bank.post(`/api/incidents/${incidentId}/stages`, { stage: 'initial' })).statusCode).toBe(200);

    const tctx = actingAs(t.rt, telecom.user, telecomOrg, ['org_admin']);
    await importObjects(tctx, [ind(1, '51.15.50.60')], { source: 'telecom', sharing: { tlp: 'green', ...NONE } });
    // The telecom's own AMBER+STRICT copy: nobody else sees it.
    await importObjects(tctx, [ind(2, '51.15.50.60')], { source: 'telecom', sharing: { tlp: 'amber+strict', ...NONE, recipientOrgs: [telecomOrg.id] } });

    const notes = (await bank.get('/api/notifications')).json().items as Array<{ title: string; link: string }>;
    expect(notes).toEqual(expect.arrayContaining([expect.objectContaining({ title: 'Threat intelligence match: 51.15.50.60', link: `/incidents/${incidentId}` })]));
    const matches = (await bank.get(`/api/intel/matches?ref=${incidentId}`)).json();
    expect(matches.items.map((m: { sides: Array<{ sourceRef: string }> }) => m.sides.map((s) => s.sourceRef).sort())).toEqual([[ind(1, '').id, incidentId].sort()]);
    // The telecom may not see the bank's incident: the match is not shown to it.
    expect((await telecom.client.get(`/api/intel/matches?ref=${incidentId}`)).json().total).toBe(0);
  });

  it('the correlation view looks values up as the reader: the bank, the CERT and a third org each see what they may', async () => {
    const body = { observables: [{ kind: 'ipv4', value: '51.15.50.60' }], excludeRef: incidentId };
    const forBank = (await w.banks[0]!.reporter.client.post('/api/intel/lookup', body)).json();
    expect(forBank[0].hits.map((h: { sourceRef: string }) => h.sourceRef)).toEqual([ind(1, '').id]);
    expect(forBank[0].hits[0]).toMatchObject({ sourceKind: 'stix', tlp: 'green', object: { type: 'indicator', name: 'telecom C2 1' } });
    const forCert = (await w.analyst.client.post('/api/intel/lookup', body)).json();
    expect(forCert[0].hits.map((h: { sourceRef: string }) => h.sourceRef)).toEqual([ind(1, '').id]);
    const forTelecom = (await telecom.client.post('/api/intel/lookup', { observables: [{ kind: 'ip', value: '51.15.50.0/24' }] })).json();
    expect(forTelecom[0].hits.map((h: { sourceRef: string }) => h.sourceRef).sort()).toEqual([ind(1, '').id, ind(2, '').id].sort());
    const forThird = (await third.client.post('/api/intel/lookup', { observables: [{ kind: 'ip', value: '51.15.50.60' }] })).json();
    expect(forThird[0].hits.map((h: { sourceRef: string }) => h.sourceRef)).toEqual([ind(1, '').id]);
    const bad = await third.client.post('/api/intel/lookup', { observables: [{ kind: 'ipv4', value: 'nope' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('observables[0].value');
  });

  it('a corrected stage drops the values no longer reported', async () => {
    const bank = w.banks[0]!.reporter.client;
    await bank.patch(`/api/incidents/${incidentId}/draft`, { observables: [{ type: 'domain', value: 'other.test', tlp: 'amber' }] });
    expect((await bank.post(`/api/incidents/${incidentId}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const forBank = (await bank.post('/api/intel/lookup', { observables: [{ kind: 'ipv4', value: '51.15.50.60' }] })).json();
    expect(forBank[0].hits.map((h: { sourceKind: string }) => h.sourceKind)).toEqual(['stix']);
    const own = (await bank.post('/api/intel/lookup', { observables: [{ kind: 'domain', value: 'OTHER.test' }] })).json();
    expect(own[0].hits).toEqual([expect.objectContaining({ sourceKind: 'incident', sourceRef: incidentId })]);
  });
});
