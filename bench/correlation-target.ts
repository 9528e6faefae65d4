/**
 * One correlation measurement in its own process: seeds N indicators
 * (stix_objects rows of type indicator, TLP:GREEN, owned by a CERT) with
 * their observables (intel_observables: 40% IPv4, 30% domains, 30% SHA-256,
 * as the import stores them) in set-based INSERT ... SELECT generate_series
 * statements, then, REPS times, correlates 10,000 fresh observables of a
 * bank's incident through correlateObservables (the real path: normalise,
 * store, exact and CIDR joins with both visibility answers, record matches,
 * alert, audit), HIT_RATE of them present among the indicators. The baseline
 * is a bare indexed join of the same 10,000 values against the same table
 * (superuser, no RLS, nothing written). Prints one JSON line.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import type { Ctx } from '../src/core/context.js';
import { correlateObservables, type ObservableInput } from '../src/domains/intel/correlation.js';
import { insertOrg } from '../src/domains/tenancy/orgs.js';
import { upsertMembership } from '../src/domains/tenancy/members.js';
import { asPlatform, insertUser } from '../src/domains/tenancy/users.js';
import { openRuntime } from '../src/server/runtime.js';

const N = Number(process.argv[2] ?? 1_000_000);
const REPS = Number(process.argv[3] ?? 5);
const OBSERVABLES = 10_000;
const HIT_RATE = 0.1;

const dir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-corr-'));
const config = loadConfig({ ...process.env, MUHAFIZ_DATA_DIR: dir, MUHAFIZ_SECRET_KEY: 'bench-secret-key-bench-secret-key-123456', LOG_LEVEL: 'silent' });
const rt = await openRuntime(config, { log: pino({ level: 'silent' }), createAdmin: false });
const db = rt.db.kysely;

const { cert, bank, user } = await asPlatform(rt, 'bench', async (tx, ctx) => {
  const cert = await insertOrg(tx, ctx, { name: 'Bench CERT', shortName: 'benchcert', kind: 'cert' });
  const bank = await insertOrg(tx, ctx, { name: 'Bench Bank', shortName: 'benchbank', kind: 'regulated_entity' });
  const user = await insertUser(tx, ctx, { email: 'analyst@bench.test', displayName: 'Analyst', password: 'bench-password-not-common-1' });
  await upsertMembership(tx, ctx, bank.id, user.id, ['org_admin']);
  return { cert: cert.id, bank: bank.id, user: user.id };
});

// Value i of the seeded set: kind by i mod 10, value a pure function of i,
// so the measured step can ask for hits (i < N) and misses (i >= N) alike.
const kindOf = (i: number): ObservableInput['kind'] => (i % 10 < 4 ? 'ipv4' : i % 10 < 7 ? 'domain' : 'sha256');
const KIND_SQL = sql`case when i % 10 < 4 then 'ipv4' when i % 10 < 7 then 'domain' else 'sha256' end`;
// IPv4 45.0.0.0 + i (outside every warning list), domains evil-<i>.bench-threat.com, sha256 of 'bench-<i>'.
const VALUE_SQL = sql`case when i % 10 < 4 then host(('45.0.0.0'::inet + i::bigint)) when i % 10 < 7 then 'evil-' || i || '.bench-threat.com' else encode(sha256(convert_to('bench-' || i, 'UTF8')), 'hex') end`;
const { createHash } = await import('node:crypto');
function valueOf(i: number): string {
  const k = kindOf(i);
  if (k === 'ipv4') {
    const n = 0x2d000000 + i;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  if (k === 'domain') return `evil-${i}.bench-threat.com`;
  return createHash('sha256').update(`bench-${i}`).digest('hex');
}

const s0 = performance.now();
const STEP = 100_000;
for (let lo = 0; lo < N; lo += STEP) {
  const hi = Math.min(N, lo + STEP) - 1;
  await db.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    await sql`
      insert into stix_objects (org_id, stix_id, version, type, spec_version, created, modified, tlp, source, is_latest, added_at, pattern_type, name, doc)
      select ${cert}::uuid, 'indicator--' || md5('bench-' || i)::uuid, '2025-01-01T00:00:00.000Z', 'indicator', '2.1', '2025-01-01', '2025-01-01', 'green', 'bench', true, now(), 'stix', v,
             jsonb_build_object('type', 'indicator', 'spec_version', '2.1', 'id', 'indicator--' || md5('bench-' || i)::uuid,
                                'created', '2025-01-01T00:00:00.000Z', 'modified', '2025-01-01T00:00:00.000Z', 'pattern_type', 'stix', 'valid_from', '2025-01-01T00:00:00Z',
                                'pattern', '[' || case k when 'ipv4' then 'ipv4-addr:value' when 'domain' then 'domain-name:value' else 'file:hashes.''SHA-256''' end || ' = ''' || v || ''']')
        from (select i, ${KIND_SQL} as k, ${VALUE_SQL} as v from generate_series(${lo}::int, ${hi}::int) as i) s`.execute(tx);
    await sql`
      insert into intel_observables (org_id, id, source_kind, source_ref, kind, value, ip, tlp, created_at)
      select ${cert}::uuid, md5('obs-' || i)::uuid, 'stix', 'indicator--' || md5('bench-' || i)::uuid, k, v, case when k = 'ipv4' then v::inet end, 'green', now()
        from (select i, ${KIND_SQL} as k, ${VALUE_SQL} as v from generate_series(${lo}::int, ${hi}::int) as i) s`.execute(tx);
  });
}
await sql`analyze stix_objects`.execute(db);
await sql`analyze intel_observables`.execute(db);
const seedMs = performance.now() - s0;
// Check the seed agrees with valueOf (so hits really hit).
const probe = await sql<{ n: number }>`select count(*)::int as n from intel_observables where kind = 'sha256' and value = ${valueOf(7)}`.execute(db);
if (probe.rows[0]!.n !== 1) throw new Error('seeded values do not match the generator');

const ctx: Ctx = { db: rt.db, clock: rt.clock, requestId: 'bench', ip: null, actor: { kind: 'user', userId: user, orgId: bank, orgKind: 'regulated_entity', roles: ['org_admin'], platformAdmin: false, label: 'bench' } };

/** Rep r's 10,000 observables: HIT_RATE of them spread over the seeded range, the rest new values; disjoint between reps. */
function observables(r: number): ObservableInput[] {
  const hits = Math.round(OBSERVABLES * HIT_RATE);
  const out: ObservableInput[] = [];
  const stride = Math.floor(N / (hits * (REPS + 1)));
  for (let j = 0; j < hits; j++) {
    const i = (j * (REPS + 1) + r) * stride;
    out.push({ kind: kindOf(i), value: valueOf(i) });
  }
  for (let j = 0; j < OBSERVABLES - hits; j++) {
    const i = N + r * OBSERVABLES + j;
    out.push({ kind: kindOf(i), value: valueOf(i) });
  }
  return out;
}

const baseline: number[] = [];
const real: number[] = [];
let matches = 0;
let baseHits = 0;
for (let r = 0; r < REPS; r++) {
  const obs = observables(r);
  const b0 = performance.now();
  const got = await sql<{ id: string }>`
    select o.id from unnest(${obs.map((o) => o.kind)}::text[], ${obs.map((o) => o.value)}::text[]) as v(kind, value)
      join intel_observables o on o.kind = v.kind and o.value = v.value`.execute(db);
  baseline.push(performance.now() - b0);
  baseHits = got.rows.length;
  const c0 = performance.now();
  const m = await correlateObservables(ctx, { kind: 'incident', ref: `INC-BENCH-${r}` }, obs, { mailer: rt.mailer });
  real.push(performance.now() - c0);
  matches = m.length;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({ indicators: N, observables: OBSERVABLES, reps: REPS, seedMs, baselineMs: median(baseline), correlateMs: median(real), baseline, real, matches, baseHits, rss: process.memoryUsage().rss }));
await rt.close();
process.exit(0);
