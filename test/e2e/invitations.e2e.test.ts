import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createInvitation } from '../../src/domains/tenancy/invitations.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, DESKTOP, snap, startServer, type E2eServer } from './helpers.js';

/** An invitation for someone who already has an account: they sign in on the invitation page, then accept. */
describe('accepting an invitation with an existing account', () => {
  let s: E2eServer;
  let browser: Browser;
  let regulator: BuiltOrg;
  let bank: BuiltOrg;
  let inviter: BuiltUser;
  let invitee: BuiltUser;
  let other: BuiltUser;

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    regulator = await buildOrg(s.rt, 'regulator', 'Securities Commission');
    bank = await buildOrg(s.rt, 'regulated_entity', 'Bank Gamma');
    inviter = await buildUser(s.rt, regulator.id, ['org_admin']);
    invitee = await buildUser(s.rt, bank.id, ['isms_manager']);
    other = await buildUser(s.rt, bank.id, ['staff']);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function invite(email: string): Promise<string> {
    const ctx = actingAs(s.rt, inviter, regulator, ['org_admin']);
    const inv = await createInvitation(ctx, { mailer: s.rt.mailer, publicUrl: s.url }, { email, roles: ['supervisor'], expiresInDays: 7 });
    return inv.link;
  }

  async function signInHere(p: Page, email: string, password: string) {
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password', { exact: true }).fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  it('asks to sign in, then accepts and offers the new org in the switcher', async () => {
    const link = await invite(invitee.email);
    const ctx = await browser.newContext({ viewport: DESKTOP });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(15_000);
      await p.goto(link);
      await p.getByRole('heading', { name: 'Accept invitation' }).waitFor();
      await p.getByText(`Sign in as ${invitee.email} to accept`).waitFor();
      expect(await p.getByLabel('Email').inputValue()).toBe(invitee.email);
      await signInHere(p, invitee.email, invitee.password);
      await p.getByRole('button', { name: 'Accept and join Securities Commission' }).click();
      await p.getByRole('heading', { name: 'Welcome to Securities Commission' }).waitFor();
      await snap(p, 'invite-existing-1280');
      await p.getByRole('button', { name: 'Switch to Securities Commission now' }).click();
      await p.getByText(/You are acting in Securities Commission .* as Supervisor/).waitFor();
      // Both orgs are in the switcher now.
      await p.getByLabel('Acting organisation').selectOption(bank.id);
      await p.getByText(/You are acting in Bank Gamma .* as ISMS manager/).waitFor();
    } finally {
      await ctx.close();
    }
  });

  it('tells someone signed in with another account to switch accounts', async () => {
    const link = await invite(other.email);
    const ctx = await browser.newContext({ viewport: DESKTOP });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(15_000);
      await p.goto(s.url);
      await signInHere(p, invitee.email, invitee.password);
      await p.getByRole('heading', { name: /^Welcome/ }).waitFor();
      await p.goto(link);
      await p.getByText(`You are signed in as ${invitee.email}. Sign out and sign in as ${other.email} to accept.`).waitFor();
      expect(await p.getByRole('button', { name: /Accept and join/ }).count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });
});
