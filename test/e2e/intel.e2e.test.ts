import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createToken } from '../../src/domains/auth/tokens.js';
import { installPreset } from '../../src/domains/incidents/service/regimes.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { addRelation } from '../../src/domains/tenancy/orgs.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { sharedData } from '../helpers/shared-data.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, DESKTOP, snap, startServer, type E2eServer } from './helpers.js';

const MEDIA = 'application/taxii+json;version=2.1';
const IP = '51.15.60.70';
const GREEN_IND = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--90000000-0000-4000-8000-000000000001', created: '2026-01-10T00:00:00.000Z', modified: '2026-01-10T00:00:00.000Z',
  name: 'Telecom: C2 of the card-skimming botnet', pattern: `[ipv4-addr:value = '${IP}']`, pattern_type: 'stix', valid_from: '2026-01-10T00:00:00Z',
};
const STRICT_IND = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--90000000-0000-4000-8000-000000000002', created: '2026-01-10T00:00:00.000Z', modified: '2026-01-10T00:00:00.000Z',
  name: 'Strictly for Bank Alpha: insider exfiltration host', pattern: "[domain-name:value = 'exfil-strict.test']", pattern_type: 'stix', valid_from: '2026-01-10T00:00:00Z',
};
const STRICT_REPORT = {
  type: 'report', spec_version: '2.1', id: 'report--90000000-0000-4000-8000-000000000003', created: '2026-01-10T00:00:00.000Z', modified: '2026-01-10T00:00:00.000Z',
  name: 'Strictly for Bank Alpha: insider case', published: '2026-01-10T00:00:00Z', object_refs: [STRICT_IND.id],
};

/**
 * Issue 5's path as people click it: the CERT imports ATT&CK through the
 * import page, a bank attaches an IP to an incident, a telecom provider's
 * TLP:GREEN indicator for the same IP correlates, the bank is alerted and
 * sees the match on its incident, a TAXII client pulls the indicator; a
 * TLP:AMBER+STRICT object stays invisible to a third org in the UI, search,
 * TAXII and the MISP feed.
 */
