/**
 * SP 800-53 rev5 (1,189 controls and enhancements) catalog import in its own
 * process: the raw baseline (read + JSON.parse + a walk that flattens groups
 * and controls + one bulk INSERT of the same 1,209 rows into a plain table
 * without indexes or constraints) against the real import (read, parse,
 * NIST schema validation, conversion with rendered params, batched insert
 * into the indexed catalog tables, audit). Three rounds each, medians; then
 * a re-import of unchanged content. Prints one JSON line.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import type { Ctx } from '../src/core/context.js';
import { connect } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { importOscalCatalog } from '../src/domains/catalogs/import.js';
import { asPlatform } from '../src/domains/tenancy/users.js';
import { openRuntime } from '../src/server/runtime.js';

interface Node {
  id?: string;
  title: string;
  groups?: Node[];
  controls?: Node[];
}

const file = process.argv[2]!;
const dir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-catalog-'));
const config = loadConfig({ ...process.env, MUHAFIZ_DATA_DIR: dir, MUHAFIZ_SECRET_KEY: 'bench-secret-key-bench-secret-key-123456', LOG_LEVEL: 'silent' });
const db = await connect({ databaseUrl: config.databaseUrl, dataDir: dir });
await migrate(db);
await sql`create table bench_raw (ref text, parent_ref text, title text, body jsonb)`.execute(db.kysely);
// Pool connections may run as the app roles once the runtime is open.
await sql`grant all on bench_raw to muhafiz_app, muhafiz_system`.execute(db.kysely);

async function baseline(): Promise<number> {
  const t0 = performance.now();
  const doc = JSON.parse(await readFile(file, 'utf8')) as { catalog: Node };
  const refs: string[] = [];
  const parents: Array<string | null> = [];
  const titles: string[] = [];
  const bodies: string[] = [];
  const walk = (n: Node, parent: string | null) => {
    const { groups, controls, ...own } = n;
    refs.push(n.id ?? '');
    parents.push(parent);
    titles.push(n.title);
    bodies.push(JSON.stringify(own));
    for (const g of groups ?? []) walk(g, n.id ?? null);
    for (const c of controls ?? []) walk(c, n.id ?? null);
  };
  for (const g of doc.catalog.groups ?? []) walk(g, null);
  for (const c of doc.catalog.controls ?? []) walk(c, null);
  await sql`insert into bench_raw (ref, parent_ref, title, body) select * from unnest(${refs}::text[], ${parents}::text[], ${titles}::text[], ${bodies}::jsonb[])`.execute(db.kysely);
  const ms = performance.now() - t0;
  await sql`truncate bench_raw`.execute(db.kysely);
  return ms;
}

const rt = await openRuntime(config, { db, log: pino({ level: 'silent' }), createAdmin: false });
const ctx = await asPlatform(rt, 'bench', async (_tx, c) => c);
const benchCtx: Ctx = { ...ctx, requestId: 'bench' };

async function real(key: string): Promise<{ ms: number; requirements: number }> {
  const t0 = performance.now();
  const r = await importOscalCatalog(benchCtx, JSON.parse(await readFile(file, 'utf8')), { key });
  return { ms: performance.now() - t0, requirements: r.requirements };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const imp: number[] = [];
let requirements = 0;
for (let round = 1; round <= 3; round++) {
  base.push(await baseline());
  const r = await real(`sp800-53-bench-${round}`);
  imp.push(r.ms);
  requirements = r.requirements;
}
const reimport = (await real('sp800-53-bench-1')).ms;
console.log(JSON.stringify({ requirements, baselineMs: median(base), importMs: median(imp), reimportMs: reimport, peakRssKb: process.resourceUsage().maxRSS }));
await rt.close();
