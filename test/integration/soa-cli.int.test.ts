import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCtx } from '../../src/cli/context.js';
import { inTx } from '../../src/core/context.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { cliRunner, type CliRunner } from '../helpers/cli.js';
import { buildOrg, buildUser, type BuiltOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { pdfText } from '../helpers/pdf-text.js';

describe(`muhafiz controls / soa commands (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  let org: BuiltOrg;
  let ownerEmail: string;
  let cli: CliRunner;

  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-soa-cli-'));
    org = await buildOrg(t.rt, 'regulated_entity', 'CLI SoA Bank');
    ownerEmail = (await buildUser(t.rt, org.id, ['control_owner'])).email;
    cli = cliRunner(t.rt, { config: () => ({ ...t.rt.config, dataDir: join(dir, 'data'), databaseUrl: undefined }) });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cli.run(...args);

  const short = async () => (await t.rt.db.kysely.selectFrom('orgs').select('short_name').where('id', '=', org.id).executeTakeFirstOrThrow()).short_name;

  it('imports applied controls all-or-nothing with line/column errors, lists and exports them, and exports the SoA', async () => {
    const s = await short();
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, `name,owner,status,requirements\nEDR,${ownerEmail},implemented,iso27001-2022:A.8.7\nSIEM,nobody@example.test,done,iso27001-2022:A.8.99\n`);
    await expect(run('controls', 'import', bad, '--org', s)).rejects.toThrow(/problem/);
    expect(cli.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^line 3, column owner: /), expect.stringMatching(/^line 3, column status: /)]));
    expect((await run('controls', 'list', '--org', s)).join('\n')).not.toContain('EDR');

    const good = join(dir, 'good.csv');
    await writeFile(good, `ref,name,owner,status,frequency,requirements\nC-100,EDR on endpoints,${ownerEmail},implemented,,iso27001-2022:A.8.7\nC-101,SIEM log collection,,partial,monthly,"iso27001-2022:A.8.15; nist-csf-2.0:DE.CM-01"\n`);
    expect(await run('controls', 'import', good, '--org', s, '--dry-run')).toEqual(['dry run: would create 2, would update 0 of 2 row(s)']);
    expect(await run('controls', 'import', good, '--org', s)).toEqual(['created 2, updated 0 of 2 row(s)']);
    expect(await run('controls', 'import', good, '--org', s)).toEqual(['created 0, updated 2 of 2 row(s)']);
    const list = (await run('controls', 'list', '--org', s)).join('\n');
    expect(list).toContain('C-101');
    expect(list).toContain('A.8.15 DE.CM-01');
    const csv = join(dir, 'controls.csv');
    await run('controls', 'export', '--org', s, '-o', csv);
    expect(await readFile(csv, 'utf8')).toContain(`C-100,EDR on endpoints,,${ownerEmail},implemented,,iso27001-2022:A.8.7`);

    const csf = (await run('soa', 'compliance', '--org', s, '--framework', 'nist-csf-2.0')).join('\n');
    expect(csf).toMatch(/NIST/);
    expect(csf).toMatch(/DE\s/);

    const x = join(dir, 'soa.xlsx');
    expect((await run('soa', 'export', '--org', s, '--format', 'xlsx', '-o', x))[0]).toMatch(/^wrote /);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(x)) as unknown as ArrayBuffer);
    expect(String(wb.worksheets[0]!.getRow(1).getCell(1).value)).toBe('Statement of Applicability - CLI SoA Bank');
    const p = join(dir, 'soa.pdf');
    await run('soa', 'export', '--org', s, '--format', 'pdf', '-o', p);
    expect(pdfText(await readFile(p)).join('\n')).toContain('A.8.7');
    const o = join(dir, 'ssp.json');
    await run('soa', 'export', '--org', s, '--format', 'oscal', '-o', o);
    expect(JSON.parse(await readFile(o, 'utf8'))['system-security-plan']['control-implementation']['implemented-requirements']).toHaveLength(93);
    await expect(run('soa', 'export', '--org', s, '--format', 'pdf', '--version', '3', '-o', p)).rejects.toThrow(/Version 3/);
  });

  it('adds a file and a link as evidence on behalf of a member, and lists them with filters', async () => {
    const s = await short();
    const good = join(dir, 'ev-controls.csv');
    await writeFile(good, `ref,name,owner,status,frequency,requirements\nC-200,Vulnerability scanning,${ownerEmail},implemented,weekly,iso27001-2022:A.8.8\n`);
    await run('controls', 'import', good, '--org', s);
    const report = join(dir, 'scan report.pdf');
    await writeFile(report, '%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

    // Errors name the option and write nothing.
    await expect(run('evidence', 'add', report, '--as', ownerEmail, '--org', s, '--control', 'C-999', '--title', 'Scan')).rejects.toThrow(/^--control C-999: no applied control/);
    await expect(run('evidence', 'add', report, '--as', ownerEmail, '--org', s, '--control', 'C-200', '--title', 'Scan', '--valid-until', '2026-13-01')).rejects.toThrow(/^--valid-until: /);
    await expect(run('evidence', 'add', join(dir, 'missing.pdf'), '--as', ownerEmail, '--org', s, '--control', 'C-200', '--title', 'Scan')).rejects.toThrow(/missing\.pdf: ENOENT/);
    await expect(run('evidence', 'add', report, '--as', 'nobody@example.test', '--org', s, '--control', 'C-200', '--title', 'Scan')).rejects.toThrow(/nobody@example\.test/);
    const viewer = (await buildUser(t.rt, org.id, ['viewer'])).email;
    await expect(run('evidence', 'add', report, '--as', viewer, '--org', s, '--control', 'C-200', '--title', 'Scan')).rejects.toMatchObject({ status: 403 });
    expect(await run('evidence', 'list', '--as', ownerEmail, '--org', s)).toEqual(['(none)']);

    const added = await run('evidence', 'add', report, '--as', ownerEmail, '--org', s, '--control', 'C-200', '--title', 'Weekly scan', '--valid-until', '2099-01-01');
    expect(added[0]).toMatch(/^added E-\d+ for C-200: scan report\.pdf, application\/pdf, \d+ bytes, sha256 [0-9a-f]{64}$/);
    const link = JSON.parse((await run('evidence', 'add', 'https://wiki.example.test/scans', '--as', ownerEmail, '--org', s, '--control', 'C-200', '--title', 'Scan procedure', '--json')).join('\n'));
    expect(link).toMatchObject({ kind: 'link', url: 'https://wiki.example.test/scans', controls: [{ ref: 'C-200' }], createdBy: { displayName: expect.any(String) } });

    const all = JSON.parse((await run('evidence', 'list', '--as', ownerEmail, '--org', s, '--control', 'C-200', '--json')).join('\n'));
    expect(all.map((e: { title: string }) => e.title).sort()).toEqual(['Scan procedure', 'Weekly scan']);
    const files = (await run('evidence', 'list', '--as', ownerEmail, '--org', s, '--kind', 'file')).join('\n');
    expect(files).toContain('Weekly scan');
    expect(files).not.toContain('Scan procedure');
    // The uploader is the member named by --as, in the audit log too.
    const logged = await inTx(cliCtx(t.rt, { id: org.id, kind: 'regulated_entity' }), (tx) => tx.selectFrom('audit_log').select(['actor_label']).where('org_id', '=', org.id).where('action', '=', 'controls.evidence_create').orderBy('seq').execute());
    expect(logged.map((r) => r.actor_label)).toEqual([`${ownerEmail} (cli)`, `${ownerEmail} (cli)`]);
  });
});
