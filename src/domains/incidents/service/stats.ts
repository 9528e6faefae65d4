import { sql } from 'kysely';
import { authorize } from '../../../core/access/index.js';
import { inTx, type Ctx } from '../../../core/context.js';
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
  return inTx(ctx, async (tx) => {
    const now = ctx.clock.now();
    const cert = ctx.actor.orgKind === 'cert';
    let base = tx.selectFrom('incidents as i').where('i.status', '!=', 'draft');
    base = cert ? base.where('i.cert_org_id', '=', ctx.actor.orgId) : base.where('i.org_id', '=', ctx.actor.orgId);
    if (q.orgId) base = base.where('i.org_id', '=', q.orgId);
    if (q.from) base = base.where('i.first_reported_at', '>=', new Date(q.from));
    if (q.to) base = base.where('i.first_reported_at', '<', new Date(q.to));

    // Adherence: each stage's due time and first submission are stored on the incident by the
    // regime's rules (clock.ts, deadlineColumns), so met / late / overdue are counts over columns,
    // per entity, in the same pass as the entity chart. Two passes over the constituency in all,
    // each reading only columns of incidents_cert_stats (migration 0205), so each can be an
    // index-only scan instead of reading rows that carry whole report drafts.
    const stageCounts = STAGES.flatMap((s) => {
      const due = sql.ref(`i.${s}_due_at`);
      const sub = sql.ref(`i.${s}_submitted_at`);
      return [
        sql<number>`count(*) filter (where ${sub} <= ${due})`.as(`${s}_met`),
        sql<number>`count(*) filter (where ${sub} > ${due})`.as(`${s}_late`),
        sql<number>`count(*) filter (where ${sub} is null and ${due} < ${now})`.as(`${s}_overdue`),
      ];
    });
    const month = sql<string>`to_char(i.first_reported_at at time zone 'UTC', 'YYYY-MM')`;
    // date_part, not extract: extract answers numeric, and sorting 50,000 numerics for each median
    // took a third longer than the float8s percentile_cont works in anyway.
    const hoursBetween = (from: string, to: string) => sql`date_part('epoch', ${sql.ref(to)} - ${sql.ref(from)}) / 3600`;
    const [counts, perOrg] = await Promise.all([
      // One pass for the class, severity and month charts: grouping(class, severity) is 1 for a
      // class row, 2 for a severity row, 3 for a month row.
      base
        .select([sql<number>`grouping(i.rsit_class, i.severity)`.as('g'), 'i.rsit_class', 'i.severity', month.as('month'), (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(sql`grouping sets ((i.rsit_class), (i.severity), (${month}))`)
        .execute(),
      // One pass for the entity chart, adherence and the medians: grouping(org_id) is 0 for an
      // entity's row, 1 for the row over all (whose medians are the ones reported).
      base
        .innerJoin('orgs as o', 'o.id', 'i.org_id')
        .select([
          sql<number>`grouping(i.org_id)`.as('g'),
          'i.org_id as k',
          'o.name',
          (eb) => eb.fn.countAll<number>().as('n'),
          ...stageCounts,
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.detected_at', 'i.first_reported_at')})`.as('d2r'),
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.first_reported_at', 'i.triaged_at')})`.as('r2t'),
          sql<number | null>`percentile_cont(0.5) within group (order by ${hoursBetween('i.first_reported_at', 'i.contained_at')})`.as('r2c'),
        ])
        .groupBy(sql`grouping sets ((i.org_id, o.name), ())`)
        .execute(),
    ]);
    const byClass = counts.filter((r) => Number(r.g) === 1).sort((x, y) => Number(y.n) - Number(x.n));
    const bySeverity = counts.filter((r) => Number(r.g) === 2);
    const byMonth = counts.filter((r) => Number(r.g) === 3).sort((x, y) => (x.month < y.month ? -1 : 1));
    const byEntity = perOrg.filter((r) => Number(r.g) === 0).sort((x, y) => Number(y.n) - Number(x.n) || x.name.localeCompare(y.name));
    const medians = perOrg.find((r) => Number(r.g) === 1);
    const count = (r: (typeof byEntity)[number], s: StageKey, state: 'met' | 'late' | 'overdue') => Number((r as unknown as Record<string, number>)[`${s}_${state}`]);
    const perStage = new Map<StageKey, Adherence>(STAGES.map((s) => [s, { key: s, label: s, met: 0, late: 0, overdue: 0, rate: null }]));
    const perEntity = byEntity.map((r): Adherence => {
      const a: Adherence = { key: r.k, label: r.name, met: 0, late: 0, overdue: 0, rate: null };
      for (const s of STAGES) {
        for (const state of ['met', 'late', 'overdue'] as const) {
          a[state] += count(r, s, state);
          perStage.get(s)![state] += count(r, s, state);
        }
      }
      return a;
    });
    const finish = (a: Adherence): Adherence => ({ ...a, rate: rate(a.met, a.met + a.late + a.overdue) });

    let adv = tx.selectFrom('advisory_recipients as r');
    adv = cert ? adv.where('r.cert_org_id', '=', ctx.actor.orgId) : adv.where('r.org_id', '=', ctx.actor.orgId);
    const a = await adv
      .select([
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`count(r.acknowledged_at)`.as('ack'),
        sql<number>`count(*) filter (where r.applicability = 'affected')`.as('affected'),
        sql<number>`count(*) filter (where r.applicability = 'affected' and r.remediation_status = 'remediated')`.as('remediated'),
      ])
      .executeTakeFirstOrThrow();

    const hours = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);
    return {
      total: byEntity.reduce((n, r) => n + Number(r.n), 0),
      byClass: byClass.map((r) => ({ key: r.rsit_class ?? 'unclassified', label: r.rsit_class ?? 'unclassified', value: Number(r.n) })),
      bySeverity: ['critical', 'high', 'medium', 'low'].map((s) => ({ key: s, label: s, value: Number(bySeverity.find((r) => r.severity === s)?.n ?? 0) })),
      byEntity: byEntity.map((r) => ({ key: r.k, label: r.name, value: Number(r.n) })),
      byMonth: byMonth.map((r) => ({ key: r.month, label: r.month, value: Number(r.n) })),
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
  });
}
