import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { cliRunner } from '../helpers/cli.js';
import { certWorld, fullReport, type CertWorld } from '../helpers/cert-world.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`muhafiz incidents / advisories CLI (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let certShort: string;
  let bankShort: string;
  /** What `muhafiz <args>` printed, as one text. */
  const run = async (...args: string[]): Promise<string> => (await cliRunner(t.rt).run(...args)).join('\n');
  beforeAll(async () => {
    t = await testApp();
    w = await certWorld(t, 1);
    const id = (await w.banks[0]!.reporter.client.post('/api/incidents', { draft: fullReport(t.clock.now(), 1) })).json().id;
    await w.banks[0]!.reporter.client.post(`/api/incidents/${id}/stages`, { stage: 'initial' });
    const shortName = (orgId: string) =>
      t.rt.db.kysely.transaction().execute(async (tx) => {
        await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
        return (await tx.selectFrom('orgs').select('short_name').where('id', '=', orgId).executeTakeFirstOrThrow()).short_name;
      });
    certShort = await shortName(w.cert.id);
    bankShort = await shortName(w.banks[0]!.org.id);
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
  it('lists and installs regimes with their stage deadlines', async () => {
    const list = await run('regimes', 'list', '--as', w.duty.user.email, '--org', certShort);
    expect(list).toMatch(/dora\s+yes\s+DORA-like/);
    expect(list).toMatch(/initial \(Initial notification\)\s+4 h after classified, or 24 h after detected/);
    expect(list).toMatch(/final \(Final report\)\s+1 month after intermediate/);
    expect(await run('regimes', 'install', 'nis2', '--as', w.duty.user.email, '--org', certShort)).toMatch(/^installed nis2 \(NIS2/);
    expect(await run('regimes', 'list', '--as', w.duty.user.email, '--org', certShort)).toMatch(/nis2\s+NIS2.*\n\s+intermediate \(Incident notification\)\s+72 h after detected/);
    await expect(run('regimes', 'install', 'gdpr', '--as', w.duty.user.email, '--org', certShort)).rejects.toThrow(/preset: gdpr is not one of dora, nis2, local/);
    await expect(run('regimes', 'install', 'local', '--as', w.banks[0]!.reporter.user.email, '--org', bankShort)).rejects.toThrow(/does not allow regimes.manage/);
  });

  it('shows an incident with its deadlines and moves it through the lifecycle', async () => {
    const bank = w.banks[0]!.reporter.client;
    const id = (await bank.post('/api/incidents', { draft: fullReport(t.clock.now(), 1, { title: 'CLI lifecycle' }) })).json().id as string;
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const shown = await run('incidents', 'show', id, '--as', w.duty.user.email, '--org', certShort);
    expect(shown).toContain('CLI lifecycle');
    expect(shown).toMatch(/initial\s+met/);
    expect(shown).toMatch(/intermediate\s+open\s+\S+Z\s+-\s+72 h after initial/);
    expect(await run('incidents', 'transition', id, 'triage', '--as', w.duty.user.email, '--org', certShort, '--reason', 'looks real')).toMatch(/is now triage$/);
    await expect(run('incidents', 'transition', id, 'closedd', '--as', w.duty.user.email, '--org', certShort)).rejects.toThrow(/state: closedd is not one of new, triage/);
    await expect(run('incidents', 'transition', id, 'recovery', '--as', w.duty.user.email, '--org', certShort)).rejects.toThrow(/triage|not allowed/i);
    // The entity sees its own incident, another org's member gets not found.
    expect(await run('incidents', 'show', id, '--as', w.banks[0]!.reporter.user.email, '--org', bankShort)).toMatch(/triage/);
  });

  it('records an acknowledgement and shows per-org progress', async () => {
    const id = (await w.analyst.client.post('/api/advisories', { title: 'Rotate VPN keys', tlp: 'green', severity: 'high', description: 'd', recommendedActions: 'r', audience: { kind: 'all' } })).json().id as string;
    await run('advisories', 'publish', id, '--as', w.duty.user.email, '--org', certShort);
    expect(await run('advisories', 'progress', id, '--as', w.duty.user.email, '--org', certShort)).toMatch(/SILENT[\s\S]*0 of 1 acknowledged/);
    await expect(run('advisories', 'respond', id, '--as', w.banks[0]!.reporter.user.email, '--org', bankShort, '--remediation-date', '1st of May')).rejects.toThrow(/^--remediation-date: /);
    const r = await run('advisories', 'respond', id, '--as', w.banks[0]!.reporter.user.email, '--org', bankShort, '--ack', '--applicability', 'affected', '--remediation', 'in_progress', '--remediation-date', '2026-12-01');
    expect(r).toMatch(/acknowledged, affected, remediation in_progress by 2026-12-01$/);
    const p = await run('advisories', 'progress', id, '--as', w.duty.user.email, '--org', certShort);
    expect(p).toMatch(/affected\s+in_progress\s+2026-12-01/);
    expect(p).toMatch(/1 of 1 acknowledged, 1 affected, 0 remediated$/);
    await expect(run('advisories', 'progress', id, '--as', w.banks[0]!.reporter.user.email, '--org', bankShort)).rejects.toThrow(/not found/i);
  });

  it('attaches a file to a report as its reporter; the CERT cannot, and nothing is stored for a refused one', async () => {
    const bank = w.banks[0]!.reporter;
    const id = (await bank.client.post('/api/incidents', { draft: fullReport(t.clock.now(), 1, { title: 'CLI attachment' }) })).json().id as string;
    expect((await bank.client.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);
    const dir = await mkdtemp(join(tmpdir(), 'muhafiz-cli-attach-'));
    const log = join(dir, 'firewall.log');
    await writeFile(log, `2026-12-01T08:00:00Z DENY 203.0.113.7 -> 10.0.0.5:443 ${id}\n`);
    const out = await run('incidents', 'attach', id, log, '--as', bank.user.email, '--org', bankShort, '--description', 'perimeter log');
    expect(out).toMatch(/^attached firewall\.log \(text\/plain, \d+ bytes, sha256 [0-9a-f]{64}\) as [0-9a-f-]{36}$/);
    const listed = (await bank.client.get(`/api/incidents/${id}/attachments`)).json();
    expect(listed).toMatchObject([{ filename: 'firewall.log', description: 'perimeter log', mediaType: 'text/plain' }]);
    // The serving CERT may read but not attach; the check comes before the file is read.
    const before = await t.rt.files.exists(listed[0].sha256);
    const other = join(dir, 'other.log');
    await writeFile(other, `not stored ${id}`);
    await expect(run('incidents', 'attach', id, other, '--as', w.duty.user.email, '--org', certShort)).rejects.toMatchObject({ status: 403 });
    await expect(run('incidents', 'attach', id, join(dir, 'missing.log'), '--as', bank.user.email, '--org', bankShort)).rejects.toThrow(/missing\.log: ENOENT/);
    expect(before).toBe(true);
    expect(await t.rt.files.exists(createHash('sha256').update(`not stored ${id}`).digest('hex'))).toBe(false);
  });
});
