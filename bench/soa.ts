/**
 * Statement of Applicability and compliance overview for one org with 2,000
 * assets, 1,000 risks (each with a treatment task naming Annex A controls),
 * 500 applied controls and 5,000 evidence items (issue 3's target: p99 <
 * 100 ms). Seeds with SQL, then times the same service calls the API makes,
 * in-process, against a baseline measured in the same run: a bare query of
 * the same rows (SoA entries joined to mappings and evidence, no derivation).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { inTx, type Ctx } from '../src/core/context.js';
import { newId } from '../src/core/ids.js';
import { connect } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { complianceOverview } from '../src/domains/soa/compliance.js';
import { SoaQuery } from '../src/domains/soa/schema.js';
import { listSoa } from '../src/domains/soa/service.js';
import { openRuntime } from '../src/server/runtime.js';
import { fmt, pct, table, time } from './lib.js';

const ASSETS = 2000;
const RISKS = 1000;
const CONTROLS = 500;
const EVIDENCE = 5000;

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const env = await d.fresh();
    const dir = await mkdtemp(join(tmpdir(), 'muhafiz-bench-soa-'));
    const config = loadConfig({ ...env, MUHAFIZ_DATA_DIR: dir, MUHAFIZ_SECRET_KEY: 'bench-secret-key-bench-secret-key-123456', LOG_LEVEL: 'silent' });
    const orgId = newId();
    const userId = newId();
    const seedStart = performance.now();
    const db0 = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrate(db0);
    await db0.kysely.transaction().execute(async (tx) => {
      await sql`insert into orgs (id, name, short_name, kind) values (${orgId}, 'Bench Bank', 'bench-bank', 'regulated_entity')`.execute(tx);
      await sql`insert into users (id, email, display_name) values (${userId}, 'ciso@bench.test', 'Bench CISO')`.execute(tx);
      await sql`insert into memberships (org_id, user_id, roles) values (${orgId}, ${userId}, '{isms_manager}')`.execute(tx);
      await sql`insert into assets (org_id, id, name, type, owner_id, confidentiality, integrity, availability, criticality)
                select ${orgId}::uuid, gen_random_uuid(), 'Asset ' || g, (array['information','software','hardware','service'])[1 + g % 4], ${userId}, 1 + g % 5, 1 + (g + 1) % 5, 1 + (g + 2) % 5, 3
                from generate_series(1, ${ASSETS}) g`.execute(tx);
      await sql`insert into risks (org_id, id, ref, title, owner_id, inherent_l, inherent_i, inherent_score, inherent_level, current_l, current_i, current_score, current_level, method_version)
                select ${orgId}::uuid, gen_random_uuid(), 'R-' || lpad(g::text, 4, '0'), 'Risk ' || g, ${userId}, 1 + g % 5, 1 + (g * 7) % 5, 9, 'medium', 1 + g % 5, 1 + (g * 7) % 5, 9, 'medium', 1
                from generate_series(1, ${RISKS}) g`.execute(tx);
      await sql`insert into risk_assets (org_id, risk_id, asset_id)
                select r.org_id, r.id, a.id from (select org_id, id, row_number() over (order by id) n from risks where org_id = ${orgId}) r
                join (select id, row_number() over (order by id) n from assets where org_id = ${orgId}) a on a.n = r.n * 2`.execute(tx);
      // Annex A ids as the catalog has them, one task per risk naming two of them.
      await sql`with a as (select ref, row_number() over (order by position) - 1 as i from catalog_requirements where framework_key = 'iso27001-2022' and kind = 'control'),
                     r as (select id, row_number() over (order by id) as n from risks where org_id = ${orgId})
                insert into risk_tasks (org_id, id, risk_id, title, control_ids)
                select ${orgId}::uuid, gen_random_uuid(), r.id, 'Treat risk ' || r.n, array[(select ref from a where i = r.n % 93), (select ref from a where i = (r.n * 7) % 93)] from r`.execute(tx);
      await sql`insert into applied_controls (org_id, id, ref, name, owner_id, status, created_at, updated_at)
                select ${orgId}::uuid, gen_random_uuid(), 'C-' || lpad(g::text, 3, '0'), 'Control ' || g, ${userId}, (array['not_started','partial','implemented','implemented'])[1 + g % 4], now(), now()
                from generate_series(1, ${CONTROLS}) g`.execute(tx);
      // Each control satisfies two Annex A controls and, every third one, a CSF subcategory.
      await sql`with a as (select ref, row_number() over (order by position) - 1 as i from catalog_requirements where framework_key = 'iso27001-2022' and kind = 'control'),
                     s as (select ref, row_number() over (order by position) - 1 as i from catalog_requirements where framework_key = 'nist-csf-2.0' and kind = 'subcategory'),
                     c as (select id, row_number() over (order by ref) as n from applied_controls where org_id = ${orgId})
                insert into applied_control_requirements (org_id, control_id, framework_key, ref)
                select ${orgId}::uuid, c.id, 'iso27001-2022', a.ref from c join a on a.i = c.n % 93
                union select ${orgId}::uuid, c.id, 'iso27001-2022', a.ref from c join a on a.i = (c.n * 11) % 93
                union select ${orgId}::uuid, c.id, 'nist-csf-2.0', s.ref from c join s on s.i = c.n % 106 where c.n % 3 = 0`.execute(tx);
      await sql`insert into evidence (org_id, id, ref, title, kind, url, valid_from, valid_until, created_by, created_at, updated_at)
                select ${orgId}::uuid, gen_random_uuid(), 'E-' || lpad(g::text, 4, '0'), 'Evidence ' || g, 'link', 'https://evidence.bench.test/' || g,
                       current_date - 400 + g % 300, case when g % 5 = 0 then current_date - 10 else current_date + g % 400 end, ${userId}, now(), now()
                from generate_series(1, ${EVIDENCE}) g`.execute(tx);
      await sql`with c as (select id, row_number() over (order by ref) - 1 as i from applied_controls where org_id = ${orgId}),
                     e as (select id, row_number() over (order by ref) as n from evidence where org_id = ${orgId})
                insert into evidence_controls (org_id, evidence_id, control_id) select ${orgId}::uuid, e.id, c.id from e join c on c.i = e.n % ${CONTROLS}`.execute(tx);
      await sql`insert into soa_entries (org_id, framework_key, ref, applicable, justification, updated_by, updated_at)
                select ${orgId}::uuid, 'iso27001-2022', ref, position % 20 <> 0, 'Justified by the risk assessment', ${userId}, now()
                from catalog_requirements where framework_key = 'iso27001-2022' and kind = 'control'`.execute(tx);
    });
    await sql`analyze`.execute(db0.kysely);
    await db0.close();
    const seedMs = performance.now() - seedStart;
    const rt = await openRuntime(config, { log: pino({ level: 'silent' }), createAdmin: false });
    try {
      const ctx: Ctx = { db: rt.db, clock: rt.clock, requestId: 'bench', ip: null, actor: { kind: 'user', userId, orgId, orgKind: 'regulated_entity', roles: ['isms_manager'], platformAdmin: false, label: 'bench' } };
      const today = new Date().toISOString().slice(0, 10);
      const cases: Array<[string, () => Promise<unknown>, number]> = [
        [
          'baseline: bare query of the same rows',
          () =>
            inTx(ctx, async (tx) => {
              await tx.selectFrom('soa_entries').selectAll().where('org_id', '=', orgId).where('framework_key', '=', 'iso27001-2022').execute();
              await sql`select r.ref, count(*) from applied_control_requirements r join applied_controls c on c.org_id = r.org_id and c.id = r.control_id
                        left join evidence_controls ec on ec.org_id = r.org_id and ec.control_id = r.control_id left join evidence e on e.org_id = ec.org_id and e.id = ec.evidence_id and e.valid_until >= ${today}::date
                        where r.org_id = ${orgId} and r.framework_key = 'iso27001-2022' group by r.ref`.execute(tx);
            }),
          50,
        ],
        ['SoA, all 93 rows (GET /api/soa?limit=100)', () => listSoa(ctx, SoaQuery.parse({ limit: 100 })), 50],
        ['SoA, gaps in A.8, search', () => listSoa(ctx, SoaQuery.parse({ group: 'A.8', gaps: 'true', q: 'C-0' })), 30],
        ['compliance ISO/IEC 27001 Annex A', () => complianceOverview(ctx, 'iso27001-2022'), 30],
        ['compliance NIST CSF 2.0 (via mapping)', () => complianceOverview(ctx, 'nist-csf-2.0'), 30],
      ];
      rows.push({ driver: d.name, case: `seed ${ASSETS} assets / ${RISKS} risks / ${CONTROLS} controls / ${EVIDENCE} evidence`, 'p50 ms': fmt(seedMs, 0), 'p99 ms': '-', 'x baseline p50': '-', runs: 1 });
      let base = 0;
      for (const [name, fn, n] of cases) {
        const xs = await time(n, fn);
        if (!base) base = pct(xs, 50);
        rows.push({ driver: d.name, case: name, 'p50 ms': fmt(pct(xs, 50)), 'p99 ms': fmt(pct(xs, 99)), 'x baseline p50': fmt(pct(xs, 50) / base), runs: n });
      }
    } finally {
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return `Statement of Applicability and compliance overview (target p99 < 100 ms)\n${table(rows)}`;
}
