import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../src/core/context.js';
import { assertAssetsExist, getAssetsByIds } from '../../src/domains/assets/service.js';
import { testApp, Client, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe(`assets (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let org: BuiltOrg;
  let other: BuiltOrg;
  let admin: BuiltUser;
  let owner: BuiltUser;
  let c: Client;
  let outsider: Client;
  beforeAll(async () => {
    t = await testApp();
    org = await buildOrg(t.rt);
    other = await buildOrg(t.rt);
    admin = await buildUser(t.rt, org.id, ['isms_manager', 'org_admin']);
    owner = await buildUser(t.rt, org.id, ['risk_owner']);
    const otherAdmin = await buildUser(t.rt, other.id, ['org_admin']);
    c = new Client(t.app);
    expect((await c.login(admin.email, admin.password)).statusCode).toBe(200);
    outsider = new Client(t.app);
    expect((await outsider.login(otherAdmin.email, otherAdmin.password)).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('creates, reads, filters, updates and deletes with audit; other orgs get 404', async () => {
    const db = await c.post('/api/assets', { name: 'Core banking DB', type: 'software', ownerId: owner.id, confidentiality: 5, integrity: 5, availability: 4, tags: ['pci', 'core'], reviewDueOn: '2026-12-31' });
    expect(db.statusCode, db.body).toBe(201);
    expect(db.json()).toMatchObject({ criticality: 5, owner: { id: owner.id }, reviewDueOn: '2026-12-31', tags: ['pci', 'core'], actions: ['update', 'delete'] });
    const srv = await c.post('/api/assets', { name: 'DB server 1', type: 'hardware', confidentiality: 2, integrity: 2, availability: 3, location: 'DC Istanbul' });
    expect(srv.json().criticality).toBe(3);
    const dep = await c.patch(`/api/assets/${db.json().id}`, { dependsOn: [srv.json().id] });
    expect(dep.statusCode, dep.body).toBe(200);
    expect(dep.json().dependsOn.map((d: { name: string }) => d.name)).toEqual(['DB server 1']);
    expect((await c.get(`/api/assets/${srv.json().id}`)).json().dependents[0].id).toBe(db.json().id);

    expect((await c.get('/api/assets?type=hardware')).json().items.map((a: { name: string }) => a.name)).toEqual(['DB server 1']);
    expect((await c.get('/api/assets?tag=pci')).json().total).toBe(1);
    expect((await c.get(`/api/assets?ownerId=${owner.id}`)).json().total).toBe(1);
    expect((await c.get('/api/assets?minCriticality=4')).json().total).toBe(1);
    expect((await c.get('/api/assets?q=istanbul')).json().items[0].name).toBe('DB server 1');
    expect((await c.get('/api/assets?sort=criticality&order=desc&limit=1')).json()).toMatchObject({ total: 2, items: [{ name: 'Core banking DB' }] });

    // Field-level errors.
    const bad = await c.post('/api/assets', { name: '', type: 'robot', confidentiality: 9, integrity: 1, availability: 1, extra: 1 });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.type', 'body.confidentiality']));
    const bad2 = await c.post('/api/assets', { name: 'x', type: 'robot', confidentiality: 9, integrity: 1, availability: 1 });
    expect(bad2.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.type', 'body.confidentiality']));
    const dup = await c.post('/api/assets', { name: 'core banking db', type: 'software', confidentiality: 1, integrity: 1, availability: 1 });
    expect(dup.json()).toMatchObject({ code: 'ASSET_EXISTS', errors: [{ path: 'body.name' }] });
    const stranger = await c.post('/api/assets', { name: 'y', type: 'site', ownerId: '00000000-0000-4000-8000-000000000000', confidentiality: 1, integrity: 1, availability: 1 });
    expect(stranger.json().errors[0].path).toBe('body.ownerId');
    const self = await c.request('PUT', `/api/assets/${srv.json().id}/dependencies`, { dependsOn: [srv.json().id] });
    expect(self.json().errors[0].path).toBe('body.dependsOn');

    // Another org sees nothing and cannot touch it.
    expect((await outsider.get(`/api/assets/${db.json().id}`)).json().code).toBe('ASSET_NOT_FOUND');
    expect((await outsider.patch(`/api/assets/${db.json().id}`, { name: 'pwned' })).statusCode).toBe(404);
    expect((await outsider.delete(`/api/assets/${db.json().id}`)).statusCode).toBe(404);
    expect((await outsider.get('/api/assets')).json().total).toBe(0);
    const crossDep = await outsider.post('/api/assets', { name: 'z', type: 'site', confidentiality: 1, integrity: 1, availability: 1, dependsOn: [db.json().id] });
    expect(crossDep.json().code).toBe('ASSET_NOT_FOUND');

    const del = await c.delete(`/api/assets/${srv.json().id}`);
    expect(del.statusCode).toBe(204);
    const log = (await c.get('/api/audit-log?action=assets')).json();
    expect(log.items.map((i: { action: string }) => i.action)).toEqual(expect.arrayContaining(['assets.create', 'assets.update', 'assets.delete']));
  });

  it('service functions for other domains see only the acting org', async () => {
    const mine = (await c.post('/api/assets', { name: 'Mail service', type: 'service', confidentiality: 3, integrity: 3, availability: 3 })).json();
    const theirs = (await outsider.post('/api/assets', { name: 'Their thing', type: 'service', confidentiality: 3, integrity: 3, availability: 3 })).json();
    const ctx = actingAs(t.rt, admin, org, ['isms_manager']);
    expect((await getAssetsByIds(ctx, [mine.id, theirs.id])).map((a) => a.id)).toEqual([mine.id]);
    await expect(inTx(ctx, (tx) => assertAssetsExist(tx, ctx, [mine.id, theirs.id]))).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' });
    await expect(inTx(ctx, (tx) => assertAssetsExist(tx, ctx, [mine.id]))).resolves.toHaveLength(1);
  });

  it('a CSV with several bad rows reports every problem with line and column and writes nothing', async () => {
    const csv = [
      'name,type,owner,confidentiality,integrity,availability,review_due_on,tags,depends_on',
      'Payments API,service,' + owner.email + ',4,4,5,2027-01-31,pci;api,Payments DB',
      'Payments DB,software,,high,very high,4,,pci,',
      ',hardware,,1,1,1,,,',
      'Laptop fleet,gadget,nobody@example.test,7,1,1,2027-02-30,,',
      '"Branch ""Kadikoy""\nsite",site,,1,1,1,,,Ghost asset',
      'Payments API,service,,1,1,1,,,',
    ].join('\n');
    const before = (await c.get('/api/assets')).json().total;
    const dry = await c.post('/api/assets/import', { format: 'csv', content: b64(csv), dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().committed).toBe(false);
    expect(dry.json().errors).toEqual([
      { line: 4, column: 'name', message: 'required' },
      { line: 5, column: 'type', message: expect.stringContaining('must be one of') },
      { line: 5, column: 'owner', message: 'nobody@example.test is not a member of this organisation' },
      { line: 5, column: 'confidentiality', message: expect.stringContaining('"7" is not a rating') },
      { line: 5, column: 'review_due_on', message: '"2027-02-30" is not a date YYYY-MM-DD' },
      { line: 6, column: 'depends_on', message: 'no asset named "Ghost asset" in the file or the inventory' },
      { line: 8, column: 'name', message: 'duplicate of line 2' },
    ]);
    const commit = await c.post('/api/assets/import', { format: 'csv', content: b64(csv), dryRun: false });
    expect(commit.statusCode).toBe(400);
    expect(commit.json().code).toBe('ASSET_IMPORT_INVALID');
    expect(commit.json().errors[0]).toEqual({ path: 'line 4, column name', message: 'required' });
    expect(commit.json().errors).toHaveLength(7);
    expect((await c.get('/api/assets')).json().total).toBe(before);

    const unknownCol = await c.post('/api/assets/import', { format: 'csv', content: b64('name,kind\nx,site\n'), dryRun: true });
    expect(unknownCol.json().errors).toEqual([
      { line: 1, column: 'kind', message: expect.stringContaining('unknown column') },
      { line: 1, column: 'type', message: 'required column is missing' },
    ]);
  });

  it('imports 50 assets from a generated XLSX, then exports and re-imports the export unchanged', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('inventory');
    ws.addRow(['Name', 'Type', 'Owner', 'Custodian', 'Location', 'Confidentiality', 'Integrity', 'Availability', 'Acquired_on', 'Tags', 'Depends_on']);
    const types = ['information', 'software', 'hardware', 'service', 'people', 'site', 'supplier'];
    for (let i = 1; i <= 50; i++) {
      ws.addRow([`XL asset ${String(i).padStart(2, '0')}`, types[i % 7], i % 2 ? owner.email : '', admin.email, `Rack ${i % 5}`, (i % 5) + 1, 'medium', i % 3 === 0 ? 'Very High' : 2, new Date(Date.UTC(2024, 0, i)), `batch;t${i % 4}`, i > 1 ? `XL asset ${String(i - 1).padStart(2, '0')}` : '']);
    }
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const dry = await c.post('/api/assets/import', { format: 'xlsx', content: b64(buf), dryRun: true });
    expect(dry.json()).toMatchObject({ rows: 50, created: 50, updated: 0, errors: [], committed: false });
    expect((await c.get('/api/assets?tag=batch')).json().total).toBe(0);
    const done = await c.post('/api/assets/import', { format: 'xlsx', content: b64(buf), dryRun: false });
    expect(done.json()).toMatchObject({ rows: 50, created: 50, committed: true });
    const listed = (await c.get('/api/assets?tag=batch&limit=100')).json();
    expect(listed.total).toBe(50);
    const a3 = listed.items.find((a: { name: string }) => a.name === 'XL asset 03');
    expect(a3).toMatchObject({ type: 'service', owner: { id: owner.id }, custodian: { id: admin.id }, confidentiality: 4, integrity: 3, availability: 5, criticality: 5, acquiredOn: '2024-01-03', tags: ['batch', 't3'] });
    expect((await c.get(`/api/assets/${a3.id}`)).json().dependsOn[0].name).toBe('XL asset 02');

    const page2 = (await c.get('/api/assets?tag=batch&limit=20&offset=40&sort=name')).json();
    expect(page2.items.map((a: { name: string }) => a.name)).toEqual(Array.from({ length: 10 }, (_, i) => `XL asset ${41 + i}`));

    const xlsx = await c.get('/api/assets/export?format=xlsx&tag=batch');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(back.worksheets[0]!.rowCount).toBe(51);
    const csv = await c.get('/api/assets/export?format=csv&tag=batch');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('name,type,description,owner,custodian,location,confidentiality,integrity,availability,criticality,acquired_on,review_due_on,retired_on,tags,depends_on');
    const again = await c.post('/api/assets/import', { format: 'csv', content: b64(csv.rawPayload), dryRun: false });
    expect(again.json()).toMatchObject({ rows: 50, created: 0, updated: 50, errors: [], committed: true });
    expect((await c.get(`/api/assets/${a3.id}`)).json()).toMatchObject({ criticality: 5, tags: ['batch', 't3'], dependsOn: [{ name: 'XL asset 02' }] });
  });

  it('the dependency graph returns nodes and edges and flags a cycle', async () => {
    const mk = async (name: string) => (await c.post('/api/assets', { name, type: 'service', confidentiality: 2, integrity: 2, availability: 2 })).json().id as string;
    const a = await mk('DC A');
    const b = await mk('DC B');
    const app = await mk('Trading app');
    await c.request('PUT', `/api/assets/${a}/dependencies`, { dependsOn: [b] });
    await c.request('PUT', `/api/assets/${b}/dependencies`, { dependsOn: [a] });
    await c.request('PUT', `/api/assets/${app}/dependencies`, { dependsOn: [a] });
    const g = (await c.get(`/api/assets/graph?root=${app}&depth=2`)).json();
    expect(g.nodes.map((n: { name: string }) => n.name).sort()).toEqual(['DC A', 'DC B', 'Trading app']);
    expect(g.edges).toHaveLength(3);
    expect(g.cycles).toHaveLength(1);
    expect(g.cycles[0].sort()).toEqual([a, b].sort());
    expect(g.edges.find((e: { from: string }) => e.from === app).inCycle).toBe(false);
    expect(g.nodes.find((n: { id: string }) => n.id === a).inCycle).toBe(true);
    const whole = (await c.get('/api/assets/graph')).json();
    expect(whole.nodes.length).toBeGreaterThan(50);
  });
});
