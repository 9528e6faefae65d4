import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { fromRoot } from '../../src/core/paths.js';
import { buildApp } from '../../src/server/app.js';
import { openRuntime, type Runtime } from '../../src/server/runtime.js';
import { openTestDb } from '../helpers/db.js';

export interface E2eServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  rt: Runtime;
  app: FastifyInstance;
  /** The manual clock when one was asked for. */
  clock: ManualClock | undefined;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (so the public URL, which invitation links use, is known before listening). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The real server (API + built UI) on a fresh test database, listening on
 * 127.0.0.1. It builds nothing: `npm test` builds web/dist first. With
 * `{ manualClock: true }` time only moves when the test moves it.
 */
export async function startServer(opts: { manualClock?: boolean } = {}): Promise<E2eServer> {
  if (!existsSync(fromRoot('web/dist/index.html'))) throw new Error('web/dist is missing: run `npm run build` before the e2e tests');
  const clock = opts.manualClock ? new ManualClock(new Date()) : undefined;
  const port = await freePort();
  const db = await openTestDb();
  const config = loadConfig(
    { MUHAFIZ_DATA_DIR: `/tmp/muhafiz-e2e-data-${process.pid}`, MUHAFIZ_SECRET_KEY: 'e2e-secret-key-e2e-secret-key-1234567890', LOG_LEVEL: 'silent' },
    { publicUrl: `http://127.0.0.1:${port}`, host: '127.0.0.1', port },
  );
  const rt = await openRuntime(config, { ...(clock ? { clock: clock as Clock } : {}), db, log: pino({ level: 'silent' }), createAdmin: false });
  const app = await buildApp(rt);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url: config.publicUrl,
    rt,
    app,
    clock,
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

/** Connects to the run's one chromium (started by global-setup). */
export async function connectBrowser(): Promise<Browser> {
  return chromium.connect(inject('wsEndpoint'));
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Saves a full-page screenshot to /tmp/muhafiz-<name>.png for a person to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/muhafiz-${name}.png`, fullPage: true });
}

/** A new browser context (kept in `contexts` for closing) signed in as `user` at the home page. */
export async function signedInPage(browser: Browser, url: string, user: { email: string; password: string }, contexts: BrowserContext[], viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error('page error:', e.message));
  await p.goto(url);
  await submitSignIn(p, user);
  await p.getByRole('heading', { name: /^Welcome/ }).waitFor();
  return p;
}

/** Fills and submits the sign-in form on the current page. */
export async function submitSignIn(p: Page, user: { email: string; password: string }): Promise<void> {
  await p.getByLabel('Email').fill(user.email);
  await p.getByLabel('Password', { exact: true }).fill(user.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}
