/**
 * One HTTP target for the HTTP benchmark, run in its own process so the load
 * generator does not share its event loop:
 *   muhafiz  GET /api/members?limit=50 through the full stack (session
 *            cookie, access check, RLS transaction, zod serialisation)
 *   bare     a bare Fastify route returning the same JSON bytes
 *   floor    the bare route plus four trivial database round trips, as many
 *            as the list needs (a lookup standing for the session's, then a
 *            transaction: BEGIN with set_config, one query, COMMIT)
 * Prints one JSON line {port, cookie?} on stdout when ready.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openRuntime } from '../src/server/runtime.js';
import { insertOrg } from '../src/domains/tenancy/orgs.js';
import { upsertMembership } from '../src/domains/tenancy/members.js';
import { asPlatform, insertUser } from '../src/domains/tenancy/users.js';
import { refreshStaleStatistics } from '../src/server/jobs.js';

const mode = process.argv[2] as 'muhafiz' | 'bare' | 'floor';
const PASSWORD = 'bench-password-not-common-1';

const dataDir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-'));
const config = loadConfig({ ...process.env, MUHAFIZ_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MUHAFIZ_SECRET_KEY: 'bench-secret-bench-secret-bench-secret-12' });
const rt = await openRuntime(config, { log: pino({ level: 'silent' }), createAdmin: false });
const app = await buildApp(rt);

// 50 members in one org: the list endpoint returns 50 items.
const email = await asPlatform(rt, 'bench', async (tx, ctx) => {
  const org = await insertOrg(tx, ctx, { name: 'Bench Bank', shortName: `bench-${Date.now()}`, kind: 'regulated_entity' });
  let first = '';
  for (let i = 0; i < 50; i++) {
    const u = await insertUser(tx, ctx, { email: `member${i}.${Date.now()}@bench.test`, displayName: `Member ${i}`, password: PASSWORD });
    await upsertMembership(tx, ctx, org.id, u.id, i === 0 ? ['org_admin'] : ['staff']);
    if (i === 0) first = `member0.${Date.now()}`;
  }
  return first;
});
void email;
// Planner statistics for the rows just written, as PostgreSQL's autovacuum or
// (on PGlite) the maintenance.statistics job would have them within minutes.
await refreshStaleStatistics(rt.db);
const admin = await asPlatform(rt, 'bench', async (tx) =>
  tx.selectFrom('users').select('email').where('email', 'like', 'member0.%').executeTakeFirstOrThrow(),
);
const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: PASSWORD } });
const cookie = login.cookies.find((c) => c.name === 'mfz_session')!.value;
const sample = await app.inject({ method: 'GET', url: '/api/members?limit=50', headers: { cookie: `mfz_session=${cookie}` } });
if (sample.statusCode !== 200 || sample.json().items.length !== 50) throw new Error(`unexpected list answer ${sample.statusCode}`);

if (mode === 'muhafiz') {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  console.log(JSON.stringify({ port, cookie, driver: rt.db.driver, rss: process.memoryUsage().rss }));
} else {
  await app.close();
  const body = sample.body;
  // Any UUID will do for the floor's set_config; one of the listed members' ids.
  const someId = (sample.json() as { items: Array<{ userId: string }> }).items[0]!.userId;
  const bare = Fastify({ logger: false });
  bare.get('/api/members', async (_req, reply) => {
    if (mode === 'floor') {
      await sql`select ${'session'}::text`.execute(rt.db.kysely);
      await rt.db.kysely.transaction().execute(async (tx) => {
        await sql`select set_config('app.org_id', ${sql.lit(someId)}, true)`.execute(tx);
        await sql`select ${50}::int`.execute(tx);
      });
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const port = (bare.server.address() as { port: number }).port;
  console.log(JSON.stringify({ port, driver: rt.db.driver, rss: process.memoryUsage().rss }));
}
process.on('SIGTERM', () => process.exit(0));
