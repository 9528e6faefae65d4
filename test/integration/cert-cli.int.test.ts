import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/program.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, type CertWorld } from '../helpers/cert-world.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`muhafiz incidents / advisories CLI (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let certShort: string;
  const run = async (...args: string[]): Promise<string> => {
    const lines: string[] = [];
    const cli: CliContext = {
      config: () => t.rt.config,
      withRuntime: (fn) => fn(t.rt),
      out: (text) => void lines.push(text),
      write: async (chunk) => void lines.push(chunk),
      progress: () => ({ update: () => undefined, end: () => undefined }),
    };
    await buildProgram(cli).exitOverride().parseAsync(['node', 'muhafiz', ...args]);
    return lines.join('\n');
  };
  beforeAll(async () => {
    t = await testApp();
    w = await certWorld(t, 1);
    const id = (await w.banks[0]!.reporter.client.post('/api/incidents', { draft: fullReport(t.clock.now(), 1) })).json().id;
    await w.banks[0]!.reporter.client.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    certShort = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return (await tx.selectFrom('orgs').select('short_name').where('id', '=', w.cert.id).executeTakeFirstOrThrow()).short_name;
    });
  });
  afterAll(async () => t.close());

  it('lists the CERT queue as the duty officer and exports it to XLSX', async () => {
    const out = await run('incidents', 'list', '--as', w.duty.user.email, '--org', certShort, '--sort', 'deadline');
    expect(out).toContain('Card payment outage after ransomware');
    expect(out).toContain('MAJOR');
    expect(out).toMatch(/1 of 1$/);
    const dir = await mkdtemp(join(tmpdir(), 'muhafiz-cli-'));
    const file = join(dir, 'q.xlsx');
    expect(await run('incidents', 'export', '--as', w.duty.user.email, '--org', certShort, '--out', file)).toContain('wrote');
    expect((await readFile(file)).subarray(0, 2).toString()).toBe('PK');
  });

  it('publishes an advisory and lists it', async () => {
    const draft = await w.analyst.client.post('/api/advisories', { title: 'Patch the gateway', tlp: 'green', severity: 'high', description: 'd', recommendedActions: 'r', audience: { kind: 'all' } });
    const id = draft.json().id;
    expect(await run('advisories', 'publish', id, '--as', w.duty.user.email, '--org', certShort)).toContain('to 1 organisation(s)');
    expect(await run('advisories', 'list', '--as', w.duty.user.email, '--org', certShort, '--status', 'published')).toContain('Patch the gateway');
  });

  it('refuses a user who is not a member of the org', async () => {
    await expect(run('incidents', 'list', '--as', w.banks[0]!.reporter.user.email, '--org', certShort)).rejects.toThrow(/is not a member of/);
  });
});
