import { sql } from 'kysely';
import type { Tx } from '../../../core/context.js';
import type { Database } from '../../../db/connect.js';
import { classify, type Classification } from '../regimes/classify.js';
import { computeDeadlines, nextDeadline, type StageDeadline } from '../regimes/deadlines.js';
import { RegimeDefinition, STAGES, type StageKey } from '../regimes/schema.js';
import type { ReportDraft } from '../schema.js';
import type { IncidentDb } from './access.js';

/** The stored facts of an incident, as the deadline engine reads them. */
export function incidentFacts(inc: Pick<IncidentDb, 'detected_at' | 'classified_at' | 'is_major' | 'is_reportable' | 'stage_first_at' | 'status'>) {
  const submitted: Partial<Record<StageKey, Date>> = {};
  for (const [k, v] of Object.entries(inc.stage_first_at ?? {})) submitted[k as StageKey] = new Date(v);
  return { detectedAt: inc.detected_at, classifiedAt: inc.classified_at, major: inc.is_major, reportable: inc.is_reportable, submitted, stopped: inc.status === 'rejected' };
}

export function incidentDeadlines(def: RegimeDefinition, inc: Parameters<typeof incidentFacts>[0], now: Date): StageDeadline[] {
  return computeDeadlines(def, incidentFacts(inc), now);
}

/** The system's major/reportable suggestion for a report's criteria values. */
export function suggestion(def: RegimeDefinition, report: ReportDraft | Record<string, unknown> | null): Classification {
  const criteria = (report as ReportDraft | null)?.criteria ?? {};
  return classify(def, criteria);
}

type StageColumn = `${StageKey}_due_at` | `${StageKey}_submitted_at`;
export type DeadlineColumns = { next_due_at: Date | null; next_due_stage: string | null; deadlines_stored: true } & Record<StageColumn, Date | null>;
/** The stored deadline columns with their SQL types (for the batched update). */
const STORED: Array<[keyof DeadlineColumns, string]> = [
  ['next_due_at', 'timestamptz'],
  ['next_due_stage', 'text'],
  ...STAGES.flatMap((s): Array<[StageColumn, string]> => [
    [`${s}_due_at`, 'timestamptz'],
    [`${s}_submitted_at`, 'timestamptz'],
  ]),
  ['deadlines_stored', 'boolean'],
];
/** An incident's identity and the facts its clocks are computed from. */
export type FactsRow = Pick<IncidentDb, 'org_id' | 'id'> & Parameters<typeof incidentFacts>[0];

/**
 * What an incident stores about its clocks, from its regime's rules: every
 * stage's due time and first submission (the statistics count met / late /
 * overdue from these) and the next deadline (the queue sorts and filters on
 * it; none once closed or rejected). Due times depend only on stored facts,
 * never on the time of the write.
 */
export function deadlineColumns(def: RegimeDefinition, inc: Parameters<typeof incidentFacts>[0], now: Date): DeadlineColumns {
  const all = incidentDeadlines(def, inc, now);
  const next = inc.status === 'closed' || inc.status === 'rejected' ? null : nextDeadline(all);
  const cols = { next_due_at: next?.dueAt ?? null, next_due_stage: next?.stage ?? null, deadlines_stored: true } as DeadlineColumns;
  for (const s of STAGES) {
    const d = all.find((x) => x.stage === s);
    cols[`${s}_due_at`] = d?.dueAt ?? null;
    cols[`${s}_submitted_at`] = d?.submittedAt ?? null;
  }
  return cols;
}

/**
 * Stores the recomputed deadline columns of incidents under one regime (after
 * any write that moves a clock fact, a regime edit, or the start-up backfill):
 * one UPDATE per 2,000 incidents, under the caller's row-level security.
 */
export async function storeDeadlines(tx: Tx, def: RegimeDefinition, incs: readonly FactsRow[], now: Date): Promise<void> {
  const set = sql.join(STORED.map(([c]) => sql`${sql.ref(c)} = ${sql.ref(`r.${c}`)}`));
  const types = sql.join(STORED.map(([c, type]) => sql`${sql.ref(c)} ${sql.raw(type)}`));
  for (let i = 0; i < incs.length; i += 2000) {
    const rows = incs.slice(i, i + 2000).map((inc) => ({ org_id: inc.org_id, id: inc.id, ...deadlineColumns(def, inc, now) }));
    await sql`update incidents as i set ${set}
              from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(org_id uuid, id uuid, ${types})
              where i.org_id = r.org_id and i.id = r.id`.execute(tx);
  }
}

/**
 * Fills the deadline columns of incidents that do not have them yet (rows
 * that existed before migration 0205), with the same rules as every write.
 * Runs at start-up as muhafiz_system, before the server answers; returns how
 * many incidents it stored. With nothing to do it is one probe of a partial index.
 */
export async function storePendingDeadlines(db: Database, now: Date): Promise<number> {
  let stored = 0;
  let after: { org_id: string; id: string } | null = null;
  for (;;) {
    const from = after;
    const batch = await db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      let q = tx
        .selectFrom('incidents')
        .select(['org_id', 'id', 'regime_org_id', 'regime_id', 'detected_at', 'classified_at', 'is_major', 'is_reportable', 'stage_first_at', 'status'])
        .where('deadlines_stored', '=', false)
        .orderBy('org_id')
        .orderBy('id')
        .limit(5000)
        .forUpdate();
      if (from) q = q.where((eb) => eb(eb.refTuple('org_id', 'id'), '>', eb.tuple(from.org_id, from.id)));
      const rows = await q.execute();
      const regimeIds = [...new Set(rows.map((r) => r.regime_id))];
      const regimes = regimeIds.length ? await tx.selectFrom('reporting_regimes').select(['org_id', 'id', 'definition']).where('id', 'in', regimeIds).execute() : [];
      for (const r of regimes) {
        const def = RegimeDefinition.parse(r.definition);
        await storeDeadlines(tx, def, rows.filter((x) => x.regime_org_id === r.org_id && x.regime_id === r.id), now);
      }
      return rows;
    });
    if (!batch.length) return stored;
    stored += batch.length;
    after = batch.at(-1)!;
  }
}

/** Deadline views for the API, with the milliseconds left at the server's now. */
export function deadlineViews(deadlines: StageDeadline[], now: Date) {
  return deadlines.map((d) => ({
    stage: d.stage,
    label: d.label,
    dueAt: d.dueAt?.toISOString() ?? null,
    submittedAt: d.submittedAt?.toISOString() ?? null,
    state: d.state,
    basis: d.basis,
    msRemaining: d.dueAt && !d.submittedAt ? d.dueAt.getTime() - now.getTime() : null,
  }));
}
