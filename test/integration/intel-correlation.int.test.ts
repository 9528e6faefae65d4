import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/access/index.js';
import { inTx, type Ctx } from '../../src/core/context.js';
import { correlateObservables } from '../../src/domains/intel/correlation.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { addSighting, listMatches } from '../../src/domains/intel/sightings.js';
import { getObject } from '../../src/domains/intel/read.js';
import { updateWarningList } from '../../src/domains/intel/warning-lists.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const GREEN = { tlp: 'green' as const, recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
let seq = 0;
function indicator(pattern: string, extra: Record<string, unknown> = {}) {
  seq++;
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    created: '2025-03-01T00:00:00.000Z', modified: '2025-03-01T00:00:00.000Z', pattern, pattern_type: 'stix', valid_from: '2025-03-01T00:00:00Z', ...extra,
  };
}

describe(`correlation, warning lists, sightings, alerts (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let telecom: BuiltOrg;
  let bankUser: BuiltUser;
  let telecomUser: BuiltUser;
  let bankCtx: Ctx;
  let telecomCtx: Ctx;
  const roles: Role[] = ['org_admin'];

  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt, 'regulated_entity', 'Bank');
    telecom = await buildOrg(t.rt, 'service_provider', 'Telecom');
    bankUser = await buildUser(t.rt, bank.id, roles);
    telecomUser = await buildUser(t.rt, telecom.id, roles);
    bankCtx = actingAs(t.rt, bankUser, bank, roles);
    telecomCtx = actingAs(t.rt, telecomUser, telecom, roles);
  });
  afterAll(async () => t.close());

  const bankNotes = () => inTx(bankCtx, (tx) => tx.selectFrom('notifications').select(['title', 'body', 'link']).where('kind', '=', 'intel.match').orderBy('created_at').execute());

  it('a bank incident IP, then a telecom GREEN indicator for it: the bank is alerted in-app and by email', async () => {
    await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-1' }, [{ kind: 'ipv4', value: '91.198.174.10' }], { mailer: t.rt.mailer });
    expect(await bankNotes()).toEqual([]);
    const r = await importObjects(telecomCtx, [indicator("[ipv4-addr:value = '91.198.174.10']")], { source: 'telecom-soc', sharing: GREEN, mailer: t.rt.mailer });
    // The telecom cannot see the bank's private incident: no match reported to it.
    expect(r.matches).toBe(0);
    const notes = await bankNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: 'Threat intelligence match: 91.198.174.10' });
    expect(notes[0]!.body).toContain('INC-1');
    const mails = await inTx({ ...bankCtx, actor: { ...bankCtx.actor, kind: 'system' } }, (tx) => tx.selectFrom('mail_outbox').select(['to_address', 'subject']).where('org_id', '=', bank.id).execute());
    expect(mails).toContainEqual({ to_address: bankUser.email, subject: 'Threat intelligence match: 91.198.174.10' });
    const bankMatches = await listMatches(bankCtx, { ref: 'INC-1', includeWarnings: 'false', limit: 10, offset: 0 });
    expect(bankMatches.items).toHaveLength(1);
    expect(bankMatches.items[0]!.mine).toEqual({ sourceKind: 'incident', sourceRef: 'INC-1' });
    expect((await listMatches(telecomCtx, { includeWarnings: 'true', limit: 10, offset: 0 })).total).toBe(0);
  });

  it('normalises values: IPv6 forms, domains (case, IDN, trailing dot), URLs, hashes and emails match their other spellings', async () => {
    await importObjects(
      telecomCtx,
      [
        indicator("[ipv6-addr:value = '2001:0db8:0000:0000:0000:0000:0000:0bad'] OR [domain-name:value = 'Bücher-Evil.Example.'] OR [url:value = 'HTTP://Evil.Example:80/drop?x=1#top']"),
        indicator("[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F'] AND [email-addr:value = 'Phisher@Evil.Example']"),
      ],
      { source: 'telecom-soc', sharing: GREEN },
    );
    const m = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-2' }, [
      { kind: 'ipv6', value: '2001:db8::bad' },
      { kind: 'domain', value: 'xn--bcher-evil-9db.example' },
      { kind: 'url', value: 'http://evil.example/drop?x=1' },
      { kind: 'sha256', value: 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' },
      { kind: 'email', value: 'phisher@evil.example' },
    ]);
    expect(m.map((x) => x.kind).sort()).toEqual(['domain', 'email', 'ipv6', 'sha256', 'url']);
  });

  it('matches addresses inside a CIDR range, both ways', async () => {
    await importObjects(telecomCtx, [indicator("[ipv4-addr:value = '185.220.101.0/24']")], { source: 'telecom-soc', sharing: GREEN });
    const inRange = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-3' }, [{ kind: 'ip', value: '185.220.101.47' }]);
    expect(inRange.map((x) => [x.value, x.other.value])).toEqual([['185.220.101.47', '185.220.101.0/24']]);
    const outside = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-4' }, [{ kind: 'ip', value: '185.220.102.1' }]);
    expect(outside).toEqual([]);
    // A range in a watchlist contains an address indicator added later.
    await correlateObservables(bankCtx, { kind: 'watchlist', ref: 'partners' }, [{ kind: 'ipv4', value: '77.88.0.0/16' }]);
    const before = (await bankNotes()).length;
    await importObjects(telecomCtx, [indicator("[network-traffic:dst_ref.value = '77.88.55.66']")], { source: 'telecom-soc', sharing: GREEN });
    const notes = await bankNotes();
    expect(notes.length).toBe(before + 1);
    expect(notes.at(-1)!.title).toBe('Threat intelligence match: 77.88.0.0/16');
  });

  it('flags warning-listed values (resolvers, private ranges, common domains) instead of alerting; the lists are editable', async () => {
    const before = (await bankNotes()).length;
    await importObjects(telecomCtx, [indicator("[ipv4-addr:value = '8.8.8.8'] OR [ipv4-addr:value = '10.1.2.3'] OR [domain-name:value = 'login.microsoft.com']")], { source: 'telecom-soc', sharing: GREEN });
    const m = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-5' }, [
      { kind: 'ipv4', value: '8.8.8.8' },
      { kind: 'ipv4', value: '10.1.2.3' },
      { kind: 'domain', value: 'login.microsoft.com' },
    ]);
    expect(m.map((x) => x.warning).sort()).toEqual(['common-domains', 'public-resolvers', 'reserved-ipv4']);
    expect((await bankNotes()).length).toBe(before);
    expect((await listMatches(bankCtx, { ref: 'INC-5', includeWarnings: 'false', limit: 10, offset: 0 })).total).toBe(0);
    expect((await listMatches(bankCtx, { ref: 'INC-5', includeWarnings: 'true', limit: 10, offset: 0 })).total).toBe(3);

    // Platform administrators edit lists through the API; ordinary users may not.
    const adminUser = await buildUser(t.rt, bank.id, ['org_admin'], { platformAdmin: true });
    const admin = new Client(t.app);
    await admin.login(adminUser.email, adminUser.password);
    const patched = await admin.patch('/api/intel/warning-lists/common-domains', { entries: ['example.com', 'Bücher.example'] });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().entries).toEqual(['example.com', 'xn--bcher-kva.example']);
    const plain = new Client(t.app);
    await plain.login(bankUser.email, bankUser.password);
    expect((await plain.patch('/api/intel/warning-lists/common-domains', { enabled: false })).statusCode).toBe(403);
    await updateWarningList({ ...bankCtx, actor: { ...bankCtx.actor, kind: 'system' } }, 'common-domains', { enabled: false });
    const after = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-6' }, [{ kind: 'domain', value: 'login.microsoft.com' }]);
    expect(after[0]!.warning).toBeNull();
  });

  it('a revoked or re-patterned indicator stops matching its old values', async () => {
    const v1 = indicator("[ipv4-addr:value = '91.198.174.50'] OR [ipv4-addr:value = '91.198.174.51']");
    await importObjects(telecomCtx, [v1], { source: 'telecom-soc', sharing: GREEN });
    const v2 = { ...v1, modified: '2025-04-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '91.198.174.51']" };
    await importObjects(telecomCtx, [v2], { source: 'telecom-soc', sharing: GREEN });
    const m = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-R1' }, [{ kind: 'ipv4', value: '91.198.174.50' }, { kind: 'ipv4', value: '91.198.174.51' }]);
    expect(m.filter((x) => x.other.sourceRef === v1.id).map((x) => x.value)).toEqual(['91.198.174.51']);
    await importObjects(telecomCtx, [{ ...v2, modified: '2025-05-01T00:00:00.000Z', revoked: true }], { source: 'telecom-soc', sharing: GREEN });
    const after = await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-R2' }, [{ kind: 'ipv4', value: '91.198.174.51' }]);
    expect(after.filter((x) => x.other.sourceRef === v1.id)).toEqual([]);
  });

  it('counts sightings per indicator, each visible per its own TLP', async () => {
    const ind = indicator("[ipv4-addr:value = '91.198.174.99']");
    await importObjects(telecomCtx, [ind], { source: 'telecom-soc', sharing: GREEN });
    const bankSees = await addSighting(bankCtx, ind.id, { kind: 'seen', count: 3, note: 'proxy logs', tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] });
    expect(bankSees.counts).toEqual({ seen: 3, falsePositive: 0, orgs: 1 });
    // A false positive the bank keeps to itself (AMBER, no recipients): only the bank counts it.
    await addSighting(bankCtx, ind.id, { kind: 'false_positive', count: 1, note: '', tlp: 'amber', recipientOrgs: [], recipientUsers: [], sharingGroups: [] });
    expect((await getObject(bankCtx, ind.id)).sightings).toEqual({ seen: 3, falsePositive: 1, orgs: 1 });
    expect((await getObject(telecomCtx, ind.id)).sightings).toEqual({ seen: 3, falsePositive: 0, orgs: 1 });
    // Sighting an indicator one cannot see is "not found".
    const hidden = indicator("[ipv4-addr:value = '91.198.174.98']");
    await importObjects(telecomCtx, [hidden], { source: 'telecom-soc', sharing: { ...GREEN, tlp: 'amber' } });
    await expect(addSighting(bankCtx, hidden.id, { kind: 'seen', count: 1, note: '', tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] })).rejects.toMatchObject({ code: 'INTEL_INDICATOR_NOT_FOUND' });
  });

  it('full re-correlation runs as a job with progress and finds what was missed', async () => {
    const c = new Client(t.app);
    await c.login(telecomUser.email, telecomUser.password);
    const res = await c.post('/api/intel/recorrelate');
    expect(res.statusCode, res.body).toBe(202);
    await t.rt.jobs.runDue();
    const job = await c.get(`/api/jobs/${res.json().jobId}`);
    expect(job.json()).toMatchObject({ status: 'done', result: { observables: expect.any(Number) as number } });
    expect(job.json().progress).toMatchObject({ phase: expect.any(String) as string });
  });

  it('delivers alerts to the org webhook through a job', async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const c = new Client(t.app);
      await c.login(bankUser.email, bankUser.password);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const set = await c.request('PUT', '/api/intel/alert-settings', { email: false, webhookUrl: url });
      expect(set.statusCode, set.body).toBe(200);
      await correlateObservables(bankCtx, { kind: 'incident', ref: 'INC-W' }, [{ kind: 'domain', value: 'hook-test.evil.test' }]);
      await importObjects(telecomCtx, [indicator("[domain-name:value = 'hook-test.evil.test']")], { source: 'telecom-soc', sharing: GREEN });
      await t.rt.jobs.runDue();
      expect(received).toEqual([{ kind: 'intel.match', matches: [expect.objectContaining({ value: 'hook-test.evil.test', sourceKind: 'incident', sourceRef: 'INC-W' })] }]);
    } finally {
      server.close();
    }
  });

  it('the watchlist API correlates at once and validates values', async () => {
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const ok = await c.post('/api/intel/watchlist', { name: 'vip', observables: [{ kind: 'ipv4', value: '91.198.174.10' }] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().matches).toBeGreaterThan(0);
    const bad = await c.post('/api/intel/watchlist', { observables: [{ kind: 'ipv4', value: '999.1.1.1' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('OBSERVABLE_INVALID');
  });
});
