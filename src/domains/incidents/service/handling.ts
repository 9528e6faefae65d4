import { audit } from '../../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { newId } from '../../../core/ids.js';
import { IncidentErrors } from '../errors.js';
import { TRANSITIONS } from '../lifecycle.js';
import { IncidentActions as A } from '../policy.js';
import type { IncidentDetail, IncidentStatus } from '../schema.js';
import { CERT_DUTY, ENTITY_REPORTERS, loadIncident, notifyOrg, type IncidentDb } from './access.js';
import { storeDeadlines } from './clock.js';
import { regimeById } from './regimes.js';
import { getIncident, type IncidentDeps } from './reports.js';

export { TRANSITIONS };

/** Appends to the CERT's own journal of an incident (never visible to the entity). */
export async function journal(tx: Tx, ctx: Ctx, inc: IncidentDb, kind: string, text: string): Promise<void> {
  await tx
    .insertInto('incident_journal')
    .values({ org_id: ctx.actor.orgId, id: newId(), incident_org_id: inc.org_id, incident_id: inc.id, at: ctx.clock.now(), author_user_id: ctx.actor.userId, kind, text })
    .execute();
}

/** Moves an incident through the lifecycle, stamping the time each state was first entered. */
export async function transition(ctx: Ctx, deps: IncidentDeps, id: string, to: Exclude<IncidentStatus, 'draft'>, reason: string): Promise<IncidentDetail> {
  await inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert', forUpdate: true });
    if (!TRANSITIONS[inc.status].includes(to)) {
      throw IncidentErrors.INCIDENT_TRANSITION_NOT_ALLOWED(`Cannot move from ${inc.status} to ${to}; allowed: ${TRANSITIONS[inc.status].join(', ') || 'none'}`, [{ path: 'body.to', message: `not allowed from ${inc.status}` }]);
    }
    const now = ctx.clock.now();
    const entered = { ...(inc.state_entered ?? {}) } as Record<string, string>;
    if (!entered[to]) entered[to] = now.toISOString();
    const updated = await tx
      .updateTable('incidents')
      .set({
        status: to,
        state_entered: JSON.stringify(entered),
        // Copies for the statistics' index-only scans (migration 0205).
        triaged_at: entered.triage ? new Date(entered.triage) : null,
        contained_at: entered.containment ? new Date(entered.containment) : null,
        updated_at: now,
      })
      .where('org_id', '=', inc.org_id)
      .where('id', '=', inc.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.insertInto('incident_state_changes').values({ org_id: inc.org_id, incident_id: inc.id, id: newId(), from_status: inc.status, to_status: to, at: now, by_user_id: ctx.actor.userId, by_org_id: ctx.actor.orgId, reason }).execute();
    const regime = await regimeById(tx, inc.regime_org_id, inc.regime_id);
    await storeDeadlines(tx, regime.definition, [updated], now);
    await journal(tx, ctx, inc, 'state', `${inc.status} → ${to}${reason ? `: ${reason}` : ''}`);
    await audit(tx, ctx, { action: 'incidents.transition', entityType: 'incident', entityId: inc.id, details: { from: inc.status, to, reason, entityOrgId: inc.org_id } });
    if (to === 'closed' || to === 'rejected') {
      await notifyOrg(tx, ctx, deps.mailer, { orgId: inc.org_id, roles: ENTITY_REPORTERS, extraUserIds: [inc.created_by], kind: `incident.${to}`, title: `${inc.ref} was ${to} by the CERT`, body: reason, link: `/incidents/${inc.id}`, email: true });
    }
  });
  return getIncident(ctx, id);
}

