import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/core/access/index.js';
import { verifyAuditLog } from '../../src/core/audit.js';
import { inTx } from '../../src/core/context.js';
import { loadDemo, registerDemoExtension, type DemoSector } from '../../src/demo/load.js';
import { DEMO_PEOPLE } from '../../src/demo/sector.js';
import { listMembers } from '../../src/domains/tenancy/members.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`demo sector (${TEST_DRIVER})`, () => {
  let t: TestApp;
  const seen: DemoSector[] = [];
  beforeAll(async () => {
    t = await testApp();
    registerDemoExtension('test-early', async (sector) => {
      seen.push(sector);
      // Extensions act through services as a demo person.
      const page = await listMembers(sector.actingAs(sector.user('novaBank', 'org_admin')), { limit: 50, offset: 0 });
      return `${page.total} people at Nova Digital Bank`;
    });
  });
  afterAll(async () => t.close());

  const counts = () =>
    asPlatform(t.rt, 'test', async (tx) => ({
      orgs: Number((await tx.selectFrom('orgs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      users: Number((await tx.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      relations: await tx.selectFrom('org_relations as r').innerJoin('orgs as a', 'a.id', 'r.org_id').innerJoin('orgs as b', 'b.id', 'r.related_org_id').select(['a.short_name as from', 'r.kind', 'b.short_name as to']).orderBy('r.kind').orderBy('b.short_name').execute(),
      roles: (await sql<{ role: string }>`select distinct unnest(roles) as role from memberships`.execute(tx)).rows.map((r) => r.role).sort(),
    }));

  it('loads orgs, relations and a person for every role, printing each password once', async () => {
    let printed = '';
    const r = await loadDemo(t.rt, { print: true, write: (s) => (printed += s) });
    expect(r.created).toBe(true);
    expect(r.credentials).toHaveLength(DEMO_PEOPLE.length);
    for (const c of r.credentials) {
      expect(printed).toContain(c.email);
      expect(printed).toContain(c.password);
      expect(c.password.length).toBeGreaterThanOrEqual(16);
    }
    expect(new Set(r.credentials.map((c) => c.password)).size).toBe(r.credentials.length);
    // Domain extensions (src/demo/extensions.ts) load after this test's own.
    expect(r.extensionsLoaded[0]).toEqual({ name: 'test-early', summary: '7 people at Nova Digital Bank' });
    expect(r.extensionsLoaded.find((e) => e.name === 'soa')?.summary).toMatch(/^SoA: 13 applied controls, 4 evidence items, 93 SoA decisions, version 1 approved$/);

    const c = await counts();
    expect(c.roles).toEqual([...ROLES].sort());
    const supervises = c.relations.filter((x) => x.kind === 'supervises');
    expect(supervises.map((x) => x.from)).toEqual(Array(4).fill('CMAS'));
    expect(supervises.map((x) => x.to)).toEqual(['Baobab', 'Crescent', 'NovaBank', 'UbuntuMFB']);
    const serves = c.relations.filter((x) => x.kind === 'serves');
    expect(serves.map((x) => x.from)).toEqual(Array(5).fill('SahilFin-CERT'));
    expect(serves.map((x) => x.to)).toEqual(['Baobab', 'Crescent', 'NovaBank', 'SahilTel', 'UbuntuMFB']);
    expect(seen[0]!.orgs.regulator.name).toBe('Capital Markets Authority of Sahil');
    expect(seen[0]!.orgs.cert.kind).toBe('cert');

    // A printed credential signs in, and lands in the person's org with their roles.
    const analyst = r.credentials.find((x) => x.roles.includes('cert_analyst'))!;
    const client = new Client(t.app);
    const login = await client.login(analyst.email, analyst.password);
    expect(login.statusCode, login.body).toBe(200);
    const me = await client.get('/api/auth/session');
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().org.name).toBe('SahilFin-CERT');
    expect(me.json().roles).toEqual(['cert_analyst']);

    // Every write was audited and the chains verify.
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);
    const ctx = seen[0]!.system('regulator');
    const log = await inTx(ctx, (tx) => tx.selectFrom('audit_log').select('action').where('org_id', '=', ctx.actor.orgId).execute());
    expect(log.map((l) => l.action)).toContain('members.add');

    // Every domain has something true to show, seen through the API as its users see it.
    expect(r.extensionsLoaded.map((e) => e.name)).toEqual(['test-early', 'isms', 'soa', 'intel', 'cert']);
    const as = async (org: string, role: string) => {
      const cred = r.credentials.find((x) => x.org === org && x.roles.includes(role as never))!;
      const c = new Client(t.app);
      expect((await c.login(cred.email, cred.password)).statusCode).toBe(200);
      return c;
    };
    const ciso = await as('NovaBank', 'isms_manager');
    expect((await ciso.get('/api/assets')).json().total).toBe(14);
    expect((await ciso.get('/api/risks?aboveAppetite=true')).json().total).toBeGreaterThan(0);
    const duty = await as('SahilFin-CERT', 'cert_duty_officer');
    const queue = (await duty.get('/api/incidents?sort=deadline')).json();
    expect(queue.items.map((i: { orgName: string }) => i.orgName).sort()).toEqual(['Crescent Securities', 'Nova Digital Bank', 'Ubuntu Microfinance Bank']);
    const missed = (await duty.get('/api/incidents?deadline=missed')).json();
    expect(missed.items.map((i: { orgName: string; nextDueStage: string }) => [i.orgName, i.nextDueStage])).toEqual([['Ubuntu Microfinance Bank', 'intermediate']]);
    const novaInc = queue.items.find((i: { orgName: string }) => i.orgName === 'Nova Digital Bank');
    expect(novaInc).toMatchObject({ status: 'containment', major: true, overdue: false });
    // The CERT sees the two banks' incidents share the phishing domain; the bank sees it match the telecom's TLP:GREEN indicator.
    const corr = (await duty.get(`/api/incidents/${novaInc.id}/correlations`)).json();
    expect(JSON.stringify(corr)).toContain('sahil-payments-update.example');
    const matches = (await ciso.get('/api/intel/matches')).json().items as Array<{ value: string; warning: string | null; sides: Array<{ sourceRef: string }> }>;
    expect(matches.some((m) => m.value === 'sahil-payments-update.example' && m.sides.some((x) => x.sourceRef === 'indicator--3e9d2c1b-7a6f-4e5d-8c4b-2a1f0e9d8c20'))).toBe(true);
    // The C2 address is in a documentation range (no real network is named), so the warning list flags it instead of alerting.
    const flagged = (await ciso.get('/api/intel/matches?includeWarnings=true')).json().items as typeof matches;
    expect(flagged.find((m) => m.value === '198.51.100.23')?.warning).toBeTruthy();
    // A third bank sees the advisory but not the other banks' incidents.
    const baobab = await as('Baobab', 'isms_manager');
    expect((await baobab.get('/api/incidents')).json().items.map((i: { title: string }) => i.title)).toEqual(['Lost laptop of a claims assessor']);
    expect((await baobab.get('/api/advisories')).json().items.map((a: { title: string }) => a.title)).toEqual(['SahilLocker ransomware: block the C2 and enforce MFA on VPN gateways']);
    expect((await verifyAuditLog(t.rt.db)).ok).toBe(true);
  });

  it('a second run does nothing and says so, but loads an extension registered since', async () => {
    const before = await counts();
    registerDemoExtension('test-late', async (sector) => `late sees ${Object.keys(sector.users).length} people`);
    let printed = '';
    const r = await loadDemo(t.rt, { print: true, write: (s) => (printed += s) });
    expect(r.created).toBe(false);
    expect(r.credentials).toEqual([]);
    expect(printed).toMatch(/already loaded; nothing to do/);
    expect(r.extensionsSkipped).toEqual(expect.arrayContaining(['test-early', 'soa']));
    expect(r.extensionsLoaded).toEqual([{ name: 'test-late', summary: `late sees ${DEMO_PEOPLE.length} people` }]);
    expect(await counts()).toEqual(before);
    const third = await loadDemo(t.rt, { print: false });
    expect(third.extensionsLoaded).toEqual([]);
    expect(third.extensionsSkipped).toEqual(expect.arrayContaining(['test-early', 'test-late']));
  });
});
