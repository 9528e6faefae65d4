import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { notify } from '../../src/core/notify.js';
import { totpAt } from '../../src/domains/auth/mfa.js';
import { upsertMembership } from '../../src/domains/tenancy/members.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, DESKTOP, PHONE, snap, startServer, type E2eServer } from './helpers.js';

/**
 * The foundation, as a person uses it: sign in, turn on MFA, sign in again
 * with a code, invite a newcomer who joins from a second browser, switch
 * organisation, and find all of it in the audit log.
 */
describe('foundation in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let admin: BuiltUser;
  let bank: BuiltOrg;
  let cert: BuiltOrg;
  let adminCtx: BrowserContext;
  let page: Page;
  let secret = '';

  beforeAll(async () => {
    s = await startServer({ manualClock: true });
    browser = await connectBrowser();
    bank = await buildOrg(s.rt, 'regulated_entity', 'Bank Alpha');
    cert = await buildOrg(s.rt, 'cert', 'Sector CERT');
    admin = await buildUser(s.rt, bank.id, ['org_admin']);
    // A second membership, so the org switcher has somewhere to go.
    await asPlatform(s.rt, 'test', (tx, ctx) => upsertMembership(tx, ctx, cert.id, admin.id, ['cert_analyst']));
    adminCtx = await browser.newContext({ viewport: DESKTOP });
    page = await adminCtx.newPage();
    watch(page);
  });
  afterAll(async () => {
    await adminCtx?.close();
    await browser?.close();
    await s?.close();
  });

  const now = () => s.clock!.now();

  /** Browser-side errors fail loudly in the test output instead of as a silent timeout. */
  function watch(p: Page) {
    p.setDefaultTimeout(15_000);
    p.on('pageerror', (e) => console.error(`[browser error] ${e.message}`));
    // 4xx answers are expected along the way (signed out, wrong code); other console errors are not.
    p.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && console.error(`[browser console] ${m.text()}`));
  }

  /** Follows a link of the side navigation. */
  async function nav(p: Page, label: string) {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  }

  async function signIn(p: Page, email: string, password: string) {
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password', { exact: true }).fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Reads the TOTP secret off the enrolment page and confirms with the current code. */
  async function enrol(p: Page): Promise<string> {
    const key = p.getByTestId('totp-secret');
    await key.waitFor();
    const value = (await key.getAttribute('data-secret'))!;
    expect(value).toMatch(/^[A-Z2-7]{16,}$/);
    await expect.poll(() => p.getByRole('img', { name: /QR code/ }).count()).toBe(1);
    await p.getByLabel('Code from the app').fill(totpAt(value, now()));
    await p.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await p.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await p.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    return value;
  }

  it('signs in, requires MFA for the org and enrols', async () => {
    await page.goto(s.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await snap(page, 'signin-1280');

    // A wrong password is answered in the form, with the server's message.
    await signIn(page, admin.email, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: /email or password|credentials/i }).first().waitFor();

    await signIn(page, admin.email, admin.password);
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();

    await nav(page, 'Organisation settings');
    await page.getByLabel('Require two-factor authentication for every member').check();
    await page.getByText('you will be asked to right after saving').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    // The requirement applies to live sessions too: the admin must enrol before going on.
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await snap(page, 'enrol-1280');
    secret = await enrol(page);
    await snap(page, 'recovery-codes-1280');
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();
    await page.getByRole('heading', { name: 'Organisation settings' }).waitFor();
    expect(await page.getByLabel('Require two-factor authentication for every member').isChecked()).toBe(true);
    await nav(page, 'Security');
    await expect.poll(() => page.getByText('On. You sign in with your password').count()).toBe(1);
  });

  it('signs out and back in with a TOTP code', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The enrolment code's time step is spent; the next sign-in uses a later one.
    s.clock!.advance(60_000);
    // Keyboard only: the email field has focus, Tab moves on, Enter submits.
    await expect.poll(() => page.locator('input:focus').getAttribute('name')).toBe('email');
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').first().waitFor();
    await page.getByLabel('Authentication code').fill(totpAt(secret, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    await snap(page, 'home-1280');
  });

  it('shows unread notifications on the bell', async () => {
    await asPlatform(s.rt, 'test', (tx, ctx) => notify(tx, ctx, undefined, { orgId: bank.id, userIds: [admin.id], kind: 'test', title: 'Quarterly review due', body: 'Prepare the management review.' }));
    await page.reload();
    await expect.poll(() => page.getByTestId('unread-count').textContent()).toBe('1');
    await page.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await page.getByRole('heading', { name: 'Quarterly review due' }).waitFor();
    await page.getByRole('button', { name: 'Mark read' }).click();
    await expect.poll(() => page.getByTestId('unread-count').count()).toBe(0);
  });

  let link = '';
  const newcomer = { email: 'new.analyst@example.test', name: 'Nadia Newcomer', password: 'a long and quiet harbour 7' };

  it('invites a newcomer, who joins from a phone and must enrol MFA', async () => {
    await nav(page, 'Invitations');
    await page.getByLabel('Email').fill(newcomer.email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const shown = page.getByTestId('invitation-link');
    await shown.waitFor();
    link = (await shown.textContent())!.trim();
    expect(link.startsWith(`${s.url}/invite#`)).toBe(true);
    await snap(page, 'invitations-1280');
    await expect.poll(() => page.getByRole('cell', { name: newcomer.email, exact: true }).count()).toBe(1);

    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      watch(p);
      await p.goto(link);
      await p.getByRole('heading', { name: 'Join Muhafiz' }).waitFor();
      await p.getByText('Bank Alpha').first().waitFor();
      // The same zod schema as the server's catches a missing name before any request.
      await p.getByRole('button', { name: 'Create account and join' }).click();
      await p.getByText('Enter your name').waitFor();
      await p.getByLabel('Your name').fill(newcomer.name);
      await p.getByLabel('Password', { exact: true }).fill('short');
      await p.getByLabel('Repeat the password').fill('short');
      await p.getByRole('button', { name: 'Create account and join' }).click();
      // The server's password rule comes back as a field error under the field.
      await p.getByText('must be at least 12 characters', { exact: true }).waitFor();
      await p.getByText('Check this field: Password.').waitFor();
      await snap(p, 'invite-error-390');
      await p.getByLabel('Password', { exact: true }).fill(newcomer.password);
      await p.getByLabel('Repeat the password').fill(newcomer.password);
      await p.getByRole('button', { name: 'Create account and join' }).click();
      await p.getByRole('heading', { name: 'Welcome to Bank Alpha' }).waitFor();

      // Signing in from the same page: the org now requires MFA, so enrolment comes first.
      expect(await p.getByLabel('Email').inputValue()).toBe(newcomer.email);
      await p.getByLabel('Password', { exact: true }).fill(newcomer.password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await enrol(p);
      await snap(p, 'enrol-390');
      await p.getByRole('button', { name: 'I have saved them, continue' }).click();
      await p.getByRole('link', { name: 'Continue to Muhafiz' }).click();
      await p.getByRole('heading', { name: `Welcome, ${newcomer.name}` }).waitFor();
      await snap(p, 'home-390');
      // On a phone the navigation is a drawer behind the menu button.
      expect(await p.getByRole('link', { name: 'Notifications' }).first().isVisible()).toBe(true);
      expect(await p.locator('#sidenav').isVisible()).toBe(false);
      await p.getByRole('button', { name: 'Menu' }).click();
      expect(await p.locator('#sidenav').isVisible()).toBe(true);
      await snap(p, 'menu-390');
      // A staff member sees no administration entries.
      expect(await p.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    } finally {
      await phone.close();
    }

    await nav(page, 'Members');
    await page.getByText(newcomer.name).waitFor();
    await nav(page, 'Invitations');
    await expect.poll(() => page.getByRole('row', { name: new RegExp(newcomer.email) }).getByText('Accepted').count()).toBe(1);
  });

  it('switches organisation and back', async () => {
    await page.getByLabel('Acting organisation').selectOption(cert.id);
    await page.getByText('Now acting in Sector CERT').waitFor();
    await page.getByText(/You are acting in Sector CERT/).waitFor();
    // A CERT analyst there: no administration pages.
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.getByLabel('Acting organisation').selectOption(bank.id);
    await page.getByText(/You are acting in Bank Alpha/).waitFor();
  });

  it('finds every step in the audit log, filters it and exports it', async () => {
    await nav(page, 'Audit log');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /orgs\.update/ }).getByText('{"fields":["mfaRequired"]}').count()).toBe(1);
    for (const action of ['auth.login', 'orgs.update', 'auth.mfa_enrolled', 'auth.logout', 'auth.mfa_verified', 'invitations.create', 'invitations.accept', 'auth.switch_org']) {
      await expect.poll(() => page.getByRole('cell', { name: action, exact: true }).count(), { message: action }).toBeGreaterThan(0);
    }
    await snap(page, 'audit-1280');

    await page.getByLabel('Action starts with').fill('invitations.');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('cell', { name: /^auth\./ }).count()).toBe(0);
    expect(await page.getByRole('cell', { name: 'invitations.accept', exact: true }).count()).toBe(1);
    expect(page.url()).toContain('action=invitations.');

    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe('/api/audit-log/export.csv?action=invitations.');
    const csv = await page.request.get(`${s.url}${href}`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,actor,action/);
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['"invitations.create"', '"invitations.accept"']);

    await page.setViewportSize(PHONE);
    await snap(page, 'audit-390');
    await page.setViewportSize(DESKTOP);
  });

  it('creates an API token shown once, which works until revoked', async () => {
    await nav(page, 'API tokens');
    await page.getByLabel('Name').fill('SIEM export');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const token = (await shown.textContent())!.trim();
    const call = () => page.request.get(`${s.url}/api/members`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status()).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke token SIEM export' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Token SIEM export revoked').waitFor();
    await page.getByRole('row', { name: /SIEM export/ }).getByText('Revoked').waitFor();
    expect((await call()).status()).toBe(401);
  });

  it('lists sessions, the outbox and members on a phone', async () => {
    await nav(page, 'Security');
    await page.getByRole('cell', { name: /this device/ }).waitFor();
    await nav(page, 'Outbox');
    await page.getByText(`You are invited to Bank Alpha on Muhafiz`).waitFor();
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav(page, 'Members');
    await page.getByText(newcomer.name).waitFor();
    await snap(page, 'members-390');
    // Escape closes the menu drawer.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.keyboard.press('Escape');
    expect(await page.locator('#sidenav').isVisible()).toBe(false);
    await page.setViewportSize(DESKTOP);
    await snap(page, 'members-1280');

    await page.getByRole('button', { name: `Change roles of ${newcomer.name}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Viewer').check();
    await snap(page, 'roles-dialog-1280');
    await dialog.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText(`Roles of ${newcomer.name} updated`).waitFor();
    await page.getByRole('row', { name: new RegExp(newcomer.name) }).getByText('Viewer').waitFor();
    // The admin's own row offers no actions: the server sends none for oneself.
    expect(await page.getByRole('button', { name: /Change roles of User/ }).count()).toBe(0);
  });
});
