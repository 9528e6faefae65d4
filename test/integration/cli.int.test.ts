import type { Command } from 'commander';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../src/core/context.js';
import { systemActor } from '../../src/core/access/index.js';
import { usersCreate } from '../../src/cli/users.js';
import { errorLine } from '../../src/main.js';
import { fromRoot } from '../../src/core/paths.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { cliRunner, type CliRunner } from '../helpers/cli.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`muhafiz command line (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  let cli: CliRunner;

  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-cli-test-'));
    cli = cliRunner(t.rt, { config: () => ({ ...t.rt.config, dataDir: join(dir, 'data'), databaseUrl: undefined }) });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cli.run(...args);

  const fails = async (args: string[], message: RegExp) => {
    const err = await run(...args).then(() => null, (e: unknown) => e);
    expect(err, `muhafiz ${args.join(' ')} should fail`).not.toBeNull();
    expect(errorLine(err)).toMatch(message);
    expect(errorLine(err)).not.toContain('\n');
  };

  it('creates and lists organisations and their relations', async () => {
    expect(await run('orgs', 'create', '--name', 'Authority of Testland', '--short', 'ATL', '--kind', 'regulator')).toEqual([expect.stringMatching(/^created ATL \(regulator\) [0-9a-f-]{36}$/)]);
    await run('orgs', 'create', '--name', 'Testland Bank', '--short', 'TBank', '--kind', 'regulated_entity', '--sector', 'banking', '--country', 'ke');
    await run('orgs', 'create', '--name', 'Testland CERT', '--short', 'TCERT', '--kind', 'cert');
    expect(await run('orgs', 'relate', 'ATL', 'supervises', 'TBank')).toEqual(['ATL supervises TBank']);
    await run('orgs', 'relate', 'tcert', 'serves', 'tbank');

    const listed = JSON.parse((await run('orgs', 'list', '--json')).join('\n')) as Array<{ shortName: string; country: string | null }>;
    expect(listed.map((o) => o.shortName).sort()).toEqual(['ATL', 'TBank', 'TCERT']);
    expect(listed.find((o) => o.shortName === 'TBank')!.country).toBe('KE');
    const table = await run('orgs', 'list', '--kind', 'cert');
    expect(table[0]).toMatch(/^short name\s+name\s+kind/);
    expect(table.slice(2).map((l) => l.split(/\s{2,}/)[0])).toEqual(['TCERT']);

    await fails(['orgs', 'create', '--name', 'Again', '--short', 'atl', '--kind', 'regulator'], /short name atl exists/);
    await fails(['orgs', 'create', '--name', 'X Org', '--short', 'XO', '--kind', 'bank'], /^--kind: /);
    await fails(['orgs', 'relate', 'ATL', 'owns', 'TBank'], /"supervises" or "serves"/);
    await fails(['orgs', 'relate', 'ATL', 'supervises', 'Nobody'], /No organisation has the short name Nobody/);
  });

  it('creates a user whose printed password signs in; lists, resets and disables accounts', async () => {
    const out = await run('users', 'create', '--email', 'Amina.Test@bank.example', '--name', 'Amina Test', '--org', 'TBank', '--roles', 'org_admin,isms_manager');
    expect(out[0]).toBe('created amina.test@bank.example in TBank as org_admin, isms_manager');
    const password = /^password \(shown once\): (\S+)$/.exec(out[1]!)![1]!;
    const client = new Client(t.app);
    expect((await client.login('amina.test@bank.example', password)).statusCode).toBe(200);

    const listed = JSON.parse((await run('users', 'list', '--org', 'tbank', '--json')).join('\n'));
    expect(listed).toEqual([{ email: 'amina.test@bank.example', displayName: 'Amina Test', org: 'TBank', roles: ['org_admin', 'isms_manager'], platformAdmin: false, mfaEnabled: false, disabled: false }]);

    const reset = await run('users', 'reset-password', 'amina.test@bank.example');
    const next = /: (\S+)$/.exec(reset[0]!)![1]!;
    expect((await new Client(t.app).login('amina.test@bank.example', password)).statusCode).toBe(401);
    expect((await new Client(t.app).login('amina.test@bank.example', next)).statusCode).toBe(200);

    await fails(['users', 'create', '--email', 'x@bank.example', '--name', 'X', '--org', 'TBank', '--roles', 'admin'], /unknown role admin; roles are org_admin, /);
    await fails(['users', 'create', '--email', 'not-an-email', '--name', 'X', '--org', 'TBank', '--roles', 'staff'], /^--email: /);
    await fails(['users', 'create', '--email', 'amina.test@bank.example', '--name', 'X', '--org', 'TBank', '--roles', 'staff'], /exists/);
    await fails(['users', 'create', '--email', 'weak@bank.example', '--name', 'X', '--org', 'TBank', '--roles', 'staff', '--password', 'password123'], /password/);
    await fails(['users', 'create', '--email', 'x@bank.example', '--name', 'X', '--roles', 'staff'], /required option '--org <short>'/);

    // The command functions are plain service calls too.
    const made = await usersCreate(t.rt, { email: 'ops@cert.example', name: 'Ops', org: 'TCERT', roles: 'cert_analyst', password: 'a-long-enough-passphrase-7' });
    expect(made.generatedPassword).toBeUndefined();

    expect(await run('users', 'disable', 'amina.test@bank.example')).toEqual(['disabled amina.test@bank.example']);
    expect((await client.get('/api/members')).statusCode).toBe(401);
  });

  it('issues an API token that works until it is revoked', async () => {
    await run('users', 'create', '--email', 'cto@bank.example', '--name', 'Chief Tech', '--org', 'TBank', '--roles', 'org_admin');
    const out = await run('tokens', 'create', '--email', 'cto@bank.example', '--org', 'TBank', '--role', 'org_admin', '--name', 'siem', '--expires-days', '30');
    expect(out[0]).toMatch(/^token [0-9a-f-]{36} for cto@bank.example in TBank as org_admin, expires /);
    const token = /^token \(shown once\): (mfz_\S+)$/.exec(out[1]!)![1]!;
    const id = /^token (\S+)/.exec(out[0]!)![1]!;
    const call = () => t.app.inject({ method: 'GET', url: '/api/members', headers: { authorization: `Bearer ${token}` } });
    expect((await call()).statusCode).toBe(200);

    const listed = JSON.parse((await run('tokens', 'list', '--org', 'TBank', '--json')).join('\n'));
    expect(listed).toEqual([expect.objectContaining({ id, name: 'siem', role: 'org_admin', revokedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(token);

    expect(await run('tokens', 'revoke', id)).toEqual([`revoked token ${id} (siem)`]);
    expect((await call()).statusCode).toBe(401);
    await fails(['tokens', 'create', '--email', 'cto@bank.example', '--org', 'TCERT', '--role', 'org_admin'], /not a member of TCERT/);
    await run('users', 'create', '--email', 'ciso@bank.example', '--name', 'CISO', '--org', 'TBank', '--roles', 'isms_manager');
    await fails(['tokens', 'create', '--email', 'ciso@bank.example', '--org', 'TBank', '--role', 'risk_owner'], /do not hold the role risk_owner/);
    await fails(['tokens', 'create', '--email', 'cto@bank.example', '--org', 'TBank', '--role', 'boss'], /^--role: unknown role boss/);
    await fails(['tokens', 'revoke', '0190a1b2-0000-7000-8000-000000000000'], /token/i);
  });

  it('exports an org audit log as CSV and verifies every chain', async () => {
    await run('audit-log', 'export', '--org', 'TBank');
    const rows = cli.written.trim().split('\r\n');
    expect(rows[0]).toBe('seq,at,actor,action,entity_type,entity_id,details,request_id,ip,before_digest,after_digest,hash');
    const actions = rows.slice(1).map((r) => r.split(',')[3]!.replaceAll('"', ''));
    expect(actions).toContain('members.add');
    expect(actions).toContain('tokens.create');
    expect(actions).toContain('tokens.revoke');

    await run('audit-log', 'export', '--org', 'TBank', '--action', 'tokens.', '--from', '2000-01-01');
    expect(cli.written.trim().split('\r\n').slice(1).map((r) => r.split(',')[3])).toEqual(['"tokens.create"', '"tokens.revoke"']);

    const file = join(dir, 'audit.csv');
    expect(await run('audit-log', 'export', '--org', 'TBank', '--action', 'tokens.', '--output', file)).toEqual([`exported 2 records to ${file}`]);
    expect((await readFile(file, 'utf8')).split('\r\n')[0]).toMatch(/^seq,at,actor/);
    await fails(['audit-log', 'export', '--org', 'TBank', '--from', 'last tuesday'], /^--from: .*2026-03-01/);

    expect((await run('audit-log', 'verify'))[0]).toMatch(/^audit log intact: \d+ records in \d+ chains$/);
  });

  it('shows the outbox', async () => {
    const platform = t.rt.bootstrap.platformOrgId;
    await inTx({ db: t.rt.db, clock: t.clock, actor: systemActor(platform), requestId: 'x', ip: null }, (tx) =>
      t.rt.mailer.send(tx, { orgId: platform, to: 'someone@bank.example', subject: 'Welcome to Muhafiz', text: 'hello' }),
    );
    const table = await run('outbox', '--limit', '5');
    expect(table[2]).toMatch(/stored\s+someone@bank.example\s+Welcome to Muhafiz/);
    const json = JSON.parse((await run('outbox', '--json')).join('\n'));
    expect(json[0]).toMatchObject({ to: 'someone@bank.example', body: 'hello', status: 'stored' });
    await fails(['outbox', '--limit', 'lots'], /^--limit: /);
  });

  it('loads the demo sector once', async () => {
    const first = await run('demo');
    expect(first.join('\n')).toMatch(/email\s+org\s+roles\s+password/);
    expect(first.join('\n')).toContain('halima.mwangi@cmas.example');
    expect((await run('demo')).join('\n')).toMatch(/already loaded; nothing to do/);
    const orgs = JSON.parse((await run('orgs', 'list', '--json')).join('\n')) as Array<{ shortName: string }>;
    expect(orgs.map((o) => o.shortName)).toEqual(expect.arrayContaining(['CMAS', 'SahilFin-CERT', 'NovaBank', 'Meridian']));
  });

  it('backup and restore refuse what they cannot do, in one line', async () => {
    await fails(['backup', join(dir, 'b.tar.gz')], /no PGlite database in .*MUHAFIZ_DATA_DIR/);
    await fails(['restore', join(dir, 'missing.tar.gz')], /missing.tar.gz does not exist/);
  });

  it('describes every command in --help', async () => {
    const help = cli.program().helpInformation();
    for (const c of ['serve', 'migrate', 'demo', 'orgs', 'users', 'tokens', 'audit-log', 'outbox', 'backup', 'restore']) expect(help).toContain(c);
    const users = cli.program().commands.find((c) => c.name() === 'users')!;
    expect(users.commands.map((c) => c.name())).toEqual(['list', 'create', 'reset-password', 'disable']);
  });

  it("lists every command in the README's command table", async () => {
    const leaves = (c: Command, path: string[]): string[] => (c.commands.length ? c.commands.flatMap((x) => leaves(x, [...path, x.name()])) : [path.join(' ')]);
    const all = leaves(cli.program(), []);
    expect(all).toEqual(expect.arrayContaining(['serve', 'audit-log verify', 'incidents list']));
    const readme = await readFile(fromRoot('README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| `'));
    expect(all.filter((name) => !rows.some((r) => r.startsWith(`| \`${name} `) || r.startsWith(`| \`${name}\``)))).toEqual([]);
  });
});
