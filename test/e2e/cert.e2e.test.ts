import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOUR } from '../../src/core/clock.js';
import { installPreset } from '../../src/domains/incidents/service/regimes.js';
import { createIncident, submitStage } from '../../src/domains/incidents/service/reports.js';
import { addRelation } from '../../src/domains/tenancy/orgs.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { fullReport } from '../helpers/cert-world.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, signedInPage, snap, startServer, type E2eServer } from './helpers.js';

/**
 * The CERT path as people click it: a bank reports a major incident with
 * IOCs, the CERT triages it and asks a question, the bank answers and
 * submits the intermediate and final stages on time; a second bank's missed
 * deadline shows as overdue; the CERT publishes an advisory that a third
 * org acknowledges.
 */
describe('CERT reporting and advisories in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let cert: BuiltOrg;
  let banks: BuiltOrg[];
  let analyst: BuiltUser;
  let reporters: BuiltUser[];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    s = await startServer({ manualClock: true });
    browser = await connectBrowser();
    cert = await buildOrg(s.rt, 'cert', 'Sector CERT');
    banks = [await buildOrg(s.rt, 'regulated_entity', 'Bank Alpha'), await buildOrg(s.rt, 'regulated_entity', 'Bank Beta'), await buildOrg(s.rt, 'regulated_entity', 'Broker Gamma')];
    for (const b of banks) await asPlatform(s.rt, 'test', (tx, ctx) => addRelation(tx, ctx, cert.id, 'serves', b.id));
    analyst = await buildUser(s.rt, cert.id, ['cert_duty_officer']);
    reporters = [];
    for (const b of banks) reporters.push(await buildUser(s.rt, b.id, ['isms_manager']));
    await installPreset(actingAs(s.rt, analyst, cert, ['cert_duty_officer']), { preset: 'dora' });
    // Bank Beta reported three days ago and never sent its intermediate report.
    const beta = actingAs(s.rt, reporters[1]!, banks[1]!, ['isms_manager']);
    const inc = await createIncident(beta, { draft: fullReport(s.clock!.now(), 1, { title: 'Beta DDoS on online banking', rsitClass: 'availability', rsitType: 'ddos' }) as never });
    await submitStage(beta, {}, inc.id, 'initial');
    s.clock!.advance(73 * HOUR);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.close();
  });

  const signedIn = (user: BuiltUser): Promise<Page> => signedInPage(browser, s.url, user, contexts);

  const utc = (d: Date) => d.toISOString().slice(0, 16);

  it('runs the whole path', async () => {
    const bank = await signedIn(reporters[0]!);
    await bank.getByRole('link', { name: 'Incidents', exact: true }).first().click();
    await bank.getByRole('button', { name: 'Report an incident' }).click();
    await bank.getByRole('heading', { name: /INC-/ }).waitFor();
    await bank.getByLabel('Title').fill('Card switch ransomware');
    await bank.getByLabel('Summary').fill('Ransomware encrypted the card switch.');
    await bank.getByLabel('Detected at (UTC)').fill(utc(new Date(s.clock!.now().getTime() - HOUR)));
    await bank.getByLabel('RSIT class').selectOption('malicious-code');
    await bank.getByLabel('RSIT type').selectOption('infected-system');
    await bank.getByLabel('Severity').selectOption('critical');
    await bank.getByLabel('Critical or important functions affected').fill('1');
    await bank.getByLabel('Clients, counterparts or transactions affected (clients)').fill('80000');
    await bank.getByLabel('Duration of service downtime (minutes)').fill('240');
    await bank.getByRole('status', { name: 'Suggestion' }).filter({ hasText: 'major' }).waitFor();
    await bank.getByLabel('We classify this incident as major').check();
    await bank.getByRole('button', { name: 'Add observable' }).click();
    await bank.getByLabel('Value 1').fill('203.0.113.7');
    await bank.getByRole('button', { name: 'Add observable' }).click();
    await bank.getByLabel('Type 2').selectOption('sha256');
    await bank.getByLabel('Value 2').fill('a'.repeat(64));
    await bank.getByLabel('Contact name').fill('Ayla CISO');
    await bank.getByLabel('Contact email').fill('ciso@alpha.example');
    await bank.getByRole('button', { name: 'Submit initial notification' }).click();
    await bank.getByText('Initial report submitted').waitFor();
    await bank.locator('[data-stage="intermediate"]').getByRole('timer').waitFor();
    await snap(bank, 'cert-report-1280');
    const incidentUrl = bank.url();

    // The CERT's queue: Alpha's new report, and Beta's missed deadline as overdue.
    const certPage = await signedIn(analyst);
    await certPage.getByRole('link', { name: 'Incidents', exact: true }).first().click();
    await certPage.getByRole('heading', { name: 'Triage queue' }).waitFor();
    const betaRow = certPage.getByRole('row').filter({ hasText: 'Beta DDoS on online banking' });
    await betaRow.getByText('overdue').waitFor();
    await certPage.getByRole('row').filter({ hasText: 'Card switch ransomware' }).getByRole('link').click();
    await certPage.getByRole('button', { name: 'Move to Triage' }).click();
    await certPage.getByText('Moved to Triage').waitFor();
    await certPage.getByLabel('Message', { exact: true }).fill('Which card schemes are affected?');
    await certPage.getByRole('button', { name: 'Send message' }).click();
    await certPage.getByRole('region', { name: 'Thread' }).getByText('Which card schemes are affected?').waitFor();
    await snap(certPage, 'cert-triage-1280');

    // The bank answers and submits the next stages on time.
    await bank.goto(incidentUrl);
    await bank.getByRole('region', { name: 'Thread' }).getByText('Which card schemes are affected?').waitFor();
    await bank.getByLabel('Message', { exact: true }).fill('Visa and the local debit scheme.');
    await bank.getByRole('button', { name: 'Send message' }).click();
    await bank.getByRole('region', { name: 'Thread' }).getByText('Visa and the local debit scheme.').waitFor();
    await bank.getByLabel('Affected services (comma-separated)').fill('card payments, ATM');
    await bank.getByLabel('Impact', { exact: true }).fill('Card payments down for four hours.');
    await bank.getByLabel('Measures taken').fill('Isolated the switch; restored from backup.');
    await bank.getByRole('button', { name: 'Submit intermediate report' }).click();
    await bank.getByText('Intermediate report submitted').waitFor();
    await bank.getByLabel('Root cause').fill('Phishing mail with a macro dropper.');
    await bank.getByRole('button', { name: 'Submit final report' }).click();
    await bank.getByText('Final report submitted').waitFor();
    for (const stage of ['initial', 'intermediate', 'final']) await bank.locator(`[data-stage="${stage}"]`).getByText(': Met').waitFor();

    // The CERT sees the reply and what changed between stages.
    await certPage.reload();
    await certPage.getByRole('region', { name: 'Thread' }).getByText('Visa and the local debit scheme.').waitFor();
    await certPage.getByRole('button', { name: 'What changed' }).first().click();
    await certPage.getByRole('list', { name: 'Changes' }).getByText('impactDescription').waitFor();

    // The CERT publishes an advisory; Broker Gamma acknowledges it.
    await certPage.getByRole('link', { name: 'Advisories', exact: true }).first().click();
    await certPage.getByText('Write an advisory').click();
    await certPage.getByLabel('Title').fill('Macro dropper targeting card switches');
    await certPage.getByLabel('CVE ids (space or comma separated)').fill('CVE-2026-12345');
    await certPage.getByLabel('Description').fill('A macro dropper deploys ransomware on card switches.');
    await certPage.getByLabel('Recommended actions').fill('Block Office macros from the internet.');
    await certPage.getByRole('button', { name: 'Save draft' }).click();
    await certPage.getByRole('button', { name: 'Publish' }).click();
    await certPage.getByText('Published to 3 organisation(s)').waitFor();

    const gamma = await signedIn(reporters[2]!);
    await gamma.getByRole('link', { name: 'Advisories', exact: true }).first().click();
    await gamma.getByRole('row').filter({ hasText: 'Macro dropper targeting card switches' }).getByRole('link').click();
    await gamma.getByLabel('Applicability').selectOption('not_affected');
    await gamma.getByLabel('Remediation', { exact: true }).selectOption('not_applicable');
    await gamma.getByRole('button', { name: 'Acknowledge' }).click();
    await gamma.getByText(/acknowledged \d/).waitFor();

    await certPage.reload();
    await certPage.getByRole('heading', { name: /1 of 3 acknowledged/ }).waitFor();
    await snap(certPage, 'cert-advisory-progress-1280');
    expect(await certPage.getByRole('row').filter({ hasText: 'Broker Gamma' }).getByText('Not affected').count()).toBe(1);
  });
});
