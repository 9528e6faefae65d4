import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/access/index.js';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const MEDIA = 'application/taxii+json;version=2.1';
const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };

function ind(n: number, ip: string, modified = '2025-05-01T00:00:00.000Z') {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--20000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified, name: `taxii ${n}`, pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}

describe(`TAXII 2.1 server (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let certToken: string;
  let thirdToken: string;
  let cert: Ctx;

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, opts: { body?: unknown; accept?: string; contentType?: string; basic?: boolean } = {}) =>
    t.app.inject({
      method,
      url,
      headers: {
        accept: opts.accept ?? MEDIA,
        authorization: opts.basic === false ? `Bearer ${token}` : `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}`,
        ...(opts.body !== undefined ? { 'content-type': opts.contentType ?? MEDIA } : {}),
      },
      ...(opts.body !== undefined ? { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    });

  beforeAll(async () => {
    t = await testApp();
    const certOrg = await buildOrg(t.rt, 'cert');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const thirdOrg = await buildOrg(t.rt, 'service_provider');
    const roles: Role[] = ['cert_analyst'];
    const certUser = await buildUser(t.rt, certOrg.id, roles);
    const thirdUser = await buildUser(t.rt, thirdOrg.id, ['org_admin']);
    cert = actingAs(t.rt, certUser, certOrg, roles);
    certToken = (await createToken(cert, { name: 'taxii', role: 'cert_analyst' })).token;
    thirdToken = (await createToken(actingAs(t.rt, thirdUser, thirdOrg, ['org_admin']), { name: 'taxii', role: 'org_admin' })).token;
    for (let i = 1; i <= 5; i++) {
      t.clock.advance(1000);
      await importObjects(cert, [ind(i, `46.101.0.${i}`)], { source: 'taxii-test', sharing: { tlp: 'green', ...NONE } });
    }
    // A newer version of indicator 1, and an AMBER+STRICT object for the bank only.
    t.clock.advance(1000);
    await importObjects(cert, [{ ...ind(1, '46.101.0.1', '2025-06-01T00:00:00.000Z'), name: 'taxii 1 v2' }], { source: 'taxii-test', sharing: { tlp: 'green', ...NONE } });
    await importObjects(cert, [ind(99, '46.101.0.99')], { source: 'taxii-test', sharing: { tlp: 'amber+strict', ...NONE, recipientOrgs: [bankOrg.id] } });
  });
  afterAll(async () => t.close());

  it('follows the reference client sequence: discovery, API root, collections, paged objects, add + status, manifest, versions', async () => {
    const disc = await call('GET', '/taxii2/', certToken);
    expect(disc.statusCode, disc.body).toBe(200);
    expect(disc.headers['content-type']).toBe(MEDIA);
    expect(disc.json()).toMatchObject({ default: 'http://127.0.0.1:8080/taxii2/api/', api_roots: ['http://127.0.0.1:8080/taxii2/api/'] });
    const root = await call('GET', '/taxii2/api/', certToken);
    expect(root.json()).toMatchObject({ versions: [MEDIA], max_content_length: expect.any(Number) as number });
    const cols = await call('GET', '/taxii2/api/collections/', certToken);
    const ids = cols.json().collections.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([COLLECTION_IDS.all, COLLECTION_IDS.community, COLLECTION_IDS.org]));
    const community = `/taxii2/api/collections/${COLLECTION_IDS.community}`;
    expect((await call('GET', `${community}/`, certToken)).json()).toMatchObject({ can_read: true, can_write: true });

    // Paged objects: limit 2, follow `next`; only latest versions by default.
    const seen: string[] = [];
    let url = `${community}/objects/?limit=2&match[type]=indicator`;
    for (let guard = 0; guard < 10; guard++) {
      const page = await call('GET', url, certToken);
      expect(page.statusCode, page.body).toBe(200);
      expect(page.headers['x-taxii-date-added-first']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(page.headers['x-taxii-date-added-last']).toMatch(/\.\d{6}Z$/);
      const body = page.json();
      seen.push(...body.objects.map((o: { name: string }) => o.name));
      if (!body.more) break;
      url = `${community}/objects/?limit=2&match[type]=indicator&next=${encodeURIComponent(body.next)}`;
    }
    expect(seen.sort()).toEqual(['taxii 1 v2', 'taxii 2', 'taxii 3', 'taxii 4', 'taxii 5']);

    const added = await call('POST', `${community}/objects/`, certToken, { body: { objects: [ind(6, '46.101.0.6'), { type: 'indicator', id: 'indicator--20000000-0000-4000-8000-000000000007', spec_version: '2.1', created: '2025-05-01T00:00:00.000Z', modified: '2025-05-01T00:00:00.000Z', pattern: '[broken', pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z' }] } });
    expect(added.statusCode, added.body).toBe(202);
    expect(added.json()).toMatchObject({ status: 'complete', total_count: 2, success_count: 1, failure_count: 1, pending_count: 0 });
    expect(added.json().failures[0].message).toMatch(/pattern/);
    const status = await call('GET', `/taxii2/api/status/${added.json().id}/`, certToken);
    expect(status.json()).toMatchObject({ id: added.json().id, status: 'complete', success_count: 1 });

    const manifest = await call('GET', `${community}/manifest/?match[id]=${ind(1, '').id}&match[version]=all`, certToken);
    expect(manifest.json().objects.map((o: { version: string }) => o.version).sort()).toEqual(['2025-05-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z']);
    expect(manifest.json().objects[0].media_type).toBe('application/stix+json;version=2.1');
    const versions = await call('GET', `${community}/objects/${ind(1, '').id}/versions/`, certToken);
    expect(versions.json().versions.sort()).toEqual(['2025-05-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z']);
    const first = await call('GET', `${community}/objects/${ind(1, '').id}/?match[version]=first`, certToken);
    expect(first.json().objects[0].name).toBe('taxii 1');
  });

  it('filters by added_after and spec_version', async () => {
    const community = `/taxii2/api/collections/${COLLECTION_IDS.community}`;
    const all = (await call('GET', `${community}/objects/?match[type]=indicator`, certToken)).json().objects as Array<{ name: string }>;
    const page = await call('GET', `${community}/manifest/?match[type]=indicator`, certToken);
    const third = page.json().objects[2].date_added as string;
    const after = (await call('GET', `${community}/objects/?match[type]=indicator&added_after=${third}`, certToken)).json().objects ?? [];
    expect(after.length).toBe(all.length - 3);
    expect((await call('GET', `${community}/objects/?match[spec_version]=2.0`, certToken)).json()).toEqual({ more: false });
  });

  it('an AMBER+STRICT object stays invisible to a third org in every collection', async () => {
    const cols = (await call('GET', '/taxii2/api/collections/', thirdToken)).json().collections as Array<{ id: string }>;
    for (const c of cols) {
      const res = await call('GET', `/taxii2/api/collections/${c.id}/objects/?limit=1000`, thirdToken);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(ind(99, '').id);
      expect((await call('GET', `/taxii2/api/collections/${c.id}/objects/${ind(99, '').id}/`, thirdToken)).statusCode).toBe(404);
    }
    const certAll = await call('GET', `/taxii2/api/collections/${COLLECTION_IDS.all}/objects/${ind(99, '').id}/`, certToken, { basic: false });
    expect(certAll.statusCode).toBe(200);
  });

  it('negotiates media types and answers errors in the TAXII format', async () => {
    const noAccept = await call('GET', '/taxii2/', certToken, { accept: 'application/json' });
    expect(noAccept.statusCode).toBe(406);
    expect(noAccept.json()).toMatchObject({ http_status: '406', title: expect.any(String) as string });
    const wrongType = await call('POST', `/taxii2/api/collections/${COLLECTION_IDS.community}/objects/`, certToken, { body: { objects: [] }, contentType: 'application/json' });
    expect(wrongType.statusCode).toBe(415);
    const big = await call('POST', `/taxii2/api/collections/${COLLECTION_IDS.community}/objects/`, certToken, { body: `{"objects":["${'x'.repeat(17 * 1024 * 1024)}"]}` });
    expect(big.statusCode).toBe(413);
    const anon = await t.app.inject({ method: 'GET', url: '/taxii2/', headers: { accept: MEDIA } });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toContain('Basic');
    // The public CLEAR root is off unless MUHAFIZ_TAXII_PUBLIC=true: anonymous
    // readers are refused like anywhere else on the server (never the UI shell),
    // and not even its existence is told.
    const offAnon = await t.app.inject({ method: 'GET', url: '/taxii2/public/collections/', headers: { accept: MEDIA } });
    expect(offAnon.statusCode).toBe(401);
    expect(offAnon.headers['content-type']).not.toContain('text/html');
    const badToken = await call('GET', '/taxii2/', 'mfz_nope');
    expect(badToken.statusCode).toBe(401);
    const readOnly = await call('POST', `/taxii2/api/collections/${COLLECTION_IDS.all}/objects/`, certToken, { body: { objects: [] } });
    expect(readOnly.statusCode).toBe(403);
    expect((await call('GET', '/taxii2/api/collections/00000000-0000-4000-8000-000000000000/', certToken)).statusCode).toBe(404);
  });

  it('deletes an own object from a writable collection', async () => {
    const url = `/taxii2/api/collections/${COLLECTION_IDS.org}/objects/${ind(5, '').id}/`;
    expect((await call('DELETE', url, thirdToken)).statusCode).toBe(404);
    expect((await call('DELETE', url, certToken)).statusCode).toBe(200);
    expect((await call('GET', url, certToken)).statusCode).toBe(404);
  });
});
