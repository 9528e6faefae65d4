import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

/**
 * Replays, over real HTTP on 127.0.0.1, the calls the OASIS reference client
 * (taxii2-client 2.3, `taxii2client.v21`) makes, with the headers it sends
 * (requests' defaults, its User-Agent, Accept on every call, Content-Type on
 * POST, HTTP Basic) and the checks it applies to each answer:
 *   Server(url, user, password).api_roots / .default  GET discovery
 *   ApiRoot.refresh_information()                     GET <root>
 *   ApiRoot.collections                               GET <root>collections/
 *   as_pages(Collection.get_objects, per_request=n)   GET objects/?limit=n[&next=]
 *   Collection.add_objects(envelope)                  POST objects/, then the status URL
 *   ApiRoot.get_status(id)                            GET <root>status/<id>/
 *   Collection.get_manifest(), object_versions(id), get_object(id)
 */
const MEDIA = 'application/taxii+json;version=2.1';
const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };

function ind(n: number) {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--60000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
    modified: '2025-05-01T00:00:00.000Z', name: `client ${n}`, pattern: `[ipv4-addr:value = '46.103.0.${n}']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** taxii2client.common._HTTPConnection.valid_content_type for version 2.1. */
function validContentType(contentType: string, accept: string): boolean {
  const acceptTokens = accept.replace(/ /g, '').split(';');
  const ct = contentType.replace(/ /g, '').split(';');
  return acceptTokens.every((t) => ct.includes(t)) && ct[0] === 'application/taxii+json';
}

/** _TAXIIEndpoint: every endpoint URL gets a trailing slash. */
const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

describe(`TAXII 2.1 server with the OASIS reference client's calls (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let base: string;
  let auth: string;
  const sent: Array<{ method: string; url: string }> = [];

  /** requests.Session with HTTPBasicAuth, the client's User-Agent and requests' default headers. */
  async function client(method: 'GET' | 'POST' | 'DELETE', url: string, opts: { params?: Record<string, string | number>; headers?: Record<string, string>; data?: string } = {}) {
    const u = new URL(url);
    for (const [k, v] of Object.entries(opts.params ?? {})) u.searchParams.set(k, String(v));
    sent.push({ method, url: u.toString() });
    const res = await fetch(u, {
      method,
      headers: { 'User-Agent': 'taxii2-client/2.3.0', 'Accept-Encoding': 'gzip, deflate', Connection: 'keep-alive', Authorization: auth, ...(method === 'GET' ? { Accept: MEDIA } : {}), ...opts.headers },
      ...(opts.data !== undefined ? { body: opts.data } : {}),
    });
    expect(res.status, `${method} ${u.toString()}: ${res.status}`).toBeLessThan(400); // raise_for_status()
    if (method === 'GET') expect(validContentType(res.headers.get('content-type') ?? '', opts.headers?.Accept ?? MEDIA)).toBe(true);
    return res;
  }
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

  beforeAll(async () => {
    const port = await freePort();
    // The discovery document links to absolute URLs: serve where the public URL says, as in production.
    t = await testApp({ publicUrl: `http://127.0.0.1:${port}` });
    await t.app.listen({ port, host: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    const certOrg = await buildOrg(t.rt, 'cert');
    const certUser = await buildUser(t.rt, certOrg.id, ['cert_analyst']);
    const cert: Ctx = actingAs(t.rt, certUser, certOrg, ['cert_analyst']);
    const token = (await createToken(cert, { name: 'taxii2-client', role: 'cert_analyst' })).token;
    auth = `Basic ${Buffer.from(`analyst:${token}`).toString('base64')}`;
    for (let i = 1; i <= 7; i++) {
      t.clock.advance(1000);
      await importObjects(cert, [ind(i)], { source: 'client-test', sharing: { tlp: 'green', ...NONE } });
    }
  });
  afterAll(async () => t.close());

  it('works through discovery, API root, collections, paged objects, add + status, manifest, versions, get and delete', async () => {
    // Server(url).refresh(): GET discovery with the default Accept; api_roots resolved with urljoin.
    const disc = await json(await client('GET', `${base}/taxii2/`));
    expect(disc.title).toBeTruthy();
    const roots = (disc.api_roots as string[]).map((r) => slash(new URL(r, `${base}/taxii2/`).toString()));
    expect(roots).toContain(disc.default);
    const root = roots[0]!;

    // ApiRoot.refresh_information(): title, versions, max_content_length are required.
    const info = await json(await client('GET', root));
    expect(info.title).toBeTruthy();
    expect(info.versions).toContain(MEDIA);
    expect(info.max_content_length).toEqual(expect.any(Number));

    // ApiRoot.refresh_collections(): each collection URL = <root>collections/<id>/; id, title, can_read, can_write required.
    const cols = (await json(await client('GET', `${root}collections/`))).collections as Array<Record<string, unknown>>;
    for (const c of cols) expect(c).toMatchObject({ id: expect.any(String), title: expect.any(String), can_read: expect.any(Boolean), can_write: expect.any(Boolean) });
    const community = cols.find((c) => c.id === COLLECTION_IDS.community)!;
    expect(community).toMatchObject({ can_read: true, can_write: true });
    const colUrl = `${root}collections/${community.id as string}/`;
    // Collection.refresh() when created by hand from a URL.
    expect((await json(await client('GET', colUrl))).id).toBe(community.id);

    // as_pages(collection.get_objects, per_request=3, type='indicator'): limit, then next until more is false.
    const names: string[] = [];
    let perRequest = 3;
    let envelope = await json(await client('GET', `${colUrl}objects/`, { params: { limit: perRequest, 'match[type]': 'indicator' } }));
    names.push(...((envelope.objects as Array<{ name: string }> | undefined) ?? []).map((o) => o.name));
    const obtained = (envelope.objects as unknown[] | undefined)?.length ?? 0;
    if (envelope.more && obtained !== perRequest) perRequest = obtained;
    expect(obtained).toBe(3);
    let pages = 1;
    while (envelope.more) {
      envelope = await json(await client('GET', `${colUrl}objects/`, { params: { limit: perRequest, next: envelope.next as string, 'match[type]': 'indicator' } }));
      names.push(...((envelope.objects as Array<{ name: string }> | undefined) ?? []).map((o) => o.name));
      pages++;
    }
    expect(pages).toBe(3);
    expect(names.sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `client ${n}`));

    // Collection.add_objects(envelope): POST with Accept and Content-Type; the status URL is urljoin(collection, '../../status/<id>') + '/'.
    const post = await client('POST', `${colUrl}objects/`, { headers: { Accept: MEDIA, 'Content-Type': MEDIA }, data: JSON.stringify({ objects: [ind(8), ind(9)] }) });
    expect(post.status).toBe(202);
    const status = await json(post);
    const statusUrl = slash(new URL(`../../status/${status.id as string}`, colUrl).toString());
    expect(statusUrl).toBe(`${root}status/${status.id as string}/`);
    // Status._validate_status(), then wait_until_final() polling the status URL.
    const validate = (s: Record<string, unknown>) => {
      for (const k of ['id', 'status']) expect(s[k]).toBeTruthy();
      for (const k of ['total_count', 'success_count', 'failure_count', 'pending_count']) expect(s[k]).toEqual(expect.any(Number));
      expect((s.success_count as number) + (s.pending_count as number) + (s.failure_count as number)).toBe(s.total_count);
      if ((s.successes as unknown[] | undefined)?.length) expect((s.successes as unknown[]).length).toBe(s.success_count);
      if ((s.failures as unknown[] | undefined)?.length) expect((s.failures as unknown[]).length).toBe(s.failure_count);
    };
    validate(status);
    let polled = status;
    for (let i = 0; i < 5 && polled.status !== 'complete'; i++) polled = await json(await client('GET', statusUrl));
    polled = await json(await client('GET', statusUrl)); // Status.refresh()
    validate(polled);
    expect(polled).toMatchObject({ status: 'complete', total_count: 2, success_count: 2 });
    // ApiRoot.get_status(id)
    expect((await json(await client('GET', `${root}status/${status.id as string}/`))).id).toBe(status.id);

    // Collection.get_manifest(), paged the same way, and with a type filter.
    const manifest = await json(await client('GET', `${colUrl}manifest/`, { params: { 'match[type]': 'indicator' } }));
    expect((manifest.objects as Array<{ id: string }>).map((o) => o.id)).toEqual(expect.arrayContaining([ind(8).id, ind(9).id]));
    const mPage = await json(await client('GET', `${colUrl}manifest/`, { params: { limit: 4 } }));
    expect(mPage).toMatchObject({ more: true, next: expect.any(String) as string });

    // Collection.object_versions(id) and get_object(id, version=...).
    const versions = await json(await client('GET', `${colUrl}objects/${ind(8).id}/versions/`));
    expect(versions.versions).toEqual(['2025-05-01T00:00:00.000Z']);
    const one = await json(await client('GET', `${colUrl}objects/${ind(8).id}/`, { params: { 'match[version]': '2025-05-01T00:00:00.000Z' } }));
    expect(one.objects).toEqual([ind(8)]);
    // get_objects(added_after=<X-TAXII-Date-Added-First of the manifest>) narrows.
    const after = await client('GET', `${colUrl}objects/`, { params: { added_after: '2000-01-01T00:00:00Z', limit: 1 } });
    expect(after.headers.get('x-taxii-date-added-first')).toMatch(/Z$/);

    // Collection.delete_object(id) on the writable org collection after adding there.
    const orgUrl = `${root}collections/${COLLECTION_IDS.org}/`;
    await client('POST', `${orgUrl}objects/`, { headers: { Accept: MEDIA, 'Content-Type': MEDIA }, data: JSON.stringify({ objects: [ind(10)] }) });
    await client('DELETE', `${orgUrl}objects/${ind(10).id}/`, { headers: { Accept: MEDIA } });
    const gone = await fetch(`${orgUrl}objects/${ind(10).id}/`, { headers: { Accept: MEDIA, Authorization: auth } });
    expect(gone.status).toBe(404);
    expect(sent.every((s) => s.url.startsWith(base))).toBe(true);
  });
});
