import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { createSharingGroup } from '../../src/domains/sharing/service.js';
import type { SharingSpec } from '../../src/domains/sharing/schema.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const MEDIA = 'application/taxii+json;version=2.1';
const ROOT = '/taxii2/public';
const COL = `${ROOT}/collections/${COLLECTION_IDS.public}`;

function ind(n: number, modified = '2025-05-01T00:00:00.000Z') {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--50000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified, name: `public ${n}`, pattern: `[ipv4-addr:value = '46.102.0.${n}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}
const id = (n: number) => ind(n).id;

/** The public TAXII collection (MUHAFIZ_TAXII_PUBLIC=true): anonymous, read-only, rate-limited, TLP:CLEAR only. */
describe(`Public TLP:CLEAR TAXII collection (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let certToken: string;
  const clear = [1, 2, 3, 4, 5];
  let addr = 0;
  const get = (url: string, headers: Record<string, string> = {}, remoteAddress = `10.77.0.${++addr}`) =>
    t.app.inject({ method: 'GET', url, headers: { accept: MEDIA, ...headers }, remoteAddress });

  beforeAll(async () => {
    t = await testApp({ taxiiPublic: true, taxiiPublicRate: 20 });
    const certOrg = await buildOrg(t.rt, 'cert');
    const telecomOrg = await buildOrg(t.rt, 'service_provider');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const certUser = await buildUser(t.rt, certOrg.id, ['cert_analyst']);
    const telecomUser = await buildUser(t.rt, telecomOrg.id, ['org_admin']);
    const bankUser = await buildUser(t.rt, bankOrg.id, ['org_admin']);
    const cert: Ctx = actingAs(t.rt, certUser, certOrg, ['cert_analyst']);
    const telecom: Ctx = actingAs(t.rt, telecomUser, telecomOrg, ['org_admin']);
    certToken = (await createToken(cert, { name: 'taxii', role: 'cert_analyst' })).token;
    const group = await createSharingGroup(cert, { name: 'Banks', description: '', hideMembers: false, memberOrgIds: [bankOrg.id] });
    const share = (tlp: SharingSpec['tlp'], more: Partial<SharingSpec> = {}): SharingSpec => ({ tlp, recipientOrgs: [], recipientUsers: [], sharingGroups: [], ...more });
    // CLEAR from two orgs; one CLEAR object with two versions.
    for (const n of [1, 2, 3]) {
      t.clock.advance(1000);
      await importObjects(cert, [ind(n)], { source: 'public-test', sharing: share('clear') });
    }
    for (const n of [4, 5]) await importObjects(telecom, [ind(n)], { source: 'public-test', sharing: share('clear') });
    await importObjects(cert, [{ ...ind(1, '2025-06-01T00:00:00.000Z'), name: 'public 1 v2' }], { source: 'public-test', sharing: share('clear') });
    // Everything above CLEAR, from both orgs, on every sharing route.
    await importObjects(cert, [ind(10)], { source: 'public-test', sharing: share('green') });
    await importObjects(telecom, [ind(11)], { source: 'public-test', sharing: share('amber', { recipientOrgs: [bankOrg.id] }) });
    await importObjects(cert, [ind(12)], { source: 'public-test', sharing: share('amber', { sharingGroups: [group.id] }) });
    await importObjects(cert, [ind(13)], { source: 'public-test', sharing: share('amber+strict', { recipientOrgs: [bankOrg.id] }) });
    await importObjects(cert, [ind(14)], { source: 'public-test', sharing: share('red', { recipientUsers: [bankUser.id] }) });
    await importObjects(telecom, [ind(15)], { source: 'public-test', sharing: share('amber') });
    // CLEAR first, later re-marked GREEN: the whole object leaves the public collection, old version included.
    await importObjects(cert, [ind(16)], { source: 'public-test', sharing: share('clear') });
    await importObjects(cert, [{ ...ind(16, '2025-07-01T00:00:00.000Z'), object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'] }], { source: 'public-test', sharing: share('clear') });
  });
  afterAll(async () => t.close());

  it('is announced in the discovery document, readable without credentials, one read-only collection', async () => {
    const disc = await get('/taxii2/');
    expect(disc.statusCode, disc.body).toBe(200);
    expect(disc.json().api_roots).toEqual(['http://127.0.0.1:8080/taxii2/api/', 'http://127.0.0.1:8080/taxii2/public/']);
    expect((await get(`${ROOT}/`)).json()).toMatchObject({ versions: [MEDIA] });
    const cols = await get(`${ROOT}/collections/`);
    expect(cols.headers['content-type']).toBe(MEDIA);
    expect(cols.json().collections).toEqual([expect.objectContaining({ id: COLLECTION_IDS.public, can_read: true, can_write: false })]);
    // The authenticated root still needs credentials for everything but discovery.
    expect((await get('/taxii2/api/collections/')).statusCode).toBe(401);
  });

  it('serves exactly the TLP:CLEAR objects, on every read endpoint, paged', async () => {
    const seen: string[] = [];
    let url = `${COL}/objects/?limit=2&match[version]=all`;
    for (let i = 0; i < 10; i++) {
      const res = await get(url);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { more: boolean; next?: string; objects?: Array<{ id: string }> };
      seen.push(...(body.objects ?? []).map((o) => o.id));
      if (!body.more) break;
      url = `${COL}/objects/?limit=2&match[version]=all&next=${encodeURIComponent(body.next!)}`;
    }
    expect([...new Set(seen)].sort()).toEqual(clear.map(id).sort());
    expect(seen.filter((s) => s === id(1))).toHaveLength(2);

    const manifest = (await get(`${COL}/manifest/?match[version]=all&limit=1000`)).json() as { objects: Array<{ id: string }> };
    expect([...new Set(manifest.objects.map((o) => o.id))].sort()).toEqual(clear.map(id).sort());
    expect((await get(`${COL}/objects/${id(1)}/versions/`)).json().versions).toEqual(['2025-05-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z']);
    expect((await get(`${COL}/objects/${id(1)}/`)).json().objects[0].name).toBe('public 1 v2');

    for (const n of [10, 11, 12, 13, 14, 15, 16]) {
      expect((await get(`${COL}/objects/${id(n)}/`)).statusCode).toBe(404);
      expect((await get(`${COL}/objects/${id(n)}/?match[version]=all`)).statusCode).toBe(404);
      expect((await get(`${COL}/objects/${id(n)}/versions/`)).statusCode).toBe(404);
      expect((await get(`${COL}/objects/?match[id]=${id(n)}&match[version]=all`)).json()).toEqual({ more: false });
      expect((await get(`${COL}/manifest/?match[id]=${id(n)}&match[version]=first`)).json()).toEqual({ more: false });
    }
    // Credentials of an org that sees more change nothing here: the reader is anonymous.
    const withToken = await get(`${COL}/objects/?limit=1000&match[version]=all`, { authorization: `Basic ${Buffer.from(`x:${certToken}`).toString('base64')}` });
    expect([...new Set((withToken.json().objects as Array<{ id: string }>).map((o) => o.id))].sort()).toEqual(clear.map(id).sort());
    const other = await get(`${ROOT}/collections/${COLLECTION_IDS.community}/objects/`, { authorization: `Bearer ${certToken}` });
    expect(other.statusCode).toBe(404);
  });

  it('is read-only, negotiates media types and is rate-limited per address', async () => {
    const post = await t.app.inject({ method: 'POST', url: `${COL}/objects/`, headers: { accept: MEDIA, 'content-type': MEDIA }, payload: JSON.stringify({ objects: [ind(20)] }), remoteAddress: '10.77.1.1' });
    expect(post.statusCode).toBe(403);
    const del = await t.app.inject({ method: 'DELETE', url: `${COL}/objects/${id(1)}/`, headers: { accept: MEDIA }, remoteAddress: '10.77.1.2' });
    expect(del.statusCode).toBe(403);
    expect((await get(`${COL}/objects/${id(1)}/`)).statusCode).toBe(200);
    const json = await get(`${COL}/objects/`, { accept: 'application/json' });
    expect(json.statusCode).toBe(406);
    expect(json.json()).toMatchObject({ http_status: '406' });

    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await get(`${ROOT}/collections/`, {}, '10.77.2.1')).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 200)).toBe(true);
    const limited = await get(`${ROOT}/collections/`, {}, '10.77.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json()).toMatchObject({ http_status: '429' });
    // Another address is not affected; the window passes.
    expect((await get(`${ROOT}/collections/`, {}, '10.77.2.2')).statusCode).toBe(200);
    t.clock.advance(61_000);
    expect((await get(`${ROOT}/collections/`, {}, '10.77.2.1')).statusCode).toBe(200);
  });
});