/** Assigns the incident to an analyst of the CERT (or unassigns it). */
export async function assign(ctx: Ctx, deps: IncidentDeps, id: string, assigneeId: string | null): Promise<IncidentDetail> {
  await inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert', forUpdate: true });
    if (assigneeId) {
      const m = await tx.selectFrom('memberships').select('roles').where('org_id', '=', ctx.actor.orgId).where('user_id', '=', assigneeId).where('disabled_at', 'is', null).executeTakeFirst();
      if (!m || !m.roles.some((r) => r === 'cert_analyst' || r === 'cert_duty_officer')) throw IncidentErrors.INCIDENT_ASSIGNEE_INVALID(undefined, [{ path: 'body.assigneeId', message: 'not an analyst of your CERT' }]);
    }
    await tx.updateTable('incidents').set({ assignee_id: assigneeId, updated_at: ctx.clock.now() }).where('org_id', '=', inc.org_id).where('id', '=', inc.id).execute();
    await journal(tx, ctx, inc, 'assignment', assigneeId ? `assigned to ${assigneeId}` : 'unassigned');
    await audit(tx, ctx, { action: 'incidents.assign', entityType: 'incident', entityId: inc.id, details: { from: inc.assignee_id, to: assigneeId, entityOrgId: inc.org_id } });
    if (assigneeId && assigneeId !== ctx.actor.userId) {
      await notifyOrg(tx, ctx, deps.mailer, { orgId: ctx.actor.orgId, roles: [], extraUserIds: [assigneeId], kind: 'incident.assigned', title: `${inc.ref} was assigned to you`, link: `/incidents/${inc.id}` });
    }
  });
  return getIncident(ctx, id);
}

/** The thread between the entity and the CERT, oldest first. */
export async function listMessages(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.read']);
    const rows = await tx
      .selectFrom('incident_messages as m')
      .leftJoin('users as u', 'u.id', 'm.author_user_id')
      .select(['m.id', 'm.author_org_id', 'm.author_user_id', 'm.tlp', 'm.body', 'm.created_at', 'u.display_name'])
      .where('m.org_id', '=', inc.org_id)
      .where('m.incident_id', '=', inc.id)
      .orderBy('m.created_at')
      .orderBy('m.id')
      .execute();
    return rows.map((r) => ({ id: r.id, authorOrgId: r.author_org_id, fromCert: r.author_org_id === inc.cert_org_id, authorUserId: r.author_user_id, authorName: r.display_name, tlp: r.tlp, body: r.body, createdAt: r.created_at.toISOString() }));
  });
}

/** Posts a TLP-marked message to the thread and notifies the other side (by mail too). */
export async function postMessage(ctx: Ctx, deps: IncidentDeps, id: string, input: { body: string; tlp: 'clear' | 'green' | 'amber' | 'amber+strict' | 'red' }) {
  const mid = await inTx(ctx, async (tx) => {
    const { inc, side } = await loadIncident(tx, ctx, id, A['incidents.message']);
    if (inc.status === 'draft') throw IncidentErrors.INCIDENT_STAGE_OUT_OF_ORDER('Submit the initial report before writing to the CERT');
    const mid = newId();
    await tx.insertInto('incident_messages').values({ org_id: inc.org_id, incident_id: inc.id, id: mid, author_org_id: ctx.actor.orgId, author_user_id: ctx.actor.userId, tlp: input.tlp, body: input.body, created_at: ctx.clock.now() }).execute();
    await audit(tx, ctx, { action: 'incidents.message', entityType: 'incident_message', entityId: mid, after: input, details: { incidentId: inc.id, tlp: input.tlp } });
    const other = side === 'cert' ? { orgId: inc.org_id, roles: ENTITY_REPORTERS, extraUserIds: [inc.created_by] } : { orgId: inc.cert_org_id, roles: CERT_DUTY, extraUserIds: [inc.assignee_id] };
    await notifyOrg(tx, ctx, deps.mailer, { ...other, kind: 'incident.message', title: `${inc.ref}: new message from ${side === 'cert' ? 'the CERT' : 'the reporting entity'} [TLP:${input.tlp.toUpperCase()}]`, link: `/incidents/${inc.id}`, email: true });
    return mid;
  });
  return (await listMessages(ctx, id)).find((m) => m.id === mid)!;
}

