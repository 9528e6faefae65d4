import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, DESKTOP, snap, startServer, type E2eServer, submitSignIn } from './helpers.js';

/**
 * An ISMS manager imports 50 assets from XLSX through the wizard (dry run,
 * then commit), records a risk on one of them with a treatment task linked
 * to A.8.7, sees it in the register and heat maps, and drafts a policy that
 * another person approves and publishes.
 */
describe('assets, risks and policies in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let org: BuiltOrg;
  let manager: BuiltUser;
  let approver: BuiltUser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    org = await buildOrg(s.rt, 'regulated_entity', 'Bank Beta');
    manager = await buildUser(s.rt, org.id, ['isms_manager', 'risk_owner']);
    approver = await buildUser(s.rt, org.id, ['org_admin']);
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
    await p.getByRole('link', { name: 'Assets', exact: true }).first().waitFor();
  }

  it('imports 50 assets from XLSX with a dry run first', async () => {
    await signIn(page, manager);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Assets');
    ws.addRow(['name', 'type', 'owner', 'confidentiality', 'integrity', 'availability', 'tags']);
    for (let i = 1; i <= 50; i++) ws.addRow([`Server ${String(i).padStart(2, '0')}`, 'hardware', manager.email, 3, 4, i % 5 + 1, 'dc1']);
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    await page.goto(`${s.url}/assets/import`);
    await page.getByLabel('File').setInputFiles({ name: 'assets.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('The file is valid: 50 would be created, 0 updated.').waitFor();
    await page.getByRole('button', { name: 'Import 50 rows' }).click();
    await page.getByText('Imported: 50 created, 0 updated.').waitFor();
    await page.getByRole('link', { name: 'Back to the inventory' }).click();
    await page.getByText('1–25 of 50').waitFor();
    await snap(page, 'isms-assets');
  });

  it('shows every bad cell of a bad file and imports nothing', async () => {
    await page.goto(`${s.url}/assets/import`);
    const csv = 'name,type,confidentiality\nGood,site,2\n,site,9\nOdd,robot,1\n';
    await page.getByLabel('File').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('3 problem(s) in 3 row(s)').waitFor();
    const rows = page.getByRole('table', { name: 'Import problems' }).locator('tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).innerText()).toContain('3');
    expect(await page.getByRole('button', { name: /^Import/ }).isDisabled()).toBe(true);
  });

  it('records a risk on an asset with a task linked to A.8.7 and sees it in the register', async () => {
    await page.goto(`${s.url}/risks/new`);
    await page.getByLabel('Title', { exact: true }).fill('Ransomware on the server estate');
    await page.getByLabel('Threat').fill('Criminal ransomware groups');
    await page.getByLabel('Owner').selectOption({ label: `User ${manager.email.match(/user(\d+)/)![1]} (${manager.email})` });
    await page.getByLabel('Affected assets').selectOption({ label: 'Server 07' });
    await page.getByLabel('Inherent likelihood').selectOption('4');
    await page.getByLabel('Inherent impact', { exact: true }).selectOption('5');
    await page.getByLabel('Treatment').selectOption('modify');
    await page.getByRole('button', { name: 'Create risk' }).click();
    await page.getByRole('heading', { name: /R-001 Ransomware/ }).waitFor();
    await page.getByLabel('Task', { exact: true }).fill('Endpoint protection everywhere');
    await page.getByLabel('Annex A controls (e.g. A.8.7, A.5.15)').fill('A.8.7');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByRole('table', { name: 'Treatment tasks' }).getByText('A.8.7').waitFor();
    // A wrong control id is refused beside its field.
    await page.getByLabel('Task', { exact: true }).fill('Something');
    await page.getByLabel('Annex A controls (e.g. A.8.7, A.5.15)').fill('A.9.1');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByText(/is not an ISO\/IEC 27001:2022 Annex A control/).first().waitFor();

    await page.goto(`${s.url}/risks?controlId=A.8.7`);
    await page.getByRole('link', { name: 'R-001' }).waitFor();
    await page.getByRole('heading', { name: 'Heat maps' }).waitFor();
    await snap(page, 'isms-risks');
    await page.goto(`${s.url}/risks/method`);
    await page.getByRole('heading', { name: 'Risk method' }).waitFor();
    await page.getByRole('button', { name: 'Use simple 3x3' }).click();
    await page.getByText('Method saved; 1 risk(s) re-scored').waitFor();
  });

  it('a policy is drafted by one person and approved and published by another', async () => {
    await page.goto(`${s.url}/documents`);
    await page.getByRole('button', { name: 'New document' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Acceptable use policy');
    await page.getByLabel('Owner').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByLabel('Draft (markdown)').fill('# Acceptable use\n\nBe careful.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText(/latest v1 In review/).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const url = page.url();

    const other = await browser.newContext({ viewport: DESKTOP });
    const p2 = await other.newPage();
    await signIn(p2, approver);
    await p2.goto(url);
    await p2.getByRole('button', { name: 'Approve' }).click();
    await p2.getByRole('button', { name: 'Publish' }).click();
    await p2.getByText(/latest v1 Published/).waitFor();
    await p2.getByRole('button', { name: 'I have read and accept v1' }).click();
    await p2.getByText('You accepted v1').waitFor();
    await other.close();
  });
});
