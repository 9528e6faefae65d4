import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { correlateObservables } from '../../src/domains/intel/correlation.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, member, type CertWorld, type Member } from '../helpers/cert-world.js';
import { actingAs, buildOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
function ind(n: number, value: string) {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--70000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified: '2025-05-01T00:00:00.000Z', name: `telecom ${n}`, pattern: `[domain-name:value = '${value}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}

/** Advisories carry indicators as STIX objects, under the advisory's TLP, each reader seeing what the sharing rules allow. */
describe(`advisories with STIX indicators (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let telecom: Member;
  const green = ind(1, 'green-c2.test');
  const strictToBank = ind(2, 'strict-c2.test');
  const amberToCert = ind(3, 'amber-c2.test');

  beforeAll(async () => {
    t = await testApp({ sessionIdleMs: 400 * DAY, sessionMaxMs: 400 * DAY });
    w = await certWorld(t, 2);
    const telecomOrg = await buildOrg(t.rt, 'service_provider', 'Telecom');
    telecom = await member(t, telecomOrg, ['org_admin']);
    const tctx = actingAs(t.rt, telecom.user, telecomOrg, ['org_admin']);
    await importObjects(tctx, [green], { source: 'telecom', sharing: { tlp: 'green', ...NONE } });
    await importObjects(tctx, [strictToBank], { source: 'telecom', sharing: { tlp: 'amber+strict', ...NONE, recipientOrgs: [w.banks[0]!.org.id] } });
    await importObjects(tctx, [amberToCert], { source: 'telecom', sharing: { tlp: 'amber', ...NONE, recipientOrgs: [w.cert.id] } });
  });
  afterAll(async () => t.close());

  it('refuses indicators the CERT cannot see, naming the field', async () => {
    const body = { title: 'C2 infrastructure', tlp: 'amber', severity: 'high', description: 'd', recommendedActions: 'block', audience: { kind: 'all' } };
    for (const id of [strictToBank.id, 'indicator--00000000-0000-4000-8000-000000000000']) {
      const res = await w.analyst.client.post('/api/advisories', { ...body, stixIndicatorIds: [green.id, id] });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'ADVISORY_STIX_INVALID', errors: [{ path: 'stixIndicatorIds[1]' }] });
    }
    expect((await w.analyst.client.post('/api/advisories', { ...body, stixIndicatorIds: ['indicator--nope'] })).statusCode).toBe(400);
    expect((await w.analyst.client.get('/api/advisories')).json().total).toBe(0);
  });

  it('publishes observables as STIX indicators under the advisory TLP, correlated, shown to recipients per the sharing rules', async () => {
    const bank1 = w.banks[0]!;
    const bank2 = w.banks[1]!;
    // Bank 1 already has the IP in an incident: publishing the advisory's indicator alerts it.
    await correlateObservables(actingAs(t.rt, bank1.reporter.user, bank1.org, ['isms_manager']), { kind: 'incident', ref: 'INC-ADV-1' }, [{ kind: 'ipv4', value: '51.15.40.20' }]);

    const created = await w.analyst.client.post('/api/advisories', {
      title: 'C2 infrastructure of the phishing wave',
      tlp: 'amber',
      severity: 'high',
      description: 'Block these.',
      recommendedActions: 'Block at the edge.',
      indicators: [{ type: 'ipv4', value: '51.15.40.20', tlp: 'amber' }, { type: 'domain', value: 'Evil-Adv.test', tlp: 'amber' }],
      stixIndicatorIds: [green.id, amberToCert.id],
      stixFromObservables: true,
      audience: { kind: 'orgs', orgIds: [bank1.org.id] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().stixIndicators.map((i: { id: string }) => i.id).sort()).toEqual([green.id, amberToCert.id].sort());
    const id = created.json().id as string;

    const pub = await w.analyst.client.post(`/api/advisories/${id}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    const mine = pub.json().stixIndicators as Array<{ id: string; pattern: string; tlp: string }>;
    expect(mine).toHaveLength(4);
    const made = mine.filter((i) => i.id !== green.id && i.id !== amberToCert.id);
    expect(made.map((i) => [i.pattern, i.tlp]).sort()).toEqual([["[domain-name:value = 'evil-adv.test']", 'amber'], ["[ipv4-addr:value = '51.15.40.20']", 'amber']]);

    // The recipient sees the advisory's own indicators and the GREEN one, not the telecom's AMBER object shared with the CERT only.
    const seen = (await bank1.reporter.client.get(`/api/advisories/${id}`)).json().stixIndicators as Array<{ id: string }>;
    expect(seen.map((i) => i.id).sort()).toEqual([green.id, ...made.map((i) => i.id)].sort());
    for (const m of made) {
      expect((await bank1.reporter.client.get(`/api/intel/objects/${m.id}`)).statusCode).toBe(200);
      // Bank 2 is served by the CERT but not in this advisory's audience: AMBER keeps it out.
      expect((await bank2.reporter.client.get(`/api/intel/objects/${m.id}`)).statusCode).toBe(404);
      expect((await telecom.client.get(`/api/intel/objects/${m.id}`)).statusCode).toBe(404);
    }
    expect((await bank2.reporter.client.get(`/api/advisories/${id}`)).statusCode).toBe(404);

    // Correlated in the publishing transaction: bank 1 was alerted about its incident's IP.
    const notes = (await bank1.reporter.client.get('/api/notifications')).json().items as Array<{ title: string }>;
    expect(notes.map((n) => n.title)).toContain('Threat intelligence match: 51.15.40.20');
  });

  it('a GREEN advisory gives its indicators to the community; a RED one keeps them with the CERT', async () => {
    const bank2 = w.banks[1]!;
    const make = async (tlp: string, value: string) => {
      const r = await w.analyst.client.post('/api/advisories', { title: `TLP ${tlp}`, tlp, severity: 'low', description: 'd', recommendedActions: 'a', indicators: [{ type: 'domain', value, tlp }], stixFromObservables: true, audience: { kind: 'orgs', orgIds: [w.banks[0]!.org.id] } });
      expect(r.statusCode, r.body).toBe(201);
      const p = await w.analyst.client.post(`/api/advisories/${r.json().id as string}/publish`);
      expect(p.statusCode, p.body).toBe(200);
      return (p.json().stixIndicators as Array<{ id: string; tlp: string }>)[0]!;
    };
    const g = await make('green', 'green-adv.test');
    expect(g.tlp).toBe('green');
    expect((await bank2.reporter.client.get(`/api/intel/objects/${g.id}`)).statusCode).toBe(200);
    const r = await make('red', 'red-adv.test');
    expect(r.tlp).toBe('red');
    expect((await w.banks[0]!.reporter.client.get(`/api/intel/objects/${r.id}`)).statusCode).toBe(404);
  });
});