describe('threat exchange in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let cert: BuiltOrg;
  let bankOrg: BuiltOrg;
  let telecomOrg: BuiltOrg;
  let thirdOrg: BuiltOrg;
  let analyst: BuiltUser;
  let reporter: BuiltUser;
  let telecomUser: BuiltUser;
  let thirdUser: BuiltUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    s = await startServer();
    // Imports are stored by a job: run the worker in this server, as `muhafiz serve` does.
    s.rt.jobs.start();
    browser = await connectBrowser();
    cert = await buildOrg(s.rt, 'cert', 'Sector CERT');
    bankOrg = await buildOrg(s.rt, 'regulated_entity', 'Bank Alpha');
    telecomOrg = await buildOrg(s.rt, 'service_provider', 'Telecom Beta');
    thirdOrg = await buildOrg(s.rt, 'regulated_entity', 'Broker Gamma');
    await asPlatform(s.rt, 'test', (tx, ctx) => addRelation(tx, ctx, cert.id, 'serves', bankOrg.id));
    analyst = await buildUser(s.rt, cert.id, ['cert_analyst']);
    reporter = await buildUser(s.rt, bankOrg.id, ['isms_manager']);
    telecomUser = await buildUser(s.rt, telecomOrg.id, ['org_admin']);
    thirdUser = await buildUser(s.rt, thirdOrg.id, ['org_admin']);
    const duty = await buildUser(s.rt, cert.id, ['cert_duty_officer']);
    await installPreset(actingAs(s.rt, duty, cert, ['cert_duty_officer']), { preset: 'dora' });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.close();
  });

  async function signedIn(user: BuiltUser): Promise<Page> {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.on('pageerror', (e) => console.error('page error:', e.message));
    await p.goto(s.url);
    await p.getByLabel('Email').fill(user.email);
    await p.getByLabel('Password', { exact: true }).fill(user.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: /^Welcome/ }).waitFor();
    return p;
  }

  async function importThroughUi(page: Page, file: string, tlp: string, timeout: number): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import STIX' }).click();
    await page.getByRole('heading', { name: 'Import STIX bundle' }).waitFor();
    await page.getByLabel('Bundle (STIX 2.1 JSON)').setInputFiles(file);
    await page.getByLabel('TLP for objects without a TLP marking').selectOption(tlp);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/\d+% · done/).waitFor({ timeout });
  }

  it('runs the whole path', async () => {
    // 1. The CERT imports the whole ATT&CK Enterprise bundle through the import page.
    const certPage = await signedIn(analyst);
    const started = performance.now();
    await importThroughUi(certPage, sharedData('attack/enterprise-attack-18.1.json'), 'clear', 300_000);
    console.log(`ATT&CK Enterprise 18.1 through the UI import page: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await certPage.getByText(/24772 objects/).waitFor();
    await snap(certPage, 'intel-import-attack');
    // ATT&CK is searchable: T1059 finds Command and Scripting Interpreter, whose graph links to related objects.
    await certPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Threat intelligence', exact: true }).click();
    await certPage.getByLabel('Search').fill('T1059');
    await certPage.getByLabel('Type').selectOption('attack-pattern');
    await certPage.getByRole('button', { name: 'Apply' }).click();
    await certPage.getByRole('link', { name: 'Command and Scripting Interpreter', exact: true }).click();
    await certPage.getByRole('heading', { name: 'Command and Scripting Interpreter' }).waitFor();
    const graph = certPage.getByRole('group', { name: /Relationship graph/ });
    await graph.waitFor();
    const firstNode = graph.locator('a.graph-node').first();
    const target = await firstNode.getAttribute('href');
    await firstNode.focus();
    await certPage.keyboard.press('Enter');
    await certPage.waitForURL(`**${target!}`);
    await snap(certPage, 'intel-graph');

    // 2. The bank attaches an IP to an incident (initial notification).
    const bank = await signedIn(reporter);
    await bank.getByRole('link', { name: 'Incidents', exact: true }).first().click();
    await bank.getByRole('button', { name: 'Report an incident' }).click();
    await bank.getByRole('heading', { name: /INC-/ }).waitFor();
    const incidentUrl = bank.url();
    await bank.getByLabel('Title').fill('Skimming malware beaconing out');
    await bank.getByLabel('Summary').fill('ATMs beacon to an unknown host.');
    await bank.getByLabel('Detected at (UTC)').fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 16));
    await bank.getByLabel('RSIT class').selectOption('malicious-code');
    await bank.getByLabel('RSIT type').selectOption('infected-system');
    await bank.getByLabel('Severity').selectOption('critical');
    await bank.getByLabel('Critical or important functions affected').fill('1');
    await bank.getByLabel('Clients, counterparts or transactions affected (clients)').fill('80000');
    await bank.getByLabel('Duration of service downtime (minutes)').fill('240');
    await bank.getByRole('status', { name: 'Suggestion' }).filter({ hasText: 'major' }).waitFor();
    await bank.getByLabel('We classify this incident as major').check();
    await bank.getByRole('button', { name: 'Add observable' }).click();
    await bank.getByLabel('Value 1').fill(IP);
    await bank.getByLabel('Contact name').fill('Ayla CISO');
    await bank.getByLabel('Contact email').fill('ciso@alpha.example');
    await bank.getByRole('button', { name: 'Submit initial notification' }).click();
    await bank.getByText('Initial report submitted', { exact: true }).waitFor().catch(async (e: unknown) => {
      await snap(bank, 'intel-incident-submit-failed');
      throw e;
    });
    await bank.getByRole('region', { name: 'Threat intelligence correlation' }).getByText('No match you may see').waitFor();

    // 3. The telecom provider imports a TLP:GREEN indicator for the same IP: it correlates.
    const telecom = await signedIn(telecomUser);
    const small = `/tmp/muhafiz-e2e-telecom-${process.pid}.json`;
    writeFileSync(small, JSON.stringify({ type: 'bundle', id: 'bundle--90000000-0000-4000-8000-0000000000aa', objects: [GREEN_IND] }));
    await importThroughUi(telecom, small, 'green', 60_000);

    // 4. The bank is alerted, and its incident shows what matched.
    await bank.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
    const alert = bank.getByRole('link', { name: `Threat intelligence match: ${IP}` });
    await alert.waitFor();
    await snap(bank, 'intel-alert');
    await alert.click();
    await bank.waitForURL(incidentUrl);
    const corr = bank.getByRole('region', { name: 'Threat intelligence correlation' });
    await corr.getByRole('link', { name: GREEN_IND.name }).waitFor();
    await snap(bank, 'intel-incident-correlation');

    // 5. A TAXII client (plain fetch, Basic auth with an API token) pulls the indicator from the community collection.
    const bankCtx = actingAs(s.rt, reporter, bankOrg, ['isms_manager']);
    const bankToken = (await createToken(bankCtx, { name: 'soc', role: 'isms_manager' })).token;
    const basic = (token: string) => ({ accept: MEDIA, authorization: `Basic ${Buffer.from(`soc:${token}`).toString('base64')}` });
    const pulled = await fetch(`${s.url}/taxii2/api/collections/${COLLECTION_IDS.community}/objects/?match[type]=indicator&match[id]=${GREEN_IND.id}`, { headers: basic(bankToken) });
    expect(pulled.status).toBe(200);
    expect(((await pulled.json()) as { objects: unknown[] }).objects).toEqual([GREEN_IND]);

    // 6. A TLP:AMBER+STRICT report and indicator for Bank Alpha only: invisible to Broker Gamma everywhere.
    await importObjects(actingAs(s.rt, telecomUser, telecomOrg, ['org_admin']), [STRICT_IND, STRICT_REPORT], { source: 'telecom-strict', sharing: { tlp: 'amber+strict', recipientOrgs: [bankOrg.id], recipientUsers: [], sharingGroups: [] } });
    const thirdToken = (await createToken(actingAs(s.rt, thirdUser, thirdOrg, ['org_admin']), { name: 'soc', role: 'org_admin' })).token;
    // The bank sees it (so the object is there)...
    await bank.goto(`${s.url}/intel/objects/${STRICT_IND.id}`);
    await bank.getByRole('heading', { name: STRICT_IND.name }).waitFor();
    // ...the third org does not, in the UI (object page and search),
    const third = await signedIn(thirdUser);
    await third.goto(`${s.url}/intel/objects/${STRICT_IND.id}`);
    await third.getByRole('alert').waitFor();
    expect(await third.getByRole('heading', { name: STRICT_IND.name }).count()).toBe(0);
    await third.goto(`${s.url}/intel?q=${encodeURIComponent('Strictly for Bank Alpha')}`);
    await third.getByText('No objects match these filters.').waitFor();
    await third.goto(`${s.url}/intel?q=${encodeURIComponent('C2 of the card-skimming')}`);
    await third.getByRole('link', { name: GREEN_IND.name }).waitFor();
    // ...nor through the search API,
    const search = await fetch(`${s.url}/api/intel/objects?q=${encodeURIComponent('Strictly for Bank Alpha')}`, { headers: { authorization: `Bearer ${thirdToken}` } });
    expect(((await search.json()) as { total: number }).total).toBe(0);
    // ...nor in any TAXII collection it can read,
    const cols = ((await (await fetch(`${s.url}/taxii2/api/collections/`, { headers: basic(thirdToken) })).json()) as { collections: Array<{ id: string }> }).collections;
    for (const c of cols) {
      const body = await (await fetch(`${s.url}/taxii2/api/collections/${c.id}/objects/?match[type]=indicator,report&limit=1000`, { headers: basic(thirdToken) })).text();
      expect(body).not.toContain(STRICT_IND.id);
      expect(body).not.toContain(STRICT_REPORT.id);
    }
    // ...nor in the MISP feed (the bank's feed lists the event, the third org's does not).
    const uuid = STRICT_REPORT.id.slice('report--'.length);
    for (const audience of ['all', 'community']) {
      const m = (await (await fetch(`${s.url}/misp/feeds/${audience}/manifest.json`, { headers: { authorization: `Bearer ${thirdToken}` } })).json()) as Record<string, unknown>;
      expect(Object.keys(m)).not.toContain(uuid);
      expect((await fetch(`${s.url}/misp/feeds/${audience}/${uuid}.json`, { headers: { authorization: `Bearer ${thirdToken}` } })).status).toBe(404);
    }
    const bankFeed = (await (await fetch(`${s.url}/misp/feeds/all/manifest.json`, { headers: { authorization: `Bearer ${bankToken}` } })).json()) as Record<string, unknown>;
    expect(Object.keys(bankFeed)).toContain(uuid);
    await snap(third, 'intel-third-org-search');
  }, 900_000);
});
