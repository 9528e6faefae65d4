import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { createToken } from '../../src/domains/auth/tokens.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { COLLECTION_IDS } from '../../src/domains/taxii/service.js';
import { actingAs, buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, signedInPage, snap, startServer, type E2eServer } from './helpers.js';

const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
const indicator = (n: number) => ({
  type: 'indicator', spec_version: '2.1', id: `indicator--31000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created: '2025-05-01T00:00:00.000Z',
  modified: '2025-05-01T00:00:00.000Z', name: `feed e2e ${n}`, pattern: `[domain-name:value = 'c2-${n}.feed.test']`, pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z',
});

/**
 * A bank's administrator subscribes to the CERT's community TAXII collection
 * (this server's own TAXII API over real HTTP), sees a wrong URL and token fail
 * with the reason, fixes both in the edit form, and the next run imports.
 */
describe('intel feeds in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let admin: BuiltUser;
  let certToken: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    const cert = await buildOrg(s.rt, 'cert', 'Feed CERT');
    const bank = await buildOrg(s.rt, 'regulated_entity', 'Feed Bank');
    const analyst = await buildUser(s.rt, cert.id, ['cert_analyst']);
    admin = await buildUser(s.rt, bank.id, ['org_admin']);
    const certCtx = actingAs(s.rt, analyst, cert, ['cert_analyst']);
    certToken = (await createToken(certCtx, { name: 'feed', role: 'cert_analyst' })).token;
    await importObjects(certCtx, [indicator(1), indicator(2)], { source: 'cert', sharing: { tlp: 'green', ...NONE } });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.close();
  });

  it('adds a feed, shows why a run failed, and edits its URL and token until it imports', async () => {
    const p = await signedInPage(browser, s.url, admin, contexts);
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Intel feeds' }).click();
    await p.getByRole('heading', { name: 'Feeds', exact: true }).waitFor();

    const add = p.getByRole('form', { name: 'Add a feed' });
    await add.getByLabel('Name', { exact: true }).fill('CERT community');
    await add.getByLabel('Collection URL').fill(`${s.url}/taxii2/api/collections/00000000-0000-4000-8000-000000000000/`);
    await add.getByLabel(/^User name/).fill('bank');
    await add.getByLabel('Password or token', { exact: true }).fill('mfz_wrong');
    await add.getByRole('button', { name: 'Add feed' }).click();
    const table = p.getByRole('table', { name: 'Feeds of your organisation' });
    await table.getByText('Basic as bank').waitFor();
    // The token never comes back to the page.
    expect(await p.content()).not.toContain('mfz_wrong');

    await p.getByRole('button', { name: 'Run CERT community now' }).click();
    await table.getByText(/HTTP 401/).waitFor();

    await p.getByRole('button', { name: 'Edit CERT community' }).click();
    const edit = p.getByRole('form', { name: 'Edit CERT community' });
    expect(await edit.getByLabel('New password or token').inputValue()).toBe('');
    // A bad URL is refused next to its field.
    await edit.getByLabel('Collection URL').fill('nonsense');
    await edit.evaluate((f: unknown) => void ((f as { noValidate: boolean }).noValidate = true));
    await edit.getByRole('button', { name: 'Save feed' }).click();
    await edit.getByRole('alert').first().waitFor();
    await edit.getByLabel('Collection URL').fill(`${s.url}/taxii2/api/collections/${COLLECTION_IDS.community}/`);
    await edit.getByLabel('New password or token').fill(certToken);
    await edit.getByRole('button', { name: 'Save feed' }).click();
    await edit.waitFor({ state: 'detached' });

    await p.getByRole('button', { name: 'Run CERT community now' }).click();
    await table.getByText('2 fetched, 2 new last run').waitFor();
    expect(await table.getByText(/HTTP 401/).count()).toBe(0);
    await snap(p, 'intel-feeds-desktop');
  });
});
