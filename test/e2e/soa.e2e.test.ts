import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { pdfText } from '../helpers/pdf-text.js';
import { connectBrowser, DESKTOP, snap, startServer, type E2eServer } from './helpers.js';

async function bytesOf(d: Download): Promise<Buffer> {
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * The whole path: a CISO imports 50 assets from XLSX, records a risk
 * on one of them with a treatment linked to A.8.7, marks A.8.7 implemented
 * through an applied control with an evidence file, sees the SoA and the CSF
 * 2.0 view change, decides every control, approves the SoA version and
 * downloads it as XLSX and PDF (opened here and checked).
 */
describe('statement of applicability in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let org: BuiltOrg;
  let ciso: BuiltUser;
  let ctx: BrowserContext;
  let page: Page;
  let csfBefore: number;

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    org = await buildOrg(s.rt, 'regulated_entity', 'Bank Gamma');
    ciso = await buildUser(s.rt, org.id, ['isms_manager', 'risk_owner', 'control_owner']);
    ctx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await ctx.newPage();
  });
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  const label = () => `User ${ciso.email.match(/user(\d+)/)![1]} (${ciso.email})`;

  it('imports 50 assets and records a risk treated by A.8.7', async () => {
    await page.goto(`${s.url}/`);
    await page.getByLabel('Email').fill(ciso.email);
    await page.getByLabel('Password', { exact: true }).fill(ciso.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Statement of Applicability' }).first().waitFor();

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Assets');
    ws.addRow(['name', 'type', 'owner', 'confidentiality', 'integrity', 'availability']);
    for (let i = 1; i <= 50; i++) ws.addRow([`Workstation ${String(i).padStart(2, '0')}`, 'hardware', ciso.email, 3, 3, 2]);
    await page.goto(`${s.url}/assets/import`);
    await page.getByLabel('File').setInputFiles({ name: 'assets.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('The file is valid: 50 would be created, 0 updated.').waitFor();
    await page.getByRole('button', { name: 'Import 50 rows' }).click();
    await page.getByText('Imported: 50 created, 0 updated.').waitFor();

    await page.goto(`${s.url}/risks/new`);
    await page.getByLabel('Title', { exact: true }).fill('Ransomware on workstations');
    await page.getByLabel('Owner').selectOption({ label: label() });
    await page.getByLabel('Affected assets').selectOption({ label: 'Workstation 07' });
    await page.getByLabel('Inherent likelihood').selectOption('4');
    await page.getByLabel('Inherent impact', { exact: true }).selectOption('5');
    await page.getByLabel('Treatment').selectOption('modify');
    await page.getByRole('button', { name: 'Create risk' }).click();
    await page.getByRole('heading', { name: /R-001 Ransomware/ }).waitFor();
    await page.getByLabel('Task', { exact: true }).fill('Anti-malware on every workstation');
    await page.getByLabel('Annex A controls (e.g. A.8.7, A.5.15)').fill('A.8.7');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByRole('table', { name: 'Treatment tasks' }).getByText('A.8.7').waitFor();
  });

  it('marks A.8.7 implemented with an evidence file; the SoA and the CSF 2.0 view follow', async () => {
    await page.goto(`${s.url}/compliance?framework=nist-csf-2.0`);
    const overall = page.getByRole('heading', { name: 'Overall compliance' });
    await overall.waitFor();
    const partialOf = async () => Number((await page.getByText(/implemented, \d+ partial, of \d+ applicable/).innerText()).match(/(\d+) partial/)![1]);
    csfBefore = await partialOf();
    expect(await page.getByRole('table', { name: 'Gaps' }).getByRole('row', { name: /PR\.DS-01/ }).innerText()).toMatch(/Not started/);

    await page.goto(`${s.url}/soa?q=A.8.7`);
    const row = page.getByRole('table', { name: 'Statement of Applicability' }).getByRole('row', { name: /A\.8\.7/ });
    await row.getByText('R-001').waitFor();
    expect(await row.innerText()).toMatch(/Not started/);

    await page.goto(`${s.url}/controls/new`);
    await page.getByLabel('Name').fill('EDR on all workstations');
    await page.getByLabel('Owner').selectOption({ label: label() });
    await page.getByLabel('Status').selectOption('implemented');
    await page.getByLabel(/^Satisfies/).fill('A.8.7\nnist-csf-2.0:DE.CM-01\nA.9.9');
    await page.getByRole('button', { name: 'Create control' }).click();
    await page.getByText(/"A.9.9" is not a control or subcategory/).waitFor();
    await page.getByLabel(/^Satisfies/).fill('A.8.7\nnist-csf-2.0:DE.CM-01');
    await page.getByRole('button', { name: 'Create control' }).click();
    await page.getByRole('heading', { name: 'C-001 EDR on all workstations' }).waitFor();

    await page.getByLabel('Evidence title').fill('EDR deployment report');
    await page.getByLabel('Evidence file').setInputFiles({ name: 'edr-report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 50 of 50 workstations protected\n%%EOF\n') });
    await page.getByLabel('Valid until').fill('2030-12-31');
    await page.getByRole('button', { name: 'Add evidence' }).click();
    await page.getByRole('table', { name: 'Evidence' }).getByText('edr-report.pdf (application/pdf').waitFor();
    await page.getByRole('button', { name: 'Accept E-0001' }).click();
    await page.getByRole('table', { name: 'Evidence' }).getByText(/Accepted by/).waitFor();

    await page.goto(`${s.url}/soa?q=A.8.7`);
    await row.getByText('Implemented').waitFor();
    expect(await row.innerText()).toMatch(/C-001/);
    expect(await row.innerText()).toMatch(/1 valid/);

    await page.goto(`${s.url}/compliance?framework=nist-csf-2.0`);
    await overall.waitFor();
    await page.getByRole('table', { name: 'Gaps' }).getByRole('row', { name: /PR\.DS-01/ }).getByRole('cell', { name: 'Partial', exact: true }).first().waitFor();
    expect(await partialOf()).toBeGreaterThan(csfBefore);
    await snap(page, 'soa-csf');
  });

  it('decides every control, approves the version and downloads the SoA as XLSX and PDF', async () => {
    await page.goto(`${s.url}/soa`);
    // Approval is refused while controls are undecided.
    await page.getByRole('button', { name: 'Approve this version' }).click();
    await page.getByText(/control\(s\) have no applicability decision/).waitFor();

    // Exclude one control with its justification inline; a missing justification is named beside the field.
    await page.getByRole('button', { name: 'Edit A.7.5' }).click();
    const editor = page.getByRole('form', { name: 'Edit A.7.5' });
    await editor.getByLabel('Applicable').selectOption('no');
    await editor.getByRole('button', { name: 'Save A.7.5' }).click();
    await editor.getByText('a justification is required for inclusion or exclusion').waitFor();
    await editor.getByLabel('Justification').fill('No own premises to protect: the colocation provider covers the site (contract DC-9).');
    await editor.getByRole('button', { name: 'Save A.7.5' }).click();
    await page.getByText('A.7.5 saved').waitFor();

    await page.goto(`${s.url}/soa?applicable=undecided`);
    await page.getByText(/^1–92 of 92$/).waitFor();
    await page.getByLabel('Select all on this page').check();
    await page.getByLabel('Justification for selected').fill('Required to treat risks in the risk register and by the regulator baseline.');
    await page.getByRole('button', { name: 'Apply to 92 selected' }).click();
    await page.getByText('92 control(s) decided').waitFor();

    await page.goto(`${s.url}/soa`);
    await page.getByLabel('Approval note').fill('First SoA');
    await page.getByRole('button', { name: 'Approve this version' }).click();
    await page.getByText('Version 1 approved').waitFor();
    await page.getByText(/Latest approved: version 1 by User \d+ on \d{4}-\d{2}-\d{2} \(unchanged\)/).waitFor();
    await snap(page, 'soa');

    await page.goto(`${s.url}/soa/versions`);
    await page.getByRole('table', { name: 'Approved versions' }).getByText('First SoA').waitFor();
    const [xd] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'XLSX' }).click()]);
    expect(xd.suggestedFilename()).toBe('soa-v1.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await bytesOf(xd)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Statement of Applicability')!;
    const text = (r: number) => (ws.getRow(r).values as unknown[]).slice(1).map((v) => String(v ?? ''));
    expect(text(1)[0]).toBe('Statement of Applicability - Bank Gamma');
    expect(text(3)[0]).toMatch(/^Version 1, approved by User \d+ on \d{4}-\d{2}-\d{2}$/);
    const rows = new Map<string, string[]>();
    for (let i = 7; i <= ws.rowCount; i++) rows.set(text(i)[0]!, text(i));
    expect(rows.size).toBe(93);
    expect(rows.get('A.8.7')).toEqual(expect.arrayContaining(['A.8.7', 'Yes', 'Implemented', 'C-001', 'E-0001 EDR deployment report', 'R-001']));
    expect(rows.get('A.7.5')!.slice(3, 6)).toEqual(['No', 'No own premises to protect: the colocation provider covers the site (contract DC-9).', 'Not applicable']);

    const [pd] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'PDF' }).click()]);
    expect(pd.suggestedFilename()).toBe('soa-v1.pdf');
    const lines = pdfText(await bytesOf(pd));
    const all = lines.join('\n');
    expect(lines[0]).toBe('Statement of Applicability - Bank Gamma');
    expect(all).toMatch(/Version 1, approved by User \d+ on/);
    for (const t of ['A.5.1', 'A.8.7', 'A.8.34', 'E-0001 EDR deployment report', 'Implemented', 'Not applicable']) expect(all).toContain(t);
  });
});
