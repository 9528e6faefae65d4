import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { installPreset, listRegimes } from '../../src/domains/incidents/service/regimes.js';
import { addRelation } from '../../src/domains/tenancy/orgs.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, DESKTOP, PHONE, signedInPage, snap, startServer, type E2eServer } from './helpers.js';

/** A CERT duty officer tunes a reporting regime in the UI; the bank it serves reads it. */
describe('reporting regimes in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let cert: BuiltOrg;
  let bank: BuiltOrg;
  let duty: BuiltUser;
  let reporter: BuiltUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    cert = await buildOrg(s.rt, 'cert', 'Sector CERT');
    bank = await buildOrg(s.rt, 'regulated_entity', 'Bank Alpha');
    await asPlatform(s.rt, 'test', (tx, ctx) => addRelation(tx, ctx, cert.id, 'serves', bank.id));
    duty = await buildUser(s.rt, cert.id, ['cert_duty_officer']);
    reporter = await buildUser(s.rt, bank.id, ['isms_manager']);
    await installPreset(actingAs(s.rt, duty, cert, ['cert_duty_officer']), { preset: 'dora' });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.close();
  });

  const signedIn = (user: BuiltUser, viewport = DESKTOP): Promise<Page> => signedInPage(browser, s.url, user, contexts, viewport);

  it('installs a preset, refuses a bad threshold by field, and saves a tuned deadline', async () => {
    const p = await signedIn(duty);
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reporting regimes' }).click();
    await p.getByRole('heading', { name: 'Reporting regimes' }).waitFor();
    const table = p.getByRole('table', { name: 'Reporting regimes' });
    await table.getByText('Initial notification: 4 h after classified, or 24 h after detected').waitFor();

    await p.getByLabel('Preset', { exact: true }).selectOption('nis2');
    await p.getByRole('button', { name: 'Install preset' }).click();
    await table.getByText('Early warning: 24 h after detected').waitFor();

    await p.getByRole('button', { name: /^Edit DORA-like/ }).click();
    const form = p.getByRole('form', { name: /^Edit DORA-like/ });
    // A negative threshold is refused next to its field, nothing saved.
    await form.getByLabel('Major at').nth(1).fill('-5');
    await form.getByRole('button', { name: 'Save regime' }).click();
    await form.getByRole('alert').filter({ hasText: /greater than or equal to 0|>=0/ }).first().waitFor();
    await form.getByLabel('Major at').nth(1).fill('40000');
    // Intermediate report: 48 h instead of 72 h after the initial one.
    await form.getByLabel('Clock 1: hours').nth(1).fill('48');
    await form.getByRole('button', { name: 'Save regime' }).click();
    await table.getByText('Intermediate report: 48 h after initial').waitFor();
    await snap(p, 'regimes-desktop');

    const stored = (await listRegimes(actingAs(s.rt, duty, cert, ['cert_duty_officer']))).find((r) => r.key === 'dora')!;
    expect(stored.definition.stages[1]!.deadlines).toEqual([{ from: 'initial', hours: 48, months: 0 }]);
    expect(stored.definition.criteria.find((c) => c.key === 'customers_affected')!.major).toBe(40000);
  });

  it('shows the bank the regimes that apply to it, read-only, on a phone', async () => {
    const p = await signedIn(reporter, PHONE);
    await p.goto(`${s.url}/regimes`);
    const table = p.getByRole('table', { name: 'Reporting regimes' });
    await table.getByText('Intermediate report: 48 h after initial').waitFor();
    expect(await p.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    expect(await p.getByRole('button', { name: 'Install preset' }).count()).toBe(0);
    const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow as number).toBeLessThanOrEqual(1);
    await snap(p, 'regimes-phone');
  });
});