/** Internal notes of the CERT (in the CERT's own partition; the entity cannot read them). */
export async function listNotes(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    const rows = await tx.selectFrom('incident_notes').selectAll().where('org_id', '=', ctx.actor.orgId).where('incident_org_id', '=', inc.org_id).where('incident_id', '=', inc.id).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, authorUserId: r.author_user_id, body: r.body, createdAt: r.created_at.toISOString() }));
  });
}

export async function addNote(ctx: Ctx, id: string, body: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    const row = await tx
      .insertInto('incident_notes')
      .values({ org_id: ctx.actor.orgId, id: newId(), incident_org_id: inc.org_id, incident_id: inc.id, author_user_id: ctx.actor.userId, body, created_at: ctx.clock.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'incidents.note', entityType: 'incident_note', entityId: row.id, after: row, details: { incidentId: inc.id } });
    return { id: row.id, authorUserId: row.author_user_id, body: row.body, createdAt: row.created_at.toISOString() };
  });
}

/** Adds a manual entry to the CERT's journal. */
export async function addJournalEntry(ctx: Ctx, id: string, text: string): Promise<void> {
  await inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    await journal(tx, ctx, inc, 'entry', text);
    await audit(tx, ctx, { action: 'incidents.journal', entityType: 'incident', entityId: inc.id, details: { text } });
  });
}

/**
 * The incident's timeline: state changes, stage submissions and messages for
 * both sides; the CERT also gets its journal. Newest last.
 */
export async function timeline(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc, side } = await loadIncident(tx, ctx, id, A['incidents.read']);
    const [states, stages, messages, entries] = await Promise.all([
      tx.selectFrom('incident_state_changes').selectAll().where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute(),
      tx.selectFrom('incident_stages').select(['seq', 'stage', 'submitted_at']).where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute(),
      tx.selectFrom('incident_messages').select(['author_org_id', 'tlp', 'created_at']).where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute(),
      side === 'cert'
        ? tx.selectFrom('incident_journal').selectAll().where('org_id', '=', ctx.actor.orgId).where('incident_org_id', '=', inc.org_id).where('incident_id', '=', inc.id).where('kind', '!=', 'state').execute()
        : Promise.resolve([]),
    ]);
    const out = [
      ...states.map((s) => ({ at: s.at, kind: 'state', text: `${s.from_status ?? '-'} → ${s.to_status}${s.reason ? `: ${s.reason}` : ''}`, byOrgId: s.by_org_id })),
      ...stages.map((s) => ({ at: s.submitted_at, kind: 'stage', text: `${s.stage} report submitted (#${s.seq})`, byOrgId: inc.org_id })),
      ...messages.map((m) => ({ at: m.created_at, kind: 'message', text: `message from ${m.author_org_id === inc.cert_org_id ? 'the CERT' : 'the entity'} [TLP:${m.tlp.toUpperCase()}]`, byOrgId: m.author_org_id })),
      ...entries.map((e) => ({ at: e.at, kind: `journal.${e.kind}`, text: e.text, byOrgId: e.org_id })),
    ];
    out.sort((a, b) => a.at.getTime() - b.at.getTime());
    return out.map((e) => ({ ...e, at: e.at.toISOString() }));
  });
}

/** Tasks of the CERT on an incident. */
export async function listTasks(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    const rows = await tx.selectFrom('incident_tasks').selectAll().where('org_id', '=', ctx.actor.orgId).where('incident_org_id', '=', inc.org_id).where('incident_id', '=', inc.id).orderBy('created_at').execute();
    return rows.map(taskRow);
  });
}

