import { sql } from 'kysely';
import { authorize } from '../../../core/access/index.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { IncidentActions as A } from '../policy.js';
import { STAGES, type StageKey } from '../regimes/schema.js';
import type { Adherence, IncidentStats } from '../stats-schema.js';

export type { Adherence, IncidentStats, Point } from '../stats-schema.js';

export interface StatsQuery {
  from?: string | undefined;
  to?: string | undefined;
  orgId?: string | undefined;
}

const rate = (n: number, d: number) => (d ? Math.round((n / d) * 1000) / 1000 : null);

/**
 * Chart-ready statistics over the actor's incidents (a CERT: its
 * constituency; an entity: its own), reported in [from, to).
 */
export async function incidentStats(ctx: Ctx, q: StatsQuery): Promise<IncidentStats> {
  authorize(ctx.actor, A['incidents.read']);
  const now = ctx.clock.now();
  const cert = ctx.actor.orgKind === 'cert';
  const scope = (tx: Tx) => {
    let base = tx.selectFrom('incidents as i').where('i.status', '!=', 'draft');
    base = cert ? base.where('i.cert_org_id', '=', ctx.actor.orgId) : base.where('i.org_id', '=', ctx.actor.orgId);
    if (q.orgId) base = base.where('i.org_id', '=', q.orgId);
    if (q.from) base = base.where('i.first_reported_at', '>=', new Date(q.from));
    if (q.to) base = base.where('i.first_reported_at', '<', new Date(q.to));
    return base;
  };

  // Adherence: each stage's due time and first submission are stored on the incident by the
  // regime's rules (clock.ts, deadlineColumns), so met / late / overdue are counts over columns.
  const stageCounts = STAGES.flatMap((s) => {
    const due = sql.ref(`i.${s}_due_at`);
    const sub = sql.ref(`i.${s}_submitted_at`);
    return [
      sql<number>`count(*) filter (where ${sub} <= ${due})`.as(`${s}_met`),
      sql<number>`count(*) filter (where ${sub} > ${due})`.as(`${s}_late`),
      sql<number>`count(*) filter (where ${sub} is null and ${due} < ${now})`.as(`${s}_overdue`),
    ];
  });
  // date_trunc per row and to_char per group: to_char on every row doubled the pass (EXPLAIN
  // ANALYZE at 50,000 incidents: 86 ms against 40 ms).
  const monthStart = sql<Date>`date_trunc('month', i.first_reported_at at time zone 'UTC')`;
  // date_part, not extract: extract answers numeric, and sorting 50,000 numerics for each median
  // took a third longer than the float8s percentile_cont works in anyway.
  const hoursBetween = (from: string, to: string) => sql`date_part('epoch', ${sql.ref(to)} - ${sql.ref(from)}) / 3600`;
  // Three plain passes over the scope, each a hash aggregate or one sort of its own (grouping
  // sets, tried first, made PostgreSQL sort 50,000 rows on disk or scan them twice as slowly),
  // run as separate read transactions at once: on PostgreSQL each gets its own connection and
  // core; PGlite runs them one after another. Each pass sees a consistent snapshot; the charts
  // may differ by a report that lands in between, as any dashboard refreshed a moment later.
  // Each pass reads only columns of the covering index incidents_cert_stats (0205); an index-only
  // scan of it is 2-2.5x faster than a scan of the table, whose rows carry whole report drafts,
  // but the planner's estimates prefer the table, so seq scans are off for these read-only
  // transactions (SET LOCAL: nothing else sees it). Quiet machine, 50,000 incidents, PostgreSQL:
  // p99 137 -> 90-97 ms (docs/cert.md, third pass).
  const pass = <T>(fn: (tx: Tx) => Promise<T>) =>
    inTx(ctx, async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      return fn(tx);
    });
  const [counts, perOrg, medians, a] = await Promise.all([
    // Class x severity x month combinations (hundreds of rows), rolled up into three charts below.
    pass((tx) =>
      tx
        .selectFrom(scope(tx).select(['i.rsit_class', 'i.severity', monthStart.as('m'), (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['i.rsit_class', 'i.severity', monthStart]).as('s'))
        .select(['s.rsit_class', 's.severity', sql<string>`to_char(s.m, 'YYYY-MM')`.as('month'), 's.n'])
        .execute(),
    ),
    // Per entity: the entity chart and adherence.
    pass((tx) =>
      tx
        .selectFrom(scope(tx).select(['i.org_id', (eb) => eb.fn.countAll<number>().as('n'), ...stageCounts]).groupBy('i.org_id').as('s'))
        .innerJoin('orgs as o', 'o.id', 's.org_id')
        .selectAll('s')
        .select('o.name')
        .execute(),
    ),
    pass((tx) =>
      scope(tx)
        .select([
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.detected_at', 'i.first_reported_at')})`.as('d2r'),
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.first_reported_at', 'i.triaged_at')})`.as('r2t'),
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.first_reported_at', 'i.contained_at')})`.as('r2c'),
        ])
        .executeTakeFirst(),
    ),
    inTx(ctx, (tx) => {
      let adv = tx.selectFrom('advisory_recipients as r');
      adv = cert ? adv.where('r.cert_org_id', '=', ctx.actor.orgId) : adv.where('r.org_id', '=', ctx.actor.orgId);
      return adv
        .select([
          (eb) => eb.fn.countAll<number>().as('n'),
          sql<number>`count(r.acknowledged_at)`.as('ack'),
          sql<number>`count(*) filter (where r.applicability = 'affected')`.as('affected'),
          sql<number>`count(*) filter (where r.applicability = 'affected' and r.remediation_status = 'remediated')`.as('remediated'),
        ])
        .executeTakeFirstOrThrow();
    }),
  ]);
  const rollUp = (key: (r: (typeof counts)[number]) => string | null) => {
    const m = new Map<string | null, number>();
    for (const r of counts) m.set(key(r), (m.get(key(r)) ?? 0) + Number(r.n));
    return [...m].map(([k, n]) => ({ k, n }));
  };
  const byClass = rollUp((r) => r.rsit_class).sort((x, y) => y.n - x.n || String(x.k).localeCompare(String(y.k)));
  const bySeverity = rollUp((r) => r.severity);
  const byMonth = rollUp((r) => r.month).sort((x, y) => (String(x.k) < String(y.k) ? -1 : 1));
  const byEntity = perOrg.sort((x, y) => Number(y.n) - Number(x.n) || x.name.localeCompare(y.name));
  const count = (r: (typeof byEntity)[number], s: StageKey, state: 'met' | 'late' | 'overdue') => Number((r as unknown as Record<string, number>)[`${s}_${state}`]);
  const perStage = new Map<StageKey, Adherence>(STAGES.map((s) => [s, { key: s, label: s, met: 0, late: 0, overdue: 0, rate: null }]));
  const perEntity = byEntity.map((r): Adherence => {
    const a: Adherence = { key: r.org_id, label: r.name, met: 0, late: 0, overdue: 0, rate: null };
    for (const s of STAGES) {
      for (const state of ['met', 'late', 'overdue'] as const) {
        a[state] += count(r, s, state);
        perStage.get(s)![state] += count(r, s, state);
      }
    }
    return a;
  });
  const finish = (a: Adherence): Adherence => ({ ...a, rate: rate(a.met, a.met + a.late + a.overdue) });

  const hours = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);
  return {
    total: byEntity.reduce((n, r) => n + Number(r.n), 0),
    byClass: byClass.map((r) => ({ key: r.k ?? 'unclassified', label: r.k ?? 'unclassified', value: r.n })),
    bySeverity: ['critical', 'high', 'medium', 'low'].map((s) => ({ key: s, label: s, value: bySeverity.find((r) => r.k === s)?.n ?? 0 })),
    byEntity: byEntity.map((r) => ({ key: r.org_id, label: r.name, value: Number(r.n) })),
    byMonth: byMonth.map((r) => ({ key: String(r.k), label: String(r.k), value: r.n })),
    medianHours: { detectToReport: hours(medians?.d2r), reportToTriage: hours(medians?.r2t), reportToContain: hours(medians?.r2c) },
    adherenceByEntity: perEntity.map(finish),
    adherenceByStage: [...perStage.values()].map(finish),
    advisories: {
      recipients: Number(a.n),
      acknowledged: Number(a.ack),
      acknowledgementRate: rate(Number(a.ack), Number(a.n)),
      affected: Number(a.affected),
      remediated: Number(a.remediated),
      remediationRate: rate(Number(a.remediated), Number(a.affected)),
    },
  };
}
