import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { refreshStaleStatistics } from '../../src/server/jobs.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`planner statistics (${TEST_DRIVER})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  const memberships = async () =>
    (await sql<{ reltuples: number }>`select reltuples::int as reltuples from pg_class where oid = 'memberships'::regclass`.execute(t.rt.db.kysely)).rows[0]!.reltuples;

  it('analyzes tables whose statistics are missing or stale, then nothing until they change', async () => {
    const org = await buildOrg(t.rt);
    for (let i = 0; i < 40; i++) await buildUser(t.rt, org.id, ['staff']);
    await refreshStaleStatistics(t.rt.db);
    expect(await memberships()).toBeGreaterThanOrEqual(40);
    expect(await refreshStaleStatistics(t.rt.db)).toBe(0);
  });

  it('is not callable by the request role', async () => {
    await expect(sql`select refresh_stale_statistics()`.execute(t.rt.db.kysely)).rejects.toThrow(/permission denied/);
  });
});