function taskRow(r: { id: string; title: string; owner_id: string | null; due_at: Date | null; status: 'open' | 'in_progress' | 'done' | 'cancelled'; created_at: Date; updated_at: Date }) {
  return { id: r.id, title: r.title, ownerId: r.owner_id, dueAt: r.due_at?.toISOString() ?? null, status: r.status, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

async function checkOwner(tx: Tx, ctx: Ctx, ownerId: string | null | undefined): Promise<void> {
  if (!ownerId) return;
  const m = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', ctx.actor.orgId).where('user_id', '=', ownerId).where('disabled_at', 'is', null).executeTakeFirst();
  if (!m) throw IncidentErrors.INCIDENT_ASSIGNEE_INVALID('The task owner must be a member of your CERT', [{ path: 'body.ownerId', message: 'not a member of your CERT' }]);
}

export async function addTask(ctx: Ctx, id: string, input: { title: string; ownerId?: string | null | undefined; dueAt?: string | null | undefined }) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    await checkOwner(tx, ctx, input.ownerId);
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('incident_tasks')
      .values({ org_id: ctx.actor.orgId, id: newId(), incident_org_id: inc.org_id, incident_id: inc.id, title: input.title, owner_id: input.ownerId ?? null, due_at: input.dueAt ? new Date(input.dueAt) : null, status: 'open', created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await journal(tx, ctx, inc, 'task', `task added: ${input.title}`);
    await audit(tx, ctx, { action: 'incidents.task', entityType: 'incident_task', entityId: row.id, after: row, details: { incidentId: inc.id } });
    return taskRow(row);
  });
}

export async function updateTask(ctx: Ctx, id: string, taskId: string, patch: { title?: string | undefined; ownerId?: string | null | undefined; dueAt?: string | null | undefined; status?: 'open' | 'in_progress' | 'done' | 'cancelled' | undefined }) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    const before = await tx.selectFrom('incident_tasks').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', taskId).where('incident_id', '=', inc.id).executeTakeFirst();
    if (!before) throw IncidentErrors.INCIDENT_TASK_NOT_FOUND();
    await checkOwner(tx, ctx, patch.ownerId);
    const after = await tx
      .updateTable('incident_tasks')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.ownerId !== undefined ? { owner_id: patch.ownerId } : {}),
        ...(patch.dueAt !== undefined ? { due_at: patch.dueAt ? new Date(patch.dueAt) : null } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updated_at: ctx.clock.now(),
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', taskId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (patch.status && patch.status !== before.status) await journal(tx, ctx, inc, 'task', `task ${before.title}: ${before.status} → ${patch.status}`);
    await audit(tx, ctx, { action: 'incidents.task', entityType: 'incident_task', entityId: taskId, before, after, details: { fields: Object.keys(patch) } });
    return taskRow(after);
  });
}

/**
 * Exact-match correlation: other incidents the CERT can see that share an
 * observable with this one (same type and canonical value).
 */
export async function correlations(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.triage'], { side: 'cert' });
    const rows = await tx
      .selectFrom('incident_observables as a')
      .innerJoin('incident_observables as b', (j) => j.onRef('b.type', '=', 'a.type').onRef('b.value', '=', 'a.value'))
      .innerJoin('incidents as i', (j) => j.onRef('i.org_id', '=', 'b.org_id').onRef('i.id', '=', 'b.incident_id'))
      .innerJoin('orgs as o', 'o.id', 'i.org_id')
      .select(['a.type', 'a.value', 'i.id', 'i.ref', 'i.org_id', 'o.name', 'i.title'])
      .where('a.org_id', '=', inc.org_id)
      .where('a.incident_id', '=', inc.id)
      .where('i.cert_org_id', '=', ctx.actor.orgId)
      .where((eb) => eb.not(eb.and([eb('b.org_id', '=', inc.org_id), eb('b.incident_id', '=', inc.id)])))
      .orderBy('a.type')
      .orderBy('a.value')
      .execute();
    const byKey = new Map<string, { type: string; value: string; incidents: Array<{ id: string; ref: string; orgId: string; orgName: string; title: string }> }>();
    for (const r of rows) {
      const k = `${r.type}\n${r.value}`;
      if (!byKey.has(k)) byKey.set(k, { type: r.type, value: r.value, incidents: [] });
      byKey.get(k)!.incidents.push({ id: r.id, ref: r.ref, orgId: r.org_id, orgName: r.name, title: r.title });
    }
    return [...byKey.values()];
  });
}
