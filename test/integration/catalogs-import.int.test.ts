import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, Client, expectProblem, type TestApp } from '../helpers/app.js';
import { cliRunner, type CliRunner } from '../helpers/cli.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { buildOrg, buildUser } from '../helpers/factories.js';
import { sharedData } from '../helpers/shared-data.js';

const SP80053 = sharedData('oscal/content/sp800-53-rev5-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json');
const BASIC = sharedData('oscal/content/examples/basic-catalog.json');

/** OSCAL import, the HTTP API and the CLI, on a platform administrator and an ordinary member. */
describe(`catalogs: OSCAL import, API and CLI (${TEST_DRIVER})`, () => {
  let cli: CliRunner;
  let t: TestApp;
  let admin: Client;
  let staff: Client;
  let dir: string;

  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-catalogs-'));
    const org = await buildOrg(t.rt);
    const a = await buildUser(t.rt, org.id, ['org_admin'], { platformAdmin: true });
    const s = await buildUser(t.rt, org.id, ['staff']);
    admin = new Client(t.app);
    staff = new Client(t.app);
    expect((await admin.login(a.email, a.password)).statusCode).toBe(200);
    expect((await staff.login(s.email, s.password)).statusCode).toBe(200);
    cli = cliRunner(t.rt);
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cli.run(...args);

  it('imports SP 800-53 rev5 (1,189 controls and enhancements) through the API, idempotently', async () => {
    const body = await readFile(SP80053, 'utf8');
    const r = await admin.request('POST', '/api/catalogs/imports?key=sp800-53-rev5', body, { 'content-type': 'application/json' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ key: 'sp800-53-rev5', status: 'created', requirements: 1209, kinds: { family: 20, control: 322, enhancement: 867 }, schemaVersion: '1.1.2' });
    const again = await admin.request('POST', '/api/catalogs/imports?key=sp800-53-rev5', body, { 'content-type': 'application/json' });
    expect(again.json()).toMatchObject({ status: 'unchanged', requirements: 1209 });

    const controls = (await staff.get('/api/catalogs/sp800-53-rev5/requirements?kind=control,enhancement&limit=1')).json();
    expect(controls.total).toBe(1189);
    const ac21 = (await staff.get('/api/catalogs/sp800-53-rev5/requirements/ac-2.1')).json();
    expect(ac21).toMatchObject({ ref: 'ac-2.1', label: 'AC-2(1)', kind: 'enhancement', parentRef: 'ac-2', theme: 'ac', parents: [{ ref: 'ac' }, { ref: 'ac-2' }] });
    expect(ac21.statement).toMatch(/Support the management of system accounts using \[Assignment: organization-defined automated mechanisms\]/);
    expect((await staff.get('/api/catalogs/sp800-53-rev5/requirements?q=AC-2(1)')).json().items[0]).toMatchObject({ ref: 'ac-2.1' });
    expect((await staff.get('/api/catalogs/sp800-53-rev5/requirements?attr=status:withdrawn&limit=1')).json().total).toBe(182);
    const fw = (await staff.get('/api/catalogs/sp800-53-rev5')).json();
    expect(fw).toMatchObject({ origin: 'imported', requirementCount: 1209, kinds: { family: 20, control: 322, enhancement: 867 } });
    const audit = (await admin.get('/api/audit-log?action=catalogs.import')).json();
    expect(audit.items.filter((e: { entityId: string }) => e.entityId === 'sp800-53-rev5')).toHaveLength(1);
  });

  it('replaces a same-key catalog in place: changed titles updated, removed controls gone', async () => {
    const doc = JSON.parse(await readFile(BASIC, 'utf8'));
    const first = await admin.post('/api/catalogs/imports?key=basic-example', doc);
    expect(first.json()).toMatchObject({ status: 'created' });
    const before = (await staff.get('/api/catalogs/basic-example/requirements?limit=500')).json();
    const controls = before.items.filter((r: { kind: string }) => r.kind === 'control');
    expect(controls.length).toBeGreaterThan(1);
    const gone = controls.at(-1).ref as string;
    // Change the first control's title and drop the last control.
    const walk = (node: { controls?: Array<{ id: string; title: string }>; groups?: unknown[] }) => {
      if (node.controls) {
        node.controls = node.controls.filter((c) => c.id !== gone);
        for (const c of node.controls) if (c.id === controls[0].ref) c.title = 'Renamed control';
        if (node.controls.length === 0) delete node.controls;
      }
      for (const g of (node.groups ?? []) as Array<typeof node>) walk(g);
    };
    walk(doc.catalog);
    const second = await admin.post('/api/catalogs/imports?key=basic-example', doc);
    expect(second.json()).toMatchObject({ status: 'replaced', requirements: before.total - 1 });
    const after = (await staff.get('/api/catalogs/basic-example/requirements?limit=500')).json();
    expect(after.total).toBe(before.total - 1);
    expect(after.items.find((r: { ref: string }) => r.ref === controls[0].ref).title).toBe('Renamed control');
    expect(after.items.some((r: { ref: string }) => r.ref === gone)).toBe(false);
  });

  it('rejects invalid OSCAL with the JSON path of the first problem and stores nothing', async () => {
    const doc = JSON.parse(await readFile(BASIC, 'utf8'));
    delete doc.catalog.groups[0].groups[0].controls[0].title;
    const bad = expectProblem(await admin.post('/api/catalogs/imports?key=broken', doc), 400, 'CATALOG_OSCAL_INVALID');
    expect(bad.errors).toEqual([{ path: '$.catalog.groups[0].groups[0].controls[0].title', message: 'is required' }]);
    const noVersion = JSON.parse(await readFile(BASIC, 'utf8'));
    noVersion.catalog.metadata['oscal-version'] = '0.9';
    expect(expectProblem(await admin.post('/api/catalogs/imports?key=broken', noVersion), 400, 'CATALOG_OSCAL_INVALID').errors![0]!.path).toBe('$.catalog.metadata.oscal-version');
    const dup = JSON.parse(await readFile(BASIC, 'utf8'));
    dup.catalog.groups[0].groups[0].controls[1].id = dup.catalog.groups[0].groups[0].controls[0].id;
    expect(expectProblem(await admin.post('/api/catalogs/imports?key=broken', dup), 400, 'CATALOG_OSCAL_INVALID').errors![0]!.path).toBe('$.catalog.groups[0].groups[0].controls[1].id');
    expect((await staff.get('/api/catalogs')).json().map((f: { key: string }) => f.key)).not.toContain('broken');
    expectProblem(await staff.get('/api/catalogs/broken'), 404, 'CATALOG_NOT_FOUND');
    const audit = (await admin.get('/api/audit-log?action=catalogs.import')).json();
    expect(audit.items.some((e: { entityId: string }) => e.entityId === 'broken')).toBe(false);
  });

  it('lets only platform administrators import, and never over a shipped key', async () => {
    expectProblem(await staff.post('/api/catalogs/imports?key=mine', JSON.parse(await readFile(BASIC, 'utf8'))), 403, 'FORBIDDEN');
    expectProblem(await admin.post('/api/catalogs/imports?key=iso27001-2022', JSON.parse(await readFile(BASIC, 'utf8'))), 409, 'CATALOG_KEY_RESERVED');
    expectProblem(await new Client(t.app).get('/api/catalogs'), 401, 'UNAUTHENTICATED');
  });

  it('browses with search, attribute filters, tree levels and mappings side by side', async () => {
    const list = (await staff.get('/api/catalogs')).json();
    expect(list.slice(0, 2).map((f: { key: string }) => f.key).sort()).toEqual(['iso27001-2022', 'nist-csf-2.0']);
    const fw = (await staff.get('/api/catalogs/iso27001-2022')).json();
    expect(fw.kinds).toMatchObject({ clause: 41, theme: 4, control: 93 });
    expect(fw.attributes.control_type.map((f: { value: string }) => f.value).sort()).toEqual(['corrective', 'detective', 'preventive']);
    expect(fw.mappedFrameworks).toEqual(['nist-csf-2.0']);
    const dr = (await staff.get('/api/catalogs/iso27001-2022/requirements?attr=control_type:detective&attr=cybersecurity_concepts:respond')).json();
    expect(dr.items.map((r: { ref: string }) => r.ref)).toEqual(['A.5.7', 'A.5.25', 'A.8.16']);
    expect((await staff.get('/api/catalogs/iso27001-2022/requirements?isNew=true')).json().total).toBe(11);
    expect((await staff.get('/api/catalogs/iso27001-2022/requirements?q=malware')).json().items.map((r: { ref: string }) => r.ref)).toEqual(['A.8.7']);
    expect((await staff.get('/api/catalogs/nist-csf-2.0/requirements?parent=root')).json().items.map((r: { ref: string }) => r.ref)).toEqual(['GV', 'ID', 'PR', 'DE', 'RS', 'RC']);
    expect((await staff.get('/api/catalogs/nist-csf-2.0/requirements?parent=GV.OC')).json().total).toBe(5);
    expect((await staff.get('/api/catalogs/nist-csf-2.0/requirements?kind=category&limit=1&offset=21')).json()).toMatchObject({ total: 22, items: [{ kind: 'category' }] });
    expectProblem(await staff.get('/api/catalogs/iso27001-2022/requirements?attr=detective'), 400, 'VALIDATION_FAILED');
    const side = (await staff.get('/api/catalogs/iso27001-2022/mappings?to=nist-csf-2.0&refs=A.8.16')).json();
    expect(side.map((m: { toRef: string }) => m.toRef)).toContain('DE.CM-01');
    const detail = (await staff.get('/api/catalogs/nist-csf-2.0/requirements/GV.RM-07')).json();
    expect(detail.mappings.find((m: { toRef: string }) => m.toRef === '6.1.1')).toMatchObject({ toFramework: 'iso27001-2022', relationship: 'intersect' });
    expectProblem(await staff.get('/api/catalogs/iso27001-2022/requirements/A.9.1'), 404, 'CATALOG_REQUIREMENT_NOT_FOUND');
    const openapi = (await staff.get('/api/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/catalogs', '/api/catalogs/imports', '/api/catalogs/{key}/requirements', '/api/catalogs/{key}/mappings']));
    const csv = await staff.get('/api/catalogs/iso27001-2022/export?format=csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(139);
    expect(csv.body).toContain('"iso27001-2022","A.8.7"');
  });

  it('runs catalogs list, import and export from the CLI', async () => {
    expect((await run('catalogs', 'import', BASIC, '--key', 'cli-basic'))[0]).toMatch(/^created cli-basic \(.+\): \d+ requirements \(.*control.*\), OSCAL schema v1\.1\.2/);
    expect((await run('catalogs', 'import', BASIC, '--key', 'cli-basic'))[0]).toMatch(/^unchanged cli-basic/);
    const list = await run('catalogs', 'list', '--json');
    expect(JSON.parse(list.join('\n')).map((f: { key: string }) => f.key)).toEqual(expect.arrayContaining(['iso27001-2022', 'nist-csf-2.0', 'cli-basic']));
    await run('catalogs', 'export', 'nist-csf-2.0', '--format', 'json');
    const exported = JSON.parse(cli.written);
    expect(exported.requirements).toHaveLength(134);
    expect(exported.mappings).toHaveLength(483);
    const out = join(dir, 'iso.csv');
    await run('catalogs', 'export', 'iso27001-2022', '--out', out);
    expect((await readFile(out, 'utf8')).startsWith('framework,ref,label,parent,kind')).toBe(true);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ catalog: { uuid: 'x', metadata: { title: 'Bad', 'oscal-version': '1.1.2' } } }));
    expect((await run('catalogs', 'import', bad))[0]).toMatch(/^Not a valid OSCAL catalog: \$\.catalog\.uuid /);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });
});
