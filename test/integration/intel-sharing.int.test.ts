import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/access/index.js';
import type { Ctx } from '../../src/core/context.js';
import { inTx } from '../../src/core/context.js';
import { correlateObservables } from '../../src/domains/intel/correlation.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { exportBundle, getObject, listObjects } from '../../src/domains/intel/read.js';
import { reshareAnonymised } from '../../src/domains/intel/reshare.js';
import { addRelation } from '../../src/domains/tenancy/orgs.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { listMatches } from '../../src/domains/intel/sightings.js';
import type { Tlp } from '../../src/domains/intel/stix-model.js';
import { createSharingGroup, getSharingGroup, listSharingGroups } from '../../src/domains/sharing/service.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

/**
 * The sharing matrix: one indicator at each TLP (AMBER twice: to a named org
 * and to a sharing group), each viewer kind, and every read path built so
 * far: API object read, API search, export, correlation results,
 * notifications, and the raw table under row-level security.
 */

interface Viewer {
  name: string;
  org: BuiltOrg;
  user: BuiltUser;
  roles: Role[];
}

const CASES: Array<{ key: string; tlp: Tlp; ip: string; to: 'bank' | 'group' | 'user1' | 'none' }> = [
  { key: 'clear', tlp: 'clear', ip: '45.77.1.1', to: 'none' },
  { key: 'green', tlp: 'green', ip: '45.77.1.2', to: 'none' },
  { key: 'amber-org', tlp: 'amber', ip: '45.77.1.3', to: 'bank' },
  { key: 'amber-group', tlp: 'amber', ip: '45.77.1.4', to: 'group' },
  { key: 'amber-strict', tlp: 'amber+strict', ip: '45.77.1.5', to: 'bank' },
  { key: 'red', tlp: 'red', ip: '45.77.1.6', to: 'user1' },
];

// Who may see which case (the creator always sees its own).
const EXPECTED: Record<string, string[]> = {
  creator: ['clear', 'green', 'amber-org', 'amber-group', 'amber-strict', 'red'],
  recipientUser1: ['clear', 'green', 'amber-org', 'amber-strict', 'red'],
  recipientColleague: ['clear', 'green', 'amber-org', 'amber-strict'],
  groupMember: ['clear', 'green', 'amber-group'],
  community: ['clear', 'green'],
};

function indicatorId(i: number): string {
  return `indicator--00000000-0000-4000-8000-00000000000${i}`;
}

