import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { sharedData } from '../helpers/shared-data.js';
import { connectBrowser, DESKTOP, snap, startServer, type E2eServer, submitSignIn } from './helpers.js';

/**
 * A member browses ISO/IEC 27001:2022 with attribute filters ("detective
 * controls in the respond concept") and the CSF 2.0 mappings side by side,
 * using the keyboard; a platform administrator uploads an invalid and then a
 * valid OSCAL catalog.
 */
describe('catalog browser in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let staff: BuiltUser;
  let admin: BuiltUser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    const org = await buildOrg(s.rt, 'regulated_entity', 'Bank Gamma');
    staff = await buildUser(s.rt, org.id, ['staff']);
    admin = await buildUser(s.rt, org.id, ['org_admin'], { platformAdmin: true });
    ctx = await browser.newContext({ viewport: DESKTOP });
    page = await ctx.newPage();
  });
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  async function signIn(p: Page, u: BuiltUser) {
    await p.goto(`${s.url}/`);
    await submitSignIn(p, u);
    await p.getByRole('link', { name: 'Frameworks', exact: true }).first().waitFor();
  }

  it('filters Annex A by attributes with the keyboard and shows CSF 2.0 side by side', async () => {
    await signIn(page, staff);
    await page.getByRole('link', { name: 'Frameworks', exact: true }).first().click();
    await page.getByLabel('Control type').waitFor();
    await expect(page.getByLabel('Framework', { exact: true }).inputValue()).resolves.toBe('iso27001-2022');
    await page.getByLabel('Control type').selectOption('detective');
    await page.getByLabel('Cybersecurity concepts').selectOption('respond');
    await page.getByLabel('Search ref, title or text').focus();
    await page.keyboard.press('Enter');
    await page.getByText('1–3 of 3').waitFor();
    for (const ref of ['A.5.7', 'A.5.25', 'A.8.16']) await page.getByRole('link', { name: ref, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'A.8.7', exact: true }).count()).toBe(0);

    await page.getByLabel('Show mapped requirements of').selectOption('nist-csf-2.0');
    await page.getByRole('columnheader', { name: /Mapped \(NIST Cybersecurity Framework 2\.0\)/ }).waitFor();
    await page.getByRole('link', { name: 'DE.CM-01', exact: true }).first().waitFor();
    await snap(page, 'catalogs-browser');

    await page.getByRole('link', { name: 'A.8.16', exact: true }).click();
    await page.getByRole('heading', { name: /A\.8\.16 Monitoring activities/ }).waitFor();
    await page.getByRole('table', { name: 'Mapped requirements in other frameworks' }).getByRole('link', { name: 'DE.CM-01' }).waitFor();
  });

  it('lets a platform administrator upload OSCAL: an invalid file names its JSON path, a valid one is imported', async () => {
    const adminPage = await ctx.browser()!.newContext({ viewport: DESKTOP }).then((c) => c.newPage());
    await signIn(adminPage, admin);
    await adminPage.goto(`${s.url}/catalogs`);
    const doc = JSON.parse(await readFile(sharedData('oscal/content/examples/basic-catalog.json'), 'utf8'));
    const broken = structuredClone(doc);
    delete broken.catalog.metadata.title;
    await adminPage.getByLabel('Catalog file (OSCAL JSON)').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await adminPage.getByLabel('Key (optional)').fill('e2e-basic');
    await adminPage.getByRole('button', { name: 'Import', exact: true }).click();
    await adminPage.getByRole('alert').filter({ hasText: '$.catalog.metadata.title' }).waitFor();

    await adminPage.getByLabel('Catalog file (OSCAL JSON)').setInputFiles({ name: 'basic.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await adminPage.getByRole('button', { name: 'Import', exact: true }).click();
    await adminPage.waitForURL(/fw=e2e-basic/);
    // The framework list refreshes after the import; then the picker shows the new catalog.
    await expect.poll(() => adminPage.getByLabel('Framework', { exact: true }).inputValue(), { timeout: 15_000 }).toBe('e2e-basic');
    await adminPage.getByText(/^Created Sample Security Catalog.*: \d+ requirements$/).waitFor();
    await adminPage.context().close();
  });
});
