/**
 * One target of the TAXII benchmark, in its own process (as http-target.ts):
 * imports OBJECTS STIX indicators (TLP:GREEN) for a CERT through the real
 * import, creates an API token, then reads the pages of 1,000 of the "all"
 * collection once, following `next`.
 *   muhafiz  serves GET /taxii2/api/collections/<all>/objects/ through the
 *            full stack (token, access check, kept page checked against the
 *            intel change log or RLS transaction and keyset page); args
 *            OBJECTS [WRITES_PER_SECOND]: with the latter, one indicator is
 *            imported that often while the load runs
 *   bare     a bare Fastify route answering each of those URLs with the
 *            same bytes the real server answered (read from the JSON file
 *            `{path: body}` given as the next argument; no database), kept
 *            as a Buffer, or as a string with a third argument `string`
 * Prints one JSON line {port, paths, token?, bytes} on stdout when ready.
 */
import Fastify from 'fastify';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import type { Ctx } from '../src/core/context.js';
import { createToken } from '../src/domains/auth/tokens.js';
import { importObjects } from '../src/domains/intel/imports.js';
import { COLLECTION_IDS } from '../src/domains/taxii/service.js';
import { keptPages, TAXII_MEDIA } from '../src/domains/taxii/routes.js';
import { insertOrg } from '../src/domains/tenancy/orgs.js';
import { upsertMembership } from '../src/domains/tenancy/members.js';
import { asPlatform, insertUser } from '../src/domains/tenancy/users.js';
import { buildApp } from '../src/server/app.js';
import { openRuntime } from '../src/server/runtime.js';

const mode = process.argv[2] as 'muhafiz' | 'bare';
if (mode === 'bare') {
  // As bytes encoded once (`buffer`, the fastest a route can answer, as the
  // real server keeps its pages) or as a string encoded on every send (`string`).
  const asString = process.argv[4] === 'string';
  const byPath = new Map(Object.entries(JSON.parse(await readFile(process.argv[3]!, 'utf8')) as Record<string, string>).map(([p, body]) => [p, asString ? body : Buffer.from(body)]));
  const bare = Fastify({ logger: false });
  bare.get('/taxii2/api/collections/:cid/objects/', async (req, reply) => reply.type(TAXII_MEDIA).send(byPath.get(req.url)));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  console.log(JSON.stringify({ port: (bare.server.address() as { port: number }).port, paths: [...byPath.keys()], bytes: 0 }));
  process.on('SIGTERM', () => process.exit(0));
} else {
  await serveMuhafiz(Number(process.argv[3] ?? 10_000), Number(process.argv[4] ?? 0));
}

async function serveMuhafiz(OBJECTS: number, writesPerSecond: number): Promise<void> {

  const dataDir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-taxii-'));
  const config = loadConfig({ ...process.env, MUHAFIZ_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MUHAFIZ_SECRET_KEY: 'bench-secret-bench-secret-bench-secret-12' });
  const rt = await openRuntime(config, { log: pino({ level: 'silent' }), createAdmin: false });
  const app = await buildApp(rt);

  const { org, user } = await asPlatform(rt, 'bench', async (tx, ctx) => {
    const org = await insertOrg(tx, ctx, { name: 'Bench CERT', shortName: `benchcert${Date.now() % 100000}`, kind: 'cert' });
    const user = await insertUser(tx, ctx, { email: `analyst.${Date.now()}@bench.test`, displayName: 'Analyst', password: 'bench-password-not-common-1' });
    await upsertMembership(tx, ctx, org.id, user.id, ['cert_analyst']);
    return { org: org.id, user: user.id };
  });
  const ctx: Ctx = { db: rt.db, clock: rt.clock, requestId: 'bench', ip: null, actor: { kind: 'user', userId: user, orgId: org, orgKind: 'cert', roles: ['cert_analyst'], platformAdmin: false, label: 'bench' } };
  const hex = (i: number) => i.toString(16).padStart(12, '0');
  const indicator = (i: number) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--20000000-0000-4000-8000-${hex(i)}`,
    created: '2025-06-01T00:00:00.000Z',
    modified: '2025-06-01T00:00:00.000Z',
    name: `Bench C2 server ${i}`,
    description: `Command and control server of a benchmark campaign, seen in ${i % 97} incidents of the sector; block at the perimeter and hunt for earlier connections.`,
    indicator_types: ['malicious-activity'],
    pattern: `[ipv4-addr:value = '${[46, (i >> 16) & 255, (i >> 8) & 255, i & 255].join('.')}']`,
    pattern_type: 'stix',
    valid_from: '2025-06-01T00:00:00Z',
    labels: ['bench', 'c2'],
  });
  const objects = Array.from({ length: OBJECTS }, (_, i) => indicator(i));
  for (let i = 0; i < objects.length; i += 5000) {
    await importObjects(ctx, objects.slice(i, i + 5000), { source: 'bench', sharing: { tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
  }
  const { token } = await createToken(ctx, { name: 'bench', role: 'cert_analyst' });
  const headers = { accept: TAXII_MEDIA, authorization: `Bearer ${token}` };

  // Walk the pages once: the URLs the load generator cycles through, and their bytes.
  const base = `/taxii2/api/collections/${COLLECTION_IDS.all}/objects/?limit=1000`;
  const pages: Array<{ path: string; body: string }> = [];
  for (let next: string | undefined, path = base; ; ) {
    const r = await app.inject({ method: 'GET', url: path, headers });
    if (r.statusCode !== 200) throw new Error(`TAXII answered ${r.statusCode}: ${r.body.slice(0, 200)}`);
    pages.push({ path, body: r.body });
    next = (r.json() as { next?: string }).next;
    if (!next) break;
    path = `${base}&next=${encodeURIComponent(next)}`;
  }
  const got = pages.reduce((n, p) => n + ((JSON.parse(p.body) as { objects?: unknown[] }).objects?.length ?? 0), 0);
  if (got !== OBJECTS) throw new Error(`paged ${got} objects, expected ${OBJECTS}`);
  const bytes = Math.round(pages.reduce((n, p) => n + Buffer.byteLength(p.body), 0) / pages.length);

  const pagesFile = join(dataDir, 'pages.json');
  await writeFile(pagesFile, JSON.stringify(Object.fromEntries(pages.map((p) => [p.path, p.body]))));
  await app.listen({ port: 0, host: '127.0.0.1' });
  // Another org's analyst would be adding intelligence meanwhile: each write
  // commits a change that every kept page is then checked against and re-read.
  if (writesPerSecond > 0) {
    let i = OBJECTS;
    const write = async () => {
      await importObjects(ctx, [indicator(i++)], { source: 'bench-writer', sharing: { tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
      setTimeout(() => void write(), 1000 / writesPerSecond);
    };
    setTimeout(() => void write(), 1000 / writesPerSecond);
  }
  const port = (app.server.address() as { port: number }).port;
  console.log(JSON.stringify({ port, token, paths: pages.map((p) => p.path), bytes, pagesFile, driver: rt.db.driver }));
  process.on('SIGTERM', () => {
    if (process.env.BENCH_TAXII_COUNTS) console.error('kept pages', JSON.stringify(keptPages(rt).counts));
    process.exit(0);
  });
}