describe(`sharing: TLP 2.0 and sharing groups on every read path (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let viewers: Record<string, Viewer>;
  let ctxOf: (v: Viewer) => Ctx;
  let groupId: string;

  beforeAll(async () => {
    t = await testApp();
    const cert = await buildOrg(t.rt, 'cert', 'Sector CERT');
    const bank = await buildOrg(t.rt, 'regulated_entity', 'Bank');
    const insurer = await buildOrg(t.rt, 'regulated_entity', 'Insurer');
    const telecom = await buildOrg(t.rt, 'service_provider', 'Telecom');
    const roles: Role[] = ['cert_analyst'];
    const bankRoles: Role[] = ['org_admin'];
    viewers = {
      creator: { name: 'creator', org: cert, user: await buildUser(t.rt, cert.id, roles), roles },
      recipientUser1: { name: 'recipientUser1', org: bank, user: await buildUser(t.rt, bank.id, bankRoles), roles: bankRoles },
      recipientColleague: { name: 'recipientColleague', org: bank, user: await buildUser(t.rt, bank.id, bankRoles), roles: bankRoles },
      groupMember: { name: 'groupMember', org: insurer, user: await buildUser(t.rt, insurer.id, bankRoles), roles: bankRoles },
      community: { name: 'community', org: telecom, user: await buildUser(t.rt, telecom.id, bankRoles), roles: bankRoles },
    };
    ctxOf = (v) => actingAs(t.rt, v.user, v.org, v.roles);
    const creator = ctxOf(viewers.creator!);
    const group = await createSharingGroup(creator, { name: 'Insurance ISAC', description: '', hideMembers: true, memberOrgIds: [insurer.id] });
    groupId = group.id;
    for (const [i, c] of CASES.entries()) {
      const obj = {
        type: 'indicator', spec_version: '2.1', id: indicatorId(i + 1), created: '2025-01-01T00:00:00.000Z', modified: '2025-01-01T00:00:00.000Z',
        name: `case ${c.key}`, pattern: `[ipv4-addr:value = '${c.ip}']`, pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z',
      };
      await importObjects(creator, [obj], {
        source: 'matrix',
        sharing: {
          tlp: c.tlp,
          recipientOrgs: c.to === 'bank' ? [bank.id] : [],
          recipientUsers: c.to === 'user1' ? [viewers.recipientUser1!.user.id] : [],
          sharingGroups: c.to === 'group' ? [groupId] : [],
        },
      });
    }
  });
  afterAll(async () => t.close());

  const query = { q: 'case', type: undefined, tlp: undefined, includeRevoked: 'false' as const, limit: 100, offset: 0 };
  const names = (items: Array<{ name: string | null }>) => items.map((i) => i.name!.replace('case ', '')).sort();

  it.each(Object.keys(EXPECTED))('%s: search, export and the raw table show exactly the allowed objects', async (who) => {
    const v = viewers[who]!;
    const ctx = ctxOf(v);
    expect(names((await listObjects(ctx, query)).items)).toEqual([...EXPECTED[who]!].sort());
    const exported = JSON.parse((await exportBundle(ctx, { ...query, q: 'case' }, 'bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8')).text) as { objects: Array<{ name: string }> };
    expect(names(exported.objects)).toEqual([...EXPECTED[who]!].sort());
    // No filter at all: row-level security alone must do it.
    const raw = await inTx(ctx, (tx) => tx.selectFrom('stix_objects').select('name').where('source', '=', 'matrix').execute());
    expect(names(raw)).toEqual([...EXPECTED[who]!].sort());
  });

  it.each(Object.keys(EXPECTED))('%s: the HTTP API reads an allowed object and answers 404 for the rest', async (who) => {
    const v = viewers[who]!;
    const c = new Client(t.app);
    expect((await c.login(v.user.email, v.user.password)).statusCode).toBe(200);
    for (const [i, k] of CASES.entries()) {
      const res = await c.get(`/api/intel/objects/${indicatorId(i + 1)}`);
      expect([k.key, res.statusCode]).toEqual([k.key, EXPECTED[who]!.includes(k.key) ? 200 : 404]);
      if (res.statusCode === 404) expect(res.json().code).toBe('STIX_OBJECT_NOT_FOUND');
    }
    const list = await c.get('/api/intel/objects?q=case&limit=100');
    expect(names(list.json().items)).toEqual([...EXPECTED[who]!].sort());
  });

  it('correlation results and notifications never reveal what the viewer may not see', async () => {
    for (const who of Object.keys(EXPECTED)) {
      if (who === 'creator') continue;
      const v = viewers[who]!;
      const ctx = ctxOf(v);
      const matches = await correlateObservables(ctx, { kind: 'incident', ref: `incident-${who}` }, CASES.map((c) => ({ kind: 'ipv4', value: c.ip })));
      // Only matches against the indicators (the bank's two incidents also match each other: its own data).
      const hit = (m: Array<{ value: string }>) => m.map((x) => CASES.find((c) => c.ip === x.value)!.key).sort();
      expect([who, hit(matches.filter((m) => m.other.sourceKind === 'stix'))]).toEqual([who, [...EXPECTED[who]!].sort()]);
      const listed = await listMatches(ctx, { ref: `incident-${who}`, includeWarnings: 'false', limit: 100, offset: 0 });
      expect([who, hit(listed.items.filter((m) => m.sides.some((s) => s.sourceKind === 'stix')))]).toEqual([who, [...EXPECTED[who]!].sort()]);
    }
    // The bank's colleague cannot see matches that involve the RED indicator, even on the bank's own incident.
    const colleague = await listMatches(ctxOf(viewers.recipientColleague!), { includeWarnings: 'false', limit: 100, offset: 0 });
    expect(colleague.items.flatMap((m) => m.sides.map((x) => x.sourceRef))).not.toContain(indicatorId(6));
    const user1 = await listMatches(ctxOf(viewers.recipientUser1!), { includeWarnings: 'false', limit: 100, offset: 0 });
    expect(user1.items.flatMap((m) => m.sides.map((x) => x.sourceRef))).toContain(indicatorId(6));
    // The creator never sees the other orgs' private incident observables through matches.
    const creatorMatches = await listMatches(ctxOf(viewers.creator!), { includeWarnings: 'false', limit: 100, offset: 0 });
    expect(creatorMatches.total).toBe(0);
    // Notifications: the community member was told about CLEAR and GREEN only.
    const notes = await inTx(ctxOf(viewers.community!), (tx) => tx.selectFrom('notifications').select('title').where('kind', '=', 'intel.match').execute());
    expect(notes.map((n) => n.title).sort()).toEqual(['Threat intelligence match: 45.77.1.1', 'Threat intelligence match: 45.77.1.2']);
    const bankNotes = await inTx(ctxOf(viewers.recipientColleague!), (tx) => tx.selectFrom('notifications').select('title').where('kind', '=', 'intel.match').execute());
    expect(bankNotes.length).toBeGreaterThan(0);
    for (const n of [...notes, ...bankNotes]) expect(n.title).not.toMatch(/case|CERT/);
  });

  it('a sharing group can hide its membership from its members', async () => {
    const member = ctxOf(viewers.groupMember!);
    const seen = await getSharingGroup(member, groupId);
    expect(seen.members).toBeNull();
    const raw = await inTx(member, (tx) => tx.selectFrom('sharing_group_members').select('org_id').execute());
    expect(raw.map((r) => r.org_id)).toEqual([viewers.groupMember!.org.id]);
    const owner = await getSharingGroup(ctxOf(viewers.creator!), groupId);
    expect(owner.members?.map((m) => m.orgId)).toEqual([viewers.groupMember!.org.id]);
    // A non-member does not even learn that the group exists.
    await expect(getSharingGroup(ctxOf(viewers.community!), groupId)).rejects.toMatchObject({ code: 'SHARING_GROUP_NOT_FOUND' });
    expect((await listSharingGroups(ctxOf(viewers.community!), { limit: 50, offset: 0 })).total).toBe(0);
  });

  it('the CERT re-shares a constituent indicator anonymised only where allowed and only for orgs it serves', async () => {
    const bank = viewers.recipientUser1!;
    await asPlatform(t.rt, 'test', (tx, c) => addRelation(tx, c, viewers.creator!.org.id, 'serves', bank.org.id));
    const base = { type: 'indicator', spec_version: '2.1', created: '2025-02-01T00:00:00.000Z', modified: '2025-02-01T00:00:00.000Z', pattern_type: 'stix', valid_from: '2025-02-01T00:00:00Z', created_by_ref: 'identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', external_references: [{ source_name: 'bank-soc', external_id: 'BANK-INC-7' }] };
    const allowed = { ...base, id: 'indicator--40000000-0000-4000-8000-000000000001', name: 'bank ioc', pattern: "[ipv4-addr:value = '45.77.2.1']" };
    const kept = { ...base, id: 'indicator--40000000-0000-4000-8000-000000000002', name: 'bank private', pattern: "[ipv4-addr:value = '45.77.2.2']" };
    const amberToNobody = { tlp: 'amber' as const, recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
    await importObjects(ctxOf(bank), [allowed], { source: 'bank', sharing: amberToNobody, allowAnonymisedReshare: true });
    await importObjects(ctxOf(bank), [kept], { source: 'bank', sharing: amberToNobody });
    const cert = ctxOf(viewers.creator!);
    const r = await reshareAnonymised(cert, allowed.id);
    expect(r.inserted).toBe(1);
    await expect(reshareAnonymised(cert, kept.id)).rejects.toMatchObject({ code: 'STIX_OBJECT_NOT_FOUND' });
    // Another org (not a CERT serving the bank) cannot re-share it.
    await expect(reshareAnonymised(ctxOf(viewers.community!), allowed.id)).rejects.toMatchObject({ code: 'STIX_OBJECT_NOT_FOUND' });
    // The community sees the copy, stripped of its source, and never the original.
    const telecom = ctxOf(viewers.community!);
    const copy = await getObject(telecom, r.id);
    expect(copy.summary).toMatchObject({ tlp: 'green', ownerOrgId: viewers.creator!.org.id, source: 'cert-anonymised' });
    expect(copy.object).not.toHaveProperty('created_by_ref');
    expect(copy.object).not.toHaveProperty('external_references');
    expect(JSON.stringify(copy.object)).not.toContain('BANK');
    expect(copy.object.pattern).toBe(allowed.pattern);
    await expect(getObject(telecom, allowed.id)).rejects.toMatchObject({ code: 'STIX_OBJECT_NOT_FOUND' });
    // Idempotent.
    expect((await reshareAnonymised(cert, allowed.id)).inserted).toBe(0);
  });

  it('refuses sharing that does not fit the TLP level', async () => {
    const creator = ctxOf(viewers.creator!);
    const obj = { type: 'indicator', spec_version: '2.1', id: 'indicator--00000000-0000-4000-8000-0000000000aa', created: '2025-01-01T00:00:00.000Z', modified: '2025-01-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '45.77.9.9']", pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z' };
    await expect(importObjects(creator, [obj], { source: 'x', sharing: { tlp: 'amber+strict', recipientOrgs: [], recipientUsers: [], sharingGroups: [groupId] } })).rejects.toMatchObject({ code: 'SHARING_INVALID' });
    await expect(importObjects(creator, [obj], { source: 'x', sharing: { tlp: 'red', recipientOrgs: [viewers.community!.org.id], recipientUsers: [], sharingGroups: [] } })).rejects.toMatchObject({ code: 'SHARING_INVALID' });
    // A group the org neither runs nor belongs to cannot be named.
    await expect(importObjects(ctxOf(viewers.community!), [obj], { source: 'x', sharing: { tlp: 'amber', recipientOrgs: [], recipientUsers: [], sharingGroups: [groupId] } })).rejects.toMatchObject({ code: 'SHARING_GROUP_NOT_FOUND' });
  });
});
