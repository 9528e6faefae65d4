import { sql } from 'kysely';
import { authorize } from '../../../core/access/index.js';
import { inTx, type Ctx } from '../../../core/context.js';
import { likePattern, type PagedResult } from '../../../core/paging.js';
import { IncidentActions as A } from '../policy.js';
import type { IncidentQuery, IncidentRow } from '../schema.js';
import type { IncidentDb } from './access.js';

/** The list/queue row of an incident. */
export function toIncidentRow(inc: IncidentDb, orgName: string, now: Date): IncidentRow {
  return {
    id: inc.id,
    orgId: inc.org_id,
    orgName,
    ref: inc.ref,
    title: inc.title,
    status: inc.status,
    severity: inc.severity,
    rsitClass: inc.rsit_class,
    rsitType: inc.rsit_type,
    major: inc.is_major,
    detectedAt: inc.detected_at?.toISOString() ?? null,
    firstReportedAt: inc.first_reported_at?.toISOString() ?? null,
    lastStage: inc.last_stage,
    nextDueAt: inc.next_due_at?.toISOString() ?? null,
    nextDueStage: inc.next_due_stage,
    overdue: inc.next_due_at !== null && inc.next_due_at < now,
    assigneeId: inc.assignee_id,
    createdAt: inc.created_at.toISOString(),
    updatedAt: inc.updated_at.toISOString(),
  };
}

/**
 * An entity's own reports, or a CERT's triage queue over its constituency
 * (row-level security decides which; the CERT never sees drafts). Filters by
 * status, severity, class, entity, assignee, major and deadline (due within
 * 24 h / missed); searches title, ref and the entity's name; sorts by next
 * deadline, creation or severity. The total is exact.
 */
export async function listIncidents(ctx: Ctx, q: IncidentQuery): Promise<PagedResult<IncidentRow>> {
  authorize(ctx.actor, A['incidents.read']);
  return inTx(ctx, async (tx) => {
    const now = ctx.clock.now();
    const filtered = () => {
      let base = tx.selectFrom('incidents as i');
      base = ctx.actor.orgKind === 'cert' ? base.where('i.cert_org_id', '=', ctx.actor.orgId) : base.where('i.org_id', '=', ctx.actor.orgId);
      if (q.status) base = base.where('i.status', '=', q.status);
      if (q.severity) base = base.where('i.severity', '=', q.severity);
      if (q.rsitClass) base = base.where('i.rsit_class', '=', q.rsitClass);
      if (q.orgId) base = base.where('i.org_id', '=', q.orgId);
      if (q.assigneeId) base = base.where('i.assignee_id', '=', q.assigneeId);
      if (q.major !== undefined) base = base.where('i.is_major', '=', q.major);
      if (q.deadline === 'missed') base = base.where('i.next_due_at', '<', now);
      if (q.deadline === 'due') base = base.where('i.next_due_at', '>=', now).where('i.next_due_at', '<=', new Date(now.getTime() + 86_400_000));
      if (q.q) {
        // ILIKE '%term%' on the title, the ref and the entity's name. Under row-level security the
        // planner cannot use an index for ILIKE (not leakproof), so incident_text_matches (migration
        // 0206) finds the candidates through trigram indexes and answers ids only, of incidents the
        // acting org may read; this query still reads them under the policies.
        base = base.where(sql<boolean>`(i.org_id, i.id) in (select m.org_id, m.id from incident_text_matches(${likePattern(q.q)}) m)`);
      }
      return base;
    };
    let rows = filtered().innerJoin('orgs as o', 'o.id', 'i.org_id').selectAll('i').select('o.name as org_name');
    if (q.sort === 'deadline') rows = rows.orderBy(sql`i.next_due_at asc nulls last`).orderBy('i.created_at', 'desc');
    else if (q.sort === 'severity') rows = rows.orderBy(sql`case i.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`).orderBy('i.created_at', 'desc');
    else rows = rows.orderBy('i.created_at', 'desc');
    const [items, total] = await Promise.all([
      rows.orderBy('i.id').limit(q.limit).offset(q.offset).execute(),
      filtered().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items.map((r) => toIncidentRow(r, r.org_name, now)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

/** Every row of a filtered list, for exports (the CLI and the API share it). */
export async function exportRows(ctx: Ctx, q: Omit<IncidentQuery, 'limit' | 'offset'>): Promise<IncidentRow[]> {
  const out: IncidentRow[] = [];
  for (let offset = 0; offset < 10_000; offset += 500) {
    const page = await listIncidents(ctx, { ...q, limit: 500, offset });
    out.push(...page.items);
    if (page.items.length < 500) break;
  }
  return out;
}
