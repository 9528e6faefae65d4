/**
 * One ATT&CK Enterprise import measurement in its own process (so peak RSS
 * is this work's): the raw baseline (read + JSON.parse + batched INSERT of
 * the raw objects into one jsonb table) then the real import (parse,
 * validate, store with extracted columns and versions, index, correlate).
 * Prints one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { connect } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { openRuntime } from '../src/server/runtime.js';
import { asPlatform } from '../src/domains/tenancy/users.js';
import { insertOrg } from '../src/domains/tenancy/orgs.js';
import { bundleObjects, parseBundleText } from '../src/domains/intel/bundle.js';
import { importObjects } from '../src/domains/intel/imports.js';
import type { Ctx } from '../src/core/context.js';

const file = process.argv[2]!;
const dir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-intel-'));
const config = loadConfig({ ...process.env, MUHAFIZ_DATA_DIR: dir, MUHAFIZ_SECRET_KEY: 'bench-secret-key-bench-secret-key-123456', LOG_LEVEL: 'silent' });
const db = await connect({ databaseUrl: config.databaseUrl, dataDir: dir });
await migrate(db);

// Baseline: the raw cost of getting the same JSON into one jsonb table.
const b0 = performance.now();
const rawObjects = bundleObjects(parseBundleText(await readFile(file, 'utf8')));
await db.kysely.transaction().execute(async (tx) => {
  await sql`create table bench_raw (doc jsonb not null)`.execute(tx);
  for (let i = 0; i < rawObjects.length; i += 1000) {
    const chunk = rawObjects.slice(i, i + 1000).map((o) => JSON.stringify(o));
    await sql`insert into bench_raw (doc) select x::jsonb from unnest(${chunk}::text[]) as x`.execute(tx);
  }
});
const baselineMs = performance.now() - b0;
await sql`drop table bench_raw`.execute(db.kysely);

const rt = await openRuntime(config, { db, log: pino({ level: 'silent' }), createAdmin: false });
const org = await asPlatform(rt, 'bench', (tx, ctx) => insertOrg(tx, ctx, { name: 'Bench CERT', shortName: 'benchcert', kind: 'cert' }));
const ctx: Ctx = { db: rt.db, clock: rt.clock, requestId: 'bench', ip: null, actor: { kind: 'user', userId: null, orgId: org.id, orgKind: 'cert', roles: ['cert_analyst'], platformAdmin: false, label: 'bench' } };
const i0 = performance.now();
const objects = bundleObjects(parseBundleText(await readFile(file, 'utf8')));
const r = await importObjects(ctx, objects, { source: 'bench', sharing: { tlp: 'clear', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
const importMs = performance.now() - i0;
const r0 = performance.now();
await importObjects(ctx, objects, { source: 'bench', sharing: { tlp: 'clear', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
const reimportMs = performance.now() - r0;
console.log(JSON.stringify({ objects: r.total, baselineMs, importMs, reimportMs, peakRssKb: process.resourceUsage().maxRSS }));
await rt.close();
