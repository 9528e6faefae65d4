import { defineConfig, type ViteUserConfig } from 'vitest/config';
import pg from 'pg';

/**
 * Test projects:
 *   unit             src/**\/*.test.ts beside the code, no database
 *   pglite           integration tests (*.int.test.ts) on embedded PGlite
 *   postgres         the same integration tests on a real PostgreSQL server
 *                    (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *   e2e              browser tests in Debian's chromium (one browser process)
 */
async function postgresReachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const withPg = process.env.MUHAFIZ_SKIP_POSTGRES !== '1' && (await postgresReachable(pgUrl));
  if (!withPg) console.warn(`\n*** PostgreSQL not reachable at ${pgUrl}: SKIPPING the PostgreSQL integration run (PGlite run only) ***\n`);
  const integration = ['src/**/*.int.test.ts', 'test/integration/**/*.int.test.ts'];
  return {
    test: {
      pool: 'forks',
      poolOptions: { forks: { maxForks: 2, minForks: 1 } },
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ['default'],
      projects: [
        { extends: true as const, test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'], exclude: integration } },
        { extends: true as const, test: { name: 'pglite', include: integration, globalSetup: ['test/global-setup-pglite.ts'], env: { MUHAFIZ_TEST_DRIVER: 'pglite' } } },
        ...(withPg
          ? [{ extends: true as const, test: { name: 'postgres', include: integration, globalSetup: ['test/global-setup-postgres.ts'], env: { MUHAFIZ_TEST_DRIVER: 'postgres', TEST_DATABASE_URL: pgUrl } } }]
          : []),
        { extends: true as const, test: { name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'], globalSetup: ['test/e2e/global-setup.ts'], poolOptions: { forks: { singleFork: true } }, testTimeout: 180_000 } },
      ],
    },
  };
});
