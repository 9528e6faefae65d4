import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { setupPglite } from '../global-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    wsEndpoint: string;
  }
}

export const CHROMIUM = process.env.MUHAFIZ_CHROMIUM ?? '/usr/bin/chromium';

type Provide = { provide: (key: string, value: string) => void };

/**
 * One Debian chromium for the whole e2e run (test files connect to it over
 * its websocket), plus the migrated PGlite template every test server clones.
 */
export default async function setup(ctx: Provide) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); browsers are never downloaded`);
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  ctx.provide('wsEndpoint', server.wsEndpoint());
  const dropTemplate = await setupPglite(ctx);
  return async () => {
    await server.close();
    await dropTemplate();
  };
}
