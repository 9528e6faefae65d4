import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { listObjects } from '../../src/domains/intel/read.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
function ind(n: number) {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--30000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified: '2025-05-01T00:00:00.000Z', name: `feed ${n}`, pattern: `[domain-name:value = 'c2-${n}.evil.test']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}

/** The TAXII client polls this platform's own TAXII server over real HTTP on 127.0.0.1. */
describe(`TAXII client feeds against a real TAXII server (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let cert: Ctx;
  let bank: Ctx;
  let bankUser: BuiltUser;
  let certToken: string;
  let base: string;

  beforeAll(async () => {
    t = await testApp();
    const certOrg = await buildOrg(t.rt, 'cert');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const certUser = await buildUser(t.rt, certOrg.id, ['cert_analyst']);
    bankUser = await buildUser(t.rt, bankOrg.id, ['org_admin']);
    cert = actingAs(t.rt, certUser, certOrg, ['cert_analyst']);
    bank = actingAs(t.rt, bankUser, bankOrg, ['org_admin']);
    certToken = (await createToken(cert, { name: 'feed', role: 'cert_analyst' })).token;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    for (let i = 1; i <= 3; i++) {
      t.clock.advance(1000);
      await importObjects(cert, [ind(i)], { source: 'cert', sharing: { tlp: 'green', ...NONE } });
    }
  });
  afterAll(async () => t.close());

  it('polls with added_after, imports under the feed provenance and TLP, and records runs and errors', async () => {
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const created = await c.post('/api/intel/feeds', { name: 'CERT community', url: `${base}/taxii2/api/collections/${COLLECTION_IDS.community}/`, username: 'bank', secret: certToken, tlp: 'amber', intervalSeconds: 600 });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain(certToken);
    const id = created.json().id as string;

    const run1 = await c.post(`/api/intel/feeds/${id}/run`);
    expect(run1.statusCode, run1.body).toBe(200);
    expect(run1.json()).toMatchObject({ lastStatus: 'ok', lastCount: 3, totalCount: 3, lastError: null });
    expect(run1.json().cursor).toMatch(/\.\d{6}Z$/);
    const mine = await listObjects(bank, { source: 'feed:CERT community', type: undefined, tlp: undefined, includeRevoked: 'false', limit: 50, offset: 0 });
    expect(mine.items.map((i) => [i.name, i.tlp, i.ownerOrgId])).toEqual(expect.arrayContaining([['feed 1', 'amber', bank.actor.orgId]]));

    t.clock.advance(1000);
    await importObjects(cert, [ind(4)], { source: 'cert', sharing: { tlp: 'green', ...NONE } });
    // The bank's own copies (AMBER) appear in the community collection? No: only CLEAR/GREEN, so the next poll brings just the new one.
    const run2 = await c.post(`/api/intel/feeds/${id}/run`);
    expect(run2.json()).toMatchObject({ lastStatus: 'ok', lastCount: 1, totalCount: 4 });
    const run3 = await c.post(`/api/intel/feeds/${id}/run`);
    expect(run3.json()).toMatchObject({ lastStatus: 'ok', lastCount: 0, totalCount: 4 });

    const broken = await c.post('/api/intel/feeds', { name: 'broken', url: `${base}/taxii2/api/collections/${COLLECTION_IDS.community}/`, username: 'bank', secret: 'mfz_wrong', tlp: 'amber' });
    const run4 = await c.post(`/api/intel/feeds/${broken.json().id}/run`);
    expect(run4.json()).toMatchObject({ lastStatus: 'failed', lastError: expect.stringContaining('HTTP 401') as string });
    // Fixing the token but pointing at a collection that does not exist: still failing, now with 404.
    const brokenId = broken.json().id as string;
    const moved = await c.patch(`/api/intel/feeds/${brokenId}`, { secret: certToken, url: `${base}/taxii2/api/collections/00000000-0000-4000-8000-000000000000` });
    expect(moved.json()).toMatchObject({ url: `${base}/taxii2/api/collections/00000000-0000-4000-8000-000000000000/`, hasSecret: true, cursor: null });
    expect((await c.post(`/api/intel/feeds/${brokenId}/run`)).json()).toMatchObject({ lastStatus: 'failed', lastError: expect.stringContaining('HTTP 404') as string });
    // The right URL: a new collection starts from its beginning (cursor cleared) and is due at once.
    const fixed = await c.patch(`/api/intel/feeds/${brokenId}`, { url: `${base}/taxii2/api/collections/${COLLECTION_IDS.community}/` });
    expect(fixed.json()).toMatchObject({ cursor: null, nextRunAt: t.clock.now().toISOString() });
    expect((await c.post(`/api/intel/feeds/${brokenId}/run`)).json()).toMatchObject({ lastStatus: 'ok', lastFetched: 4, lastError: null });
    // The same URL again (with or without the slash) keeps the cursor.
    const same = await c.patch(`/api/intel/feeds/${brokenId}`, { url: `${base}/taxii2/api/collections/${COLLECTION_IDS.community}`, name: 'fixed' });
    expect(same.json()).toMatchObject({ name: 'fixed', cursor: expect.stringMatching(/Z$/) as string });
    expect((await c.patch(`/api/intel/feeds/${brokenId}`, { url: 'not a url' })).json()).toMatchObject({ errors: [{ path: 'body.url' }] });

    const feeds = await c.get('/api/intel/feeds');
    expect(feeds.json().map((f: { name: string }) => f.name).sort()).toEqual(['CERT community', 'fixed']);
  });

  it('the scheduled poll runs due feeds', async () => {
    t.clock.advance(3600_000);
    await t.rt.jobs.runDue();
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const feeds = (await c.get('/api/intel/feeds')).json() as Array<{ name: string; lastRunAt: string }>;
    for (const f of feeds) expect(new Date(f.lastRunAt).getTime()).toBeGreaterThan(t.clock.now().getTime() - 60_000);
  });
});
