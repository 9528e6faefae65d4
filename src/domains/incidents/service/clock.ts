import type { Tx } from '../../../core/context.js';
import { classify, type Classification } from '../regimes/classify.js';
import { computeDeadlines, nextDeadline, type StageDeadline } from '../regimes/deadlines.js';
import type { RegimeDefinition, StageKey } from '../regimes/schema.js';
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

/** The deadline the queue sorts by and the reminder job chases; none once closed or rejected. */
export function nextDue(def: RegimeDefinition, inc: Parameters<typeof incidentFacts>[0], now: Date): { at: Date | null; stage: string | null } {
  if (inc.status === 'closed' || inc.status === 'rejected') return { at: null, stage: null };
  const n = nextDeadline(incidentDeadlines(def, inc, now));
  return { at: n?.dueAt ?? null, stage: n?.stage ?? null };
}

/** The system's major/reportable suggestion for a report's criteria values. */
export function suggestion(def: RegimeDefinition, report: ReportDraft | Record<string, unknown> | null): Classification {
  const criteria = (report as ReportDraft | null)?.criteria ?? {};
  return classify(def, criteria);
}

/** Stores the recomputed next deadline (after any write that moves a clock fact). */
export async function storeNextDue(tx: Tx, def: RegimeDefinition, inc: IncidentDb, now: Date): Promise<void> {
  const n = nextDue(def, inc, now);
  await tx.updateTable('incidents').set({ next_due_at: n.at, next_due_stage: n.stage }).where('org_id', '=', inc.org_id).where('id', '=', inc.id).execute();
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
