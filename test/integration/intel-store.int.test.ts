import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '../helpers/shared-data.js';
import { testApp, Client, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { exportBundle, getObject, listObjects, listVersions } from '../../src/domains/intel/read.js';
import { scoId } from '../../src/domains/intel/stix-model.js';

const EXAMPLES = sharedData('stix2-schemas', 'examples');
const CLEAR = { tlp: 'clear' as const, recipientOrgs: [], recipientUsers: [], sharingGroups: [] };

function example(name: string): { id: string; objects: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')) as { id: string; objects: Record<string, unknown>[] };
}

describe(`STIX store (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let cert: BuiltOrg;
  let analyst: BuiltUser;
  let client: Client;
  beforeAll(async () => {
    t = await testApp();
    cert = await buildOrg(t.rt, 'cert');
    analyst = await buildUser(t.rt, cert.id, ['cert_analyst']);
    client = new Client(t.app);
    expect((await client.login(analyst.email, analyst.password)).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('imports every official example losslessly and exports objects deep-equal to the input', async () => {
    const ctx = actingAs(t.rt, analyst, cert, ['cert_analyst']);
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && f !== 'infrastructure.json');
    const all = new Map<string, Record<string, unknown>>();
    for (const f of files) {
      const b = example(f);
      const objects = b.objects ?? [b as unknown as Record<string, unknown>];
      await importObjects(ctx, objects, { source: f, sharing: CLEAR });
      for (const o of objects) all.set(o.id as string, o);
    }
    const out = await exportBundle(ctx, { includeRevoked: 'true', type: undefined, tlp: undefined }, 'bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const exported = JSON.parse(out.text) as { objects: Record<string, unknown>[] };
    for (const o of exported.objects) expect(o).toEqual(all.get(o.id as string));
    expect(exported.objects.length).toBe(all.size);
  });

  it('refuses an invalid bundle whole, naming the id, the JSON path and the reason', async () => {
    const b = example('indicator-for-c2-ip-address.json');
    const bad = structuredClone(b);
    const ind = bad.objects.find((o) => o.type === 'indicator')!;
    ind.id = 'indicator--0b8e4d2c-3c56-4ed8-a5b0-7b4a8b0d3f11';
    ind.pattern = "[ipv4-addr:value = '198.51.100.1' AND]";
    bad.objects.unshift({ ...structuredClone(ind), id: 'indicator--0b8e4d2c-3c56-4ed8-a5b0-7b4a8b0d3f12', pattern: "[ipv4-addr:value = '203.0.113.9']" });
    const before = await client.get('/api/intel/objects?type=indicator&limit=500');
    const res = await client.request('POST', '/api/intel/imports?tlp=green', JSON.stringify(bad));
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.code).toBe('STIX_BUNDLE_INVALID');
    const idx = bad.objects.indexOf(ind);
    expect(problem.errors[0].path).toBe(`objects[${idx}].pattern`);
    expect(problem.errors[0].message).toContain('indicator--0b8e4d2c-3c56-4ed8-a5b0-7b4a8b0d3f11');
    expect(problem.errors[0].message).toMatch(/invalid STIX pattern: .*offset 37/);
    const after = await client.get('/api/intel/objects?type=indicator&limit=500');
    expect(after.json().total).toBe(before.json().total);

    const schemaBad = await client.request('POST', '/api/intel/imports', JSON.stringify({ type: 'bundle', id: 'bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8', objects: [{ type: 'malware', id: 'malware--6ba7b810-9dad-11d1-80b4-00c04fd430c8', spec_version: '2.1', created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', name: 'x', is_family: 'yes' }] }));
    expect(schemaBad.statusCode).toBe(400);
    expect(schemaBad.json().errors[0]).toEqual({ path: 'objects[0].is_family', message: 'malware--6ba7b810-9dad-11d1-80b4-00c04fd430c8: must be boolean' });

    const malformed = await client.request('POST', '/api/intel/imports', '{"type": "bundle", ');
    expect(malformed.statusCode).toBe(400);
  });

  it('imports through the API as a job with progress; re-import changes nothing; versions are kept and the latest resolved', async () => {
    const base = {
      type: 'malware', spec_version: '2.1', id: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b', created: '2024-01-01T00:00:00.000Z',
      modified: '2024-01-01T00:00:00.000Z', name: 'Zebrafish', is_family: true, x_custom_field: { nested: [1, 'two'] },
      object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'], labels: ['PAP:GREEN'],
    };
    const v2 = { ...base, modified: '2024-02-01T00:00:00.000Z', name: 'Zebrafish v2' };
    const bundle = { type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [base, v2] };
    const post = await client.request('POST', '/api/intel/imports?tlp=amber&source=unit', JSON.stringify(bundle));
    expect(post.statusCode, post.body).toBe(202);
    expect(post.json()).toMatchObject({ status: 'queued', total: 2, progress: 0 });
    await t.rt.jobs.runDue();
    const done = await client.get(`/api/intel/imports/${post.json().id}`);
    expect(done.json()).toMatchObject({ status: 'done', total: 2, inserted: 2, unchanged: 0, progress: 1 });

    const again = await client.request('POST', '/api/intel/imports?tlp=amber&source=unit', JSON.stringify(bundle));
    await t.rt.jobs.runDue();
    expect((await client.get(`/api/intel/imports/${again.json().id}`)).json()).toMatchObject({ status: 'done', inserted: 0, unchanged: 2 });

    const got = await client.get(`/api/intel/objects/${base.id}`);
    expect(got.statusCode).toBe(200);
    // TLP 1.0 GREEN marking read as green; PAP kept; latest version resolved; custom property kept.
    expect(got.json().summary).toMatchObject({ name: 'Zebrafish v2', tlp: 'green', pap: 'PAP:GREEN', version: '2024-02-01T00:00:00.000Z' });
    expect(got.json().object).toEqual(v2);
    const old = await client.get(`/api/intel/objects/${base.id}?version=2024-01-01T00:00:00.000Z`);
    expect(old.json().object).toEqual(base);
    const versions = await client.get(`/api/intel/objects/${base.id}/versions`);
    expect(versions.json().map((v: { version: string }) => v.version)).toEqual(['2024-02-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z']);

    // An older version arriving later does not displace the latest.
    const ctx = actingAs(t.rt, analyst, cert, ['cert_analyst']);
    await importObjects(ctx, [{ ...base, modified: '2024-01-15T00:00:00.000Z', name: 'Zebrafish v1.5' }], { source: 'unit', sharing: CLEAR });
    expect((await getObject(ctx, base.id)).summary.name).toBe('Zebrafish v2');
    expect((await listVersions(ctx, base.id)).length).toBe(3);

    // Revoked objects are hidden from search unless asked for.
    await importObjects(ctx, [{ ...base, modified: '2024-03-01T00:00:00.000Z', revoked: true }], { source: 'unit', sharing: CLEAR });
    const q = { q: 'Zebrafish', type: undefined, tlp: undefined, includeRevoked: 'false' as const, limit: 10, offset: 0 };
    expect((await listObjects(ctx, q)).total).toBe(0);
    expect((await listObjects(ctx, { ...q, includeRevoked: 'true' })).items[0]).toMatchObject({ revoked: true });
  });

  it('searches by text, type, TLP and source', async () => {
    const r = await client.get('/api/intel/objects?q=10.0.0.0&type=indicator');
    expect(r.statusCode).toBe(200);
    expect(r.json().items.length).toBeGreaterThan(0);
    for (const i of r.json().items) expect(i.type).toBe('indicator');
    // Each indicator carries its pattern (the advisory composer's picker shows it); other types carry null.
    for (const i of r.json().items) expect(i.pattern).toEqual(expect.stringContaining('['));
    expect(r.json().items.some((i: { pattern: string }) => i.pattern.includes('10.0.0.0'))).toBe(true);
    const one = (await client.get(`/api/intel/objects/${r.json().items[0].id as string}`)).json();
    expect(one.summary.pattern).toBe(one.object.pattern);
    const bySource = await client.get('/api/intel/objects?source=unit&includeRevoked=true');
    expect(bySource.json().items.map((i: { id: string }) => i.id)).toEqual(['malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b']);
    expect(bySource.json().items[0].pattern).toBeNull();
    const byTlp = await client.get('/api/intel/objects?tlp=red,amber+strict');
    for (const i of byTlp.json().items) expect(['red', 'amber+strict']).toContain(i.tlp);
    const green = await client.get('/api/intel/objects?tlp=green&includeRevoked=true');
    expect(green.json().items.map((i: { name: string }) => i.name)).toContain('Zebrafish');
  });

  it('maps created_by_ref identities to platform orgs', async () => {
    const identity = 'identity--7a3b9c1d-2e4f-4a5b-8c6d-0e1f2a3b4c5d';
    const obj = { type: 'tool', spec_version: '2.1', id: 'tool--7a3b9c1d-2e4f-4a5b-8c6d-0e1f2a3b4c5e', created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', name: 'Attributed tool', created_by_ref: identity };
    const ctx = actingAs(t.rt, analyst, cert, ['cert_analyst']);
    await importObjects(ctx, [obj], { source: 'attr', sharing: CLEAR });
    expect((await getObject(ctx, obj.id)).summary.producerOrgId).toBeNull();
    const claim = await client.post('/api/intel/identities', { identityId: identity });
    expect(claim.statusCode, claim.body).toBe(200);
    expect((await getObject(ctx, obj.id)).summary.producerOrgId).toBe(cert.id);
    const later = { ...obj, id: 'tool--7a3b9c1d-2e4f-4a5b-8c6d-0e1f2a3b4c5f', name: 'Later tool' };
    await importObjects(ctx, [later], { source: 'attr', sharing: CLEAR });
    expect((await listObjects(ctx, { producerOrgId: cert.id, type: undefined, tlp: undefined, includeRevoked: 'false', limit: 10, offset: 0 })).items.map((i) => i.name).sort()).toEqual(['Attributed tool', 'Later tool']);
    // Another org cannot claim it.
    const other = await buildOrg(t.rt, 'service_provider');
    const otherUser = await buildUser(t.rt, other.id, ['org_admin']);
    const c2 = new Client(t.app);
    await c2.login(otherUser.email, otherUser.password);
    expect((await c2.post('/api/intel/identities', { identityId: identity })).statusCode).toBe(404);
  });

  it('computes deterministic SCO ids as the STIX 2.1 spec does', () => {
    // Expected ids computed independently with Python: uuid.uuid5(UUID('00abedb4-...'), '{"value":"198.51.100.3"}').
    expect(scoId({ type: 'ipv4-addr', value: '198.51.100.3' })).toBe('ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4');
    expect(scoId({ type: 'domain-name', value: 'example.com' })).toBe('domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7');
    expect(scoId({ type: 'process', pid: 1 })).toBeNull();
  });
});
