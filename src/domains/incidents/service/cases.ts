import { authorize } from '../../../core/access/index.js';
import { audit } from '../../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { newId } from '../../../core/ids.js';
import { likePattern, type PagedResult } from '../../../core/paging.js';
import { IncidentErrors } from '../errors.js';
import { IncidentActions as A } from '../policy.js';
import { loadIncident } from './access.js';

export interface CaseRow {
  id: string;
  title: string;
  description: string;
  status: 'open' | 'closed';
  incidents: number;
  createdAt: string;
  updatedAt: string;
}

async function loadCase(tx: Tx, ctx: Ctx, id: string) {
  const c = await tx.selectFrom('cert_cases').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
  if (!c) throw IncidentErrors.CASE_NOT_FOUND();
  return c;
}

async function link(tx: Tx, ctx: Ctx, caseId: string, incidentIds: readonly string[]): Promise<void> {
  for (const incidentId of incidentIds) {
    const { inc } = await loadIncident(tx, ctx, incidentId, A['incidents.coordinate'], { side: 'cert' });
    await tx.insertInto('cert_case_incidents').values({ org_id: ctx.actor.orgId, case_id: caseId, incident_org_id: inc.org_id, incident_id: inc.id, added_at: ctx.clock.now() }).onConflict((oc) => oc.doNothing()).execute();
  }
}

