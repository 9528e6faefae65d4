import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { cliRunner } from '../helpers/cli.js';
import { buildOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { sharedData } from '../helpers/shared-data.js';

/** `muhafiz intel import|export` in-process against the test runtime. */
describe(`muhafiz intel (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-intel-cli-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cliRunner(t.rt).run(...args);

  it('imports a bundle (idempotently) under an org and exports what that org sees', async () => {
    const cert = await buildOrg(t.rt, 'cert');
    const short = (await t.rt.db.kysely.transaction().execute(async (tx) => {
      await (await import('kysely')).sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('orgs').select('short_name').where('id', '=', cert.id).executeTakeFirstOrThrow();
    })).short_name;
    const file = sharedData('attack', 'ics-attack-18.1.json');
    expect((await run('intel', 'import', file, '--org', short, '--tlp', 'clear', '--source', 'mitre-ics'))[0]).toMatch(/^imported 1826 objects in [\d.]+ s: 1826 new versions, 0 unchanged/);
    expect((await run('intel', 'import', file, '--org', short, '--tlp', 'clear'))[0]).toMatch(/0 new versions, 1826 unchanged/);
    const out = join(dir, 'out.json');
    expect(await run('intel', 'export', out, '--org', short)).toEqual([`exported 1826 objects to ${out}`]);
    const original = JSON.parse(await readFile(file, 'utf8')) as { objects: Array<{ id: string }> };
    const exported = JSON.parse(await readFile(out, 'utf8')) as { objects: Array<{ id: string }> };
    const byId = new Map(original.objects.map((o) => [o.id, o]));
    for (const o of exported.objects) expect(o).toEqual(byId.get(o.id));

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ type: 'bundle', id: 'bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8', objects: [{ type: 'tool', id: 'tool--6ba7b810-9dad-11d1-80b4-00c04fd430c8', spec_version: '2.1', created: '2020-01-01T00:00:00.000Z', modified: '2019-01-01T00:00:00.000Z', name: 'x' }] }));
    const errLines: string[] = [];
    const origError = console.error;
    console.error = (...a: unknown[]) => void errLines.push(a.join(' '));
    try {
      await run('intel', 'import', bad, '--org', short);
    } finally {
      console.error = origError;
    }
    expect(errLines.join('\n')).toContain('objects[0].modified: tool--6ba7b810-9dad-11d1-80b4-00c04fd430c8: modified 2019-01-01T00:00:00.000Z is earlier than created');
    process.exitCode = 0;
  });
});
