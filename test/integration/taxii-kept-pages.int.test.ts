import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneChangeLog } from '../../src/core/change-watch.js';
import { inTx, type Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { createSharingGroup, updateSharingGroupMembers } from '../../src/domains/sharing/service.js';
import { keptPages } from '../../src/domains/taxii/routes.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg } from '../helpers/factories.js';

/**
 * TAXII object pages kept between identical requests (kept-pages.ts,
 * migration 0327): a kept page is served only while no intel write has
 * committed since it was read, whatever made the write, and never to a
 * reader it was not read for.
 */
const MEDIA = 'application/taxii+json;version=2.1';
const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
const ALL = `/taxii2/api/collections/${COLLECTION_IDS.all}/objects/`;
const COMMUNITY = `/taxii2/api/collections/${COLLECTION_IDS.community}/objects/`;

let n = 0;
function ind(name: string) {
  n += 1;
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--30000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified: '2025-05-01T00:00:00.000Z', name, pattern: `[ipv4-addr:value = '46.102.0.${n}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}

describe(`TAXII kept pages (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let cert: Ctx;
  let bankOrg: BuiltOrg;
  const tokens: Record<'cert' | 'bank' | 'third', string> = { cert: '', bank: '', third: '' };

  const names = async (url: string, who: keyof typeof tokens): Promise<string[]> => {
    const r = await t.app.inject({ method: 'GET', url, headers: { accept: MEDIA, authorization: `Bearer ${tokens[who]}` } });
    expect(r.statusCode, r.body).toBe(200);
    return ((r.json() as { objects?: Array<{ name: string }> }).objects ?? []).map((o) => o.name).sort();
  };
  const pages = () => keptPages(t.rt);
  /** What serving `fn` took: pages served kept, pages read from the database. */
  const counted = async <T>(fn: () => Promise<T>): Promise<{ value: T; kept: number; read: number }> => {
    const before = { ...pages().counts };
    const value = await fn();
    return { value, kept: pages().counts.kept - before.kept, read: pages().counts.read - before.read };
  };

  beforeAll(async () => {
    t = await testApp();
    const certOrg = await buildOrg(t.rt, 'cert');
    bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const thirdOrg = await buildOrg(t.rt, 'service_provider');
    const certUser = await buildUser(t.rt, certOrg.id, ['cert_analyst']);
    const bankUser = await buildUser(t.rt, bankOrg.id, ['org_admin']);
    const thirdUser = await buildUser(t.rt, thirdOrg.id, ['org_admin']);
    cert = actingAs(t.rt, certUser, certOrg, ['cert_analyst']);
    tokens.cert = (await createToken(cert, { name: 'taxii', role: 'cert_analyst' })).token;
    tokens.bank = (await createToken(actingAs(t.rt, bankUser, bankOrg, ['org_admin']), { name: 'taxii', role: 'org_admin' })).token;
    tokens.third = (await createToken(actingAs(t.rt, thirdUser, thirdOrg, ['org_admin']), { name: 'taxii', role: 'org_admin' })).token;
    await importObjects(cert, [ind('green one'), ind('green two')], { source: 'kept', sharing: { tlp: 'green', ...NONE } });
  });
  afterAll(async () => t.close());

  it('serves a repeated page from memory, and reads again once an import commits', async () => {
    const first = await counted(() => names(ALL, 'cert'));
    expect(first.value).toEqual(['green one', 'green two']);
    const again = await counted(() => names(ALL, 'cert'));
    expect(again).toMatchObject({ value: first.value, kept: 1, read: 0 });

    await importObjects(cert, [ind('green three')], { source: 'kept', sharing: { tlp: 'green', ...NONE } });
    const after = await counted(() => names(ALL, 'cert'));
    expect(after).toMatchObject({ value: ['green one', 'green three', 'green two'], kept: 0, read: 1 });
  });

  it('keeps a page per reader: an AMBER+STRICT object read by its recipient is never served to another org', async () => {
    await importObjects(cert, [ind('strict for the bank')], { source: 'kept', sharing: { tlp: 'amber+strict', ...NONE, recipientOrgs: [bankOrg.id] } });
    expect(await names(ALL, 'bank')).toContain('strict for the bank');
    expect(await names(ALL, 'bank')).toContain('strict for the bank');
    const third = await counted(() => names(ALL, 'third'));
    expect(third.value).not.toContain('strict for the bank');
    expect(third.read).toBe(1);
  });

  it('keeps a community page once for every reader', async () => {
    const cert1 = await counted(() => names(COMMUNITY, 'cert'));
    const bank = await counted(() => names(COMMUNITY, 'bank'));
    const third = await counted(() => names(COMMUNITY, 'third'));
    expect(cert1.value).toEqual(['green one', 'green three', 'green two']);
    expect([bank.value, third.value]).toEqual([cert1.value, cert1.value]);
    expect([bank.kept, third.kept]).toEqual([1, 1]);
  });

  it('reads again when sharing-group membership changes what a reader may see', async () => {
    const group = await createSharingGroup(cert, { name: `kept ${Date.now()}`, description: '', hideMembers: false, memberOrgIds: [] });
    await importObjects(cert, [ind('amber to the group')], { source: 'kept', sharing: { tlp: 'amber', ...NONE, sharingGroups: [group.id] } });
    expect(await names(ALL, 'bank')).not.toContain('amber to the group');
    expect((await counted(() => names(ALL, 'bank'))).kept).toBe(1);

    await updateSharingGroupMembers(cert, group.id, { add: [bankOrg.id], remove: [] });
    expect(await names(ALL, 'bank')).toContain('amber to the group');
    await updateSharingGroupMembers(cert, group.id, { add: [], remove: [bankOrg.id] });
    expect(await names(ALL, 'bank')).not.toContain('amber to the group');
  });

  it('answers the same after the change log is pruned (re-read on PostgreSQL, where the epoch moved; PGlite counts commits in process)', async () => {
    const before = await names(ALL, 'cert');
    expect((await counted(() => names(ALL, 'cert'))).kept).toBe(1);
    expect(await pruneChangeLog(t.rt.db)).toBeGreaterThan(0);
    const after = await counted(() => names(ALL, 'cert'));
    expect(after).toMatchObject(TEST_DRIVER === 'pglite' ? { value: before, kept: 1, read: 0 } : { value: before, kept: 0, read: 1 });
    expect((await counted(() => names(ALL, 'cert'))).kept).toBe(1);
  });

  it('reads again after a write that bypasses the services (a raw UPDATE)', async () => {
    expect((await counted(() => names(ALL, 'cert'))).kept).toBe(1);
    await inTx(cert, (tx) => sql`update stix_objects set tlp = tlp where name = 'green two'`.execute(tx));
    expect((await counted(() => names(ALL, 'cert'))).read).toBe(1);
  });

  // Two connections at once: PGlite has one.
  it.skipIf(TEST_DRIVER === 'pglite')('a re-marking in progress while a page is read shows once it commits', async () => {
    expect(await names(ALL, 'third')).toContain('green one');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let updated!: () => void;
    const didUpdate = new Promise<void>((r) => (updated = r));
    // The CERT re-marks its object AMBER (shared with no one) and has not committed yet.
    const writer = inTx(cert, async (tx) => {
      await sql`update stix_objects set tlp = 'amber' where name = 'green one'`.execute(tx);
      updated();
      await held;
    });
    await didUpdate;
    // Read and kept while the writer is in progress: still GREEN for the third org.
    expect(await names(ALL, 'third')).toContain('green one');
    expect((await counted(() => names(ALL, 'third'))).kept).toBe(1);
    release();
    await writer;
    const after = await counted(() => names(ALL, 'third'));
    expect(after.value).not.toContain('green one');
    expect(after.read).toBe(1);
  });

  it('keeps nothing when MUHAFIZ_TAXII_CACHE_MB is 0', async () => {
    const t0 = await testApp({ taxiiCacheBytes: 0 });
    try {
      const org = await buildOrg(t0.rt, 'cert');
      const user = await buildUser(t0.rt, org.id, ['cert_analyst']);
      const ctx = actingAs(t0.rt, user, org, ['cert_analyst']);
      const token = (await createToken(ctx, { name: 'taxii', role: 'cert_analyst' })).token;
      for (let i = 0; i < 2; i++) {
        const r = await t0.app.inject({ method: 'GET', url: ALL, headers: { accept: MEDIA, authorization: `Bearer ${token}` } });
        expect(r.statusCode, r.body).toBe(200);
      }
      expect(keptPages(t0.rt).counts).toEqual({ kept: 0, read: 2 });
    } finally {
      await t0.close();
    }
  });
});
