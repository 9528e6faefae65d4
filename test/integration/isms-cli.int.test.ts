import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser, type BuiltOrg } from '../helpers/factories.js';
import { cliRunner, type CliRunner } from '../helpers/cli.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`muhafiz assets / risks commands (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  let org: BuiltOrg;
  let ownerEmail: string;
  let cli: CliRunner;

  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-isms-cli-'));
    cli = cliRunner(t.rt, { config: () => ({ ...t.rt.config, dataDir: join(dir, 'data'), databaseUrl: undefined }) });
    org = await buildOrg(t.rt, 'regulated_entity', 'CLI Bank');
    ownerEmail = (await buildUser(t.rt, org.id, ['isms_manager'])).email;
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cli.run(...args);

  const short = async () => (await t.rt.db.kysely.selectFrom('orgs').select('short_name').where('id', '=', org.id).executeTakeFirstOrThrow()).short_name;

  it('dry-runs a bad CSV (every problem listed), imports a good XLSX, exports CSV, XLSX and the risk register', async () => {
    const s = await short();
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'name,type,owner\nA,site,nobody@example.test\nB,robot,\n');
    const out = await run('assets', 'import', bad, '--org', s, '--dry-run');
    expect(out).toEqual([
      'line 2, column owner: nobody@example.test is not a member of this organisation',
      'line 3, column type: must be one of information, software, hardware, service, people, site, supplier',
      '2 problem(s) in 2 row(s); nothing was written',
    ]);
    process.exitCode = undefined;
    await expect(run('assets', 'import', bad, '--org', s)).rejects.toMatchObject({ code: 'ASSET_IMPORT_INVALID' });

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('x');
    ws.addRow(['name', 'type', 'owner', 'availability']);
    ws.addRow(['Core switch', 'hardware', ownerEmail, 'very high']);
    ws.addRow(['Branch LAN', 'service', '', 3]);
    const xlsx = join(dir, 'good.xlsx');
    await writeFile(xlsx, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(await run('assets', 'import', xlsx, '--org', s, '--dry-run')).toEqual(['dry run: would create 2, would update 0 of 2 row(s); nothing was written']);
    expect(await run('assets', 'import', xlsx, '--org', s)).toEqual(['created 2, updated 0 of 2 row(s)']);

    await run('assets', 'export', '--org', s);
    expect(cli.written.split('\r\n').slice(0, 3)).toEqual([
      'name,type,description,owner,custodian,location,confidentiality,integrity,availability,criticality,acquired_on,review_due_on,retired_on,tags,depends_on',
      'Branch LAN,service,,,,,3,3,3,3,,,,,',
      `Core switch,hardware,,${ownerEmail},,,3,3,5,5,,,,,`,
    ]);
    const out2 = join(dir, 'a.xlsx');
    await run('assets', 'export', '--org', s, '--format', 'xlsx', '-o', out2);
    const back = new ExcelJS.Workbook();
    await back.xlsx.load((await readFile(out2)) as unknown as ArrayBuffer);
    expect(back.worksheets[0]!.rowCount).toBe(3);
    const pdf = join(dir, 'r.pdf');
    await run('risks', 'export', '--org', s, '--format', 'pdf', '-o', pdf);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(run('assets', 'export', '--org', 'no-such-org')).rejects.toMatchObject({ code: 'ORG_NOT_FOUND' });
  });
});