/** Opens a coordination case linking incidents of several entities (one campaign). */
export async function createCase(ctx: Ctx, input: { title: string; description: string; incidentIds: string[] }): Promise<CaseView> {
  authorize(ctx.actor, A['incidents.coordinate']);
  const id = await inTx(ctx, async (tx) => {
    const now = ctx.clock.now();
    const row = await tx.insertInto('cert_cases').values({ org_id: ctx.actor.orgId, id: newId(), title: input.title, description: input.description, status: 'open', created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    await link(tx, ctx, row.id, input.incidentIds);
    await audit(tx, ctx, { action: 'cases.create', entityType: 'cert_case', entityId: row.id, after: row, details: { incidents: input.incidentIds } });
    return row.id;
  });
  return getCase(ctx, id);
}

/** Adds incidents to a case, or closes / renames it. */
export async function updateCase(ctx: Ctx, id: string, patch: { title?: string | undefined; status?: 'open' | 'closed' | undefined; addIncidentIds?: string[] | undefined; removeIncidentIds?: string[] | undefined }): Promise<CaseView> {
  authorize(ctx.actor, A['incidents.coordinate']);
  await inTx(ctx, async (tx) => {
    const before = await loadCase(tx, ctx, id);
    await tx.updateTable('cert_cases').set({ ...(patch.title ? { title: patch.title } : {}), ...(patch.status ? { status: patch.status } : {}), updated_at: ctx.clock.now() }).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    if (patch.addIncidentIds?.length) await link(tx, ctx, id, patch.addIncidentIds);
    if (patch.removeIncidentIds?.length) await tx.deleteFrom('cert_case_incidents').where('org_id', '=', ctx.actor.orgId).where('case_id', '=', id).where('incident_id', 'in', patch.removeIncidentIds).execute();
    await audit(tx, ctx, { action: 'cases.update', entityType: 'cert_case', entityId: id, before, details: { ...patch } });
  });
  return getCase(ctx, id);
}

export async function listCases(ctx: Ctx, q: { q?: string | undefined; status?: 'open' | 'closed' | undefined; limit: number; offset: number }): Promise<PagedResult<CaseRow>> {
  authorize(ctx.actor, A['incidents.coordinate']);
  return inTx(ctx, async (tx) => {
    let base = tx.selectFrom('cert_cases as c').where('c.org_id', '=', ctx.actor.orgId);
    if (q.status) base = base.where('c.status', '=', q.status);
    if (q.q) base = base.where('c.title', 'ilike', likePattern(q.q));
    const [rows, total] = await Promise.all([
      base
        .selectAll('c')
        .select((eb) => eb.selectFrom('cert_case_incidents as ci').select((e) => e.fn.countAll<number>().as('n')).whereRef('ci.org_id', '=', 'c.org_id').whereRef('ci.case_id', '=', 'c.id').as('n'))
        .orderBy('c.updated_at', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => ({ id: r.id, title: r.title, description: r.description, status: r.status, incidents: Number(r.n ?? 0), createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() })), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

export interface CaseView extends Omit<CaseRow, 'incidents'> {
  incidents: Array<{ id: string; ref: string; orgId: string; orgName: string; title: string; status: string; severity: string | null }>;
  affectedEntities: Array<{ orgId: string; name: string }>;
  sharedObservables: Array<{ type: string; value: string; incidents: number; entities: number }>;
  timeline: Array<{ at: string; orgName: string; ref: string; kind: string; text: string }>;
}

/**
 * The case view for the CERT: which entities are hit, which observables they
 * share and one timeline of states and submissions. It carries metadata only
 * (refs, states, times), never a report's content, so nothing of one
 * entity's report can travel to another through a case.
 */
export async function getCase(ctx: Ctx, id: string): Promise<CaseView> {
  authorize(ctx.actor, A['incidents.coordinate']);
  return inTx(ctx, async (tx) => {
    const c = await loadCase(tx, ctx, id);
    const links = await tx.selectFrom('cert_case_incidents').select(['incident_org_id', 'incident_id']).where('org_id', '=', ctx.actor.orgId).where('case_id', '=', id).execute();
    const ids = links.map((l) => l.incident_id);
    const incidents = ids.length
      ? await tx.selectFrom('incidents as i').innerJoin('orgs as o', 'o.id', 'i.org_id').select(['i.id', 'i.ref', 'i.org_id', 'o.name', 'i.title', 'i.status', 'i.severity']).where('i.cert_org_id', '=', ctx.actor.orgId).where('i.id', 'in', ids).orderBy('i.first_reported_at').execute()
      : [];
    const visible = incidents.map((i) => i.id);
    const [obs, states, stages] = visible.length
      ? await Promise.all([
          tx.selectFrom('incident_observables').select(['type', 'value', 'org_id', 'incident_id']).where('incident_id', 'in', visible).execute(),
          tx.selectFrom('incident_state_changes').select(['incident_id', 'to_status', 'at']).where('incident_id', 'in', visible).execute(),
          tx.selectFrom('incident_stages').select(['incident_id', 'stage', 'submitted_at']).where('incident_id', 'in', visible).execute(),
        ])
      : [[], [], []];
    const shared = new Map<string, { type: string; value: string; inc: Set<string>; orgs: Set<string> }>();
    for (const o of obs) {
      const k = `${o.type}\n${o.value}`;
      if (!shared.has(k)) shared.set(k, { type: o.type, value: o.value, inc: new Set(), orgs: new Set() });
      shared.get(k)!.inc.add(o.incident_id);
      shared.get(k)!.orgs.add(o.org_id);
    }
    const byId = new Map(incidents.map((i) => [i.id, i]));
    const timeline = [
      ...states.map((s) => ({ at: s.at, inc: byId.get(s.incident_id)!, kind: 'state', text: `→ ${s.to_status}` })),
      ...stages.map((s) => ({ at: s.submitted_at, inc: byId.get(s.incident_id)!, kind: 'stage', text: `${s.stage} report submitted` })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    const entities = new Map(incidents.map((i) => [i.org_id, i.name]));
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      status: c.status,
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
      incidents: incidents.map((i) => ({ id: i.id, ref: i.ref, orgId: i.org_id, orgName: i.name, title: i.title, status: i.status, severity: i.severity })),
      affectedEntities: [...entities].map(([orgId, name]) => ({ orgId, name })),
      sharedObservables: [...shared.values()].filter((s) => s.inc.size > 1).map((s) => ({ type: s.type, value: s.value, incidents: s.inc.size, entities: s.orgs.size })),
      timeline: timeline.map((e) => ({ at: e.at.toISOString(), orgName: e.inc.name, ref: e.inc.ref, kind: e.kind, text: e.text })),
    };
  });
}
