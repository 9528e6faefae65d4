import { sql } from 'kysely';
import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { assertAssetsExist } from '../assets/service.js';
import { RiskErrors } from './errors.js';
import { aboveAppetite, score, type Scored } from './method.js';
import { ensureMethod, loadMethod } from './method-service.js';
import { RiskActions } from './policy.js';
import * as repo from './repo.js';
import type { RiskCreate, RiskDetail, RiskFilter, RiskMethod, RiskQuery, RiskRow, RiskUpdate } from './schema.js';

function colour(m: RiskMethod, level: string): string {
  return m.levels.find((l) => l.key === level)?.colour ?? '#9e9e9e';
}

/** Level keys above the appetite: the "needs attention" filter. */
export function levelsAboveAppetite(m: RiskMethod): string[] {
  return m.levels.map((l) => l.key).filter((k) => aboveAppetite(m, k));
}

/** Maps a stored risk to the API shape, with scores coloured by the method and the actor's actions. */
export function toRiskRow(ctx: Ctx, m: RiskMethod, r: repo.RiskDbRow, acc: repo.AcceptanceDbRow | undefined): RiskRow {
  const s = (l: number, i: number, sc: number, level: string) => ({ likelihood: l, impact: i, score: sc, level, colour: colour(m, level) });
  const today = ctx.clock.now().toISOString().slice(0, 10);
  const actions: string[] = [];
  if (can(ctx.actor, RiskActions['risks.manage'])) actions.push('update', 'tasks', 'review');
  if (can(ctx.actor, RiskActions['risks.accept']) && ctx.actor.userId === r.owner_id) actions.push('accept');
  return {
    id: r.id,
    ref: r.ref,
    title: r.title,
    description: r.description,
    threat: r.threat,
    vulnerability: r.vulnerability,
    cia: [r.impact_c ? 'C' : null, r.impact_i ? 'I' : null, r.impact_a ? 'A' : null].filter((x): x is 'C' | 'I' | 'A' => x !== null),
    owner: { id: r.owner_id, displayName: r.owner_name },
    status: r.status,
    inherent: s(r.inherent_l, r.inherent_i, r.inherent_score, r.inherent_level),
    current: s(r.current_l, r.current_i, r.current_score, r.current_level),
    residual: r.residual_l !== null && r.residual_i !== null && r.residual_score !== null && r.residual_level !== null ? s(r.residual_l, r.residual_i, r.residual_score, r.residual_level) : null,
    aboveAppetite: aboveAppetite(m, r.current_level),
    treatment: r.treatment,
    treatmentNote: r.treatment_note,
    reviewDueOn: r.review_due_on,
    lastReviewedAt: r.last_reviewed_at?.toISOString() ?? null,
    methodVersion: r.method_version,
    acceptance: acc
      ? { id: acc.id, acceptedBy: { id: acc.accepted_by, displayName: acc.display_name }, acceptedAt: acc.accepted_at.toISOString(), rationale: acc.rationale, expiresOn: acc.expires_on, level: acc.level, expired: acc.expires_on < today }
      : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    actions,
  };
}

/** The risk register: search, filter (owner, level, treatment, status, asset, control, above appetite), sort, paginate. */
export async function listRisks(ctx: Ctx, q: RiskQuery): Promise<PagedResult<RiskRow>> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => {
    const m = await loadMethod(tx, ctx);
    const above = levelsAboveAppetite(m);
    const base = repo.filterRisks(repo.selectRisks(tx), ctx.actor.orgId, q, above);
    const [rows, total] = await Promise.all([
      base.orderBy(`r.${q.sort}`, q.order).orderBy('r.ref').limit(q.limit).offset(q.offset).execute(),
      repo.filterRisks(repo.selectRisks(tx), ctx.actor.orgId, q, above).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const acc = await repo.latestAcceptances(tx, ctx.actor.orgId, rows.map((r) => r.id));
    return { items: rows.map((r) => toRiskRow(ctx, m, r, acc.get(r.id))), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

/** Every risk matching the filter (exports, other domains), in ref order. */
export async function allRisks(tx: Tx, ctx: Ctx, f: Partial<RiskFilter>): Promise<{ method: RiskMethod; rows: RiskRow[] }> {
  const m = await loadMethod(tx, ctx);
  const rows = await repo.filterRisks(repo.selectRisks(tx), ctx.actor.orgId, f, levelsAboveAppetite(m)).orderBy('r.ref').execute();
  const acc = await repo.latestAcceptances(tx, ctx.actor.orgId, rows.map((r) => r.id));
  return { method: m, rows: rows.map((r) => toRiskRow(ctx, m, r, acc.get(r.id))) };
}

/**
 * For the controls/SoA domain: the acting org's risks whose treatment plan
 * names `controlId` (e.g. "A.8.7").
 */
export async function listRisksForControl(ctx: Ctx, controlId: string): Promise<RiskRow[]> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => (await allRisks(tx, ctx, { controlId })).rows);
}

/** For the assets and incidents domains: the risks that name an asset. */
export async function listRisksForAsset(ctx: Ctx, assetId: string): Promise<RiskRow[]> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => (await allRisks(tx, ctx, { assetId })).rows);
}

export async function findRiskOr404(tx: Tx, ctx: Ctx, id: string): Promise<repo.RiskDbRow> {
  const r = await repo.selectRisks(tx).where('r.org_id', '=', ctx.actor.orgId).where('r.id', '=', id).executeTakeFirst();
  if (!r) throw RiskErrors.RISK_NOT_FOUND();
  return r;
}

/** One risk with its assets, treatment tasks and reviews. */
export async function getRisk(ctx: Ctx, id: string): Promise<RiskDetail> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => {
    const r = await findRiskOr404(tx, ctx, id);
    const m = await loadMethod(tx, ctx);
    const acc = await repo.latestAcceptances(tx, ctx.actor.orgId, [id]);
    const assets = await tx
      .selectFrom('risk_assets as ra')
      .innerJoin('assets as a', (j) => j.onRef('a.org_id', '=', 'ra.org_id').onRef('a.id', '=', 'ra.asset_id'))
      .select(['a.id', 'a.name', 'a.type', 'a.criticality'])
      .where('ra.org_id', '=', ctx.actor.orgId)
      .where('ra.risk_id', '=', id)
      .orderBy('a.name')
      .execute();
    const tasks = await repo.selectTasks(tx).where('t.org_id', '=', ctx.actor.orgId).where('t.risk_id', '=', id).orderBy('t.created_at').execute();
    const reviews = await tx.selectFrom('risk_reviews').selectAll().where('org_id', '=', ctx.actor.orgId).where('risk_id', '=', id).orderBy('opened_at', 'desc').execute();
    return {
      ...toRiskRow(ctx, m, r, acc.get(id)),
      assets,
      tasks: tasks.map((t) => toTaskRow(ctx, t)),
      reviews: reviews.map((v) => ({ id: v.id, sourceType: v.source_type, sourceId: v.source_id, note: v.note, openedAt: v.opened_at.toISOString(), completedAt: v.completed_at?.toISOString() ?? null, outcome: v.outcome })),
    };
  });
}

export function toTaskRow(ctx: Ctx, t: repo.TaskDbRow) {
  const today = ctx.clock.now().toISOString().slice(0, 10);
  return {
    id: t.id,
    riskId: t.risk_id,
    title: t.title,
    controlIds: t.control_ids,
    owner: t.owner_id ? { id: t.owner_id, displayName: t.owner_name ?? '' } : null,
    dueOn: t.due_on,
    status: t.status,
    overdue: Boolean(t.due_on && t.due_on < today && (t.status === 'open' || t.status === 'in_progress')),
    completedAt: t.completed_at?.toISOString() ?? null,
  };
}

export async function assertMember(tx: Tx, ctx: Ctx, userId: string, path: string): Promise<void> {
  if (!(await repo.isMember(tx, ctx.actor.orgId, userId))) throw invalid(path, 'not a member of this organisation');
}

function scores(m: RiskMethod, rating: { likelihood: number; impact: number }, path: string): Scored {
  if (rating.likelihood > m.likelihood.length) throw invalid(`${path}.likelihood`, `the method has ${m.likelihood.length} likelihood levels`);
  if (rating.impact > m.impact.length) throw invalid(`${path}.impact`, `the method has ${m.impact.length} impact levels`);
  return score(m, rating.likelihood, rating.impact);
}

/** Records the risk's scores in its history (creation, edits, reviews). */
export async function recordScores(tx: Tx, ctx: Ctx, riskId: string, reason: 'created' | 'updated' | 'review', version: number): Promise<void> {
  const r = await tx.selectFrom('risks').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', riskId).executeTakeFirstOrThrow();
  const s = { l: 0, i: 0, score: 0, level: '' };
  const payload = {
    inherent: { ...s, l: r.inherent_l, i: r.inherent_i, score: r.inherent_score, level: r.inherent_level },
    current: { ...s, l: r.current_l, i: r.current_i, score: r.current_score, level: r.current_level },
    residual: r.residual_l !== null ? { l: r.residual_l, i: r.residual_i, score: r.residual_score, level: r.residual_level } : null,
  };
  await tx
    .insertInto('risk_score_history')
    .values({ org_id: ctx.actor.orgId, id: newId(), risk_id: riskId, at: ctx.clock.now(), reason, method_version: version, actor_label: ctx.actor.label, scores: JSON.stringify(payload) })
    .execute();
}

/** Inserts a risk inside the caller's transaction (createRisk, createRiskReview). */
export async function insertRisk(tx: Tx, ctx: Ctx, input: RiskCreate): Promise<string> {
  const m = await ensureMethod(tx, ctx);
  await assertMember(tx, ctx, input.ownerId, 'body.ownerId');
  if (input.assetIds?.length) await assertAssetsExist(tx, ctx, input.assetIds, 'body.assetIds');
  const inh = scores(m, input.inherent, 'body.inherent');
  const cur = scores(m, input.current ?? input.inherent, 'body.current');
  const res = input.residual ? scores(m, input.residual, 'body.residual') : null;
  const id = newId();
  const now = ctx.clock.now();
  const cia = new Set(input.cia ?? []);
  const values = {
    org_id: ctx.actor.orgId,
    id,
    ref: await repo.nextRef(tx, ctx.actor.orgId),
    title: input.title,
    description: input.description ?? '',
    threat: input.threat ?? '',
    vulnerability: input.vulnerability ?? '',
    impact_c: cia.has('C'), impact_i: cia.has('I'), impact_a: cia.has('A'),
    owner_id: input.ownerId,
    inherent_l: inh.l, inherent_i: inh.i, inherent_score: inh.score, inherent_level: inh.level,
    current_l: cur.l, current_i: cur.i, current_score: cur.score, current_level: cur.level,
    residual_l: res?.l ?? null, residual_i: res?.i ?? null, residual_score: res?.score ?? null, residual_level: res?.level ?? null,
    treatment: input.treatment ?? null,
    treatment_note: input.treatmentNote ?? '',
    review_due_on: input.reviewDueOn ?? null,
    method_version: m.version,
    created_at: now,
    updated_at: now,
  };
  await tx.insertInto('risks').values(values).execute();
  const assetIds = [...new Set(input.assetIds ?? [])];
  if (assetIds.length) await tx.insertInto('risk_assets').values(assetIds.map((a) => ({ org_id: ctx.actor.orgId, risk_id: id, asset_id: a }))).execute();
  await recordScores(tx, ctx, id, 'created', m.version);
  await audit(tx, ctx, { action: 'risks.create', entityType: 'risk', entityId: id, after: { ...values, assetIds }, details: { ref: values.ref, title: values.title } });
  return id;
}

/** Creates a risk scenario, scored with the org's method. */
export async function createRisk(ctx: Ctx, input: RiskCreate): Promise<RiskDetail> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  const id = await inTx(ctx, (tx) => insertRisk(tx, ctx, input));
  return getRisk(ctx, id);
}

/** Changes a risk; re-scores what changed and records the new scores. */
export async function updateRisk(ctx: Ctx, id: string, patch: RiskUpdate): Promise<RiskDetail> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  await inTx(ctx, async (tx) => {
    const before = await findRiskOr404(tx, ctx, id);
    const m = await ensureMethod(tx, ctx);
    if (patch.ownerId) await assertMember(tx, ctx, patch.ownerId, 'body.ownerId');
    if (patch.assetIds) await assertAssetsExist(tx, ctx, patch.assetIds, 'body.assetIds');
    const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
    const simple: Record<string, string> = { title: 'title', description: 'description', threat: 'threat', vulnerability: 'vulnerability', ownerId: 'owner_id', treatment: 'treatment', treatmentNote: 'treatment_note', reviewDueOn: 'review_due_on', status: 'status' };
    for (const [k, col] of Object.entries(simple)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v !== undefined) set[col] = v;
    }
    if (patch.cia) Object.assign(set, { impact_c: patch.cia.includes('C'), impact_i: patch.cia.includes('I'), impact_a: patch.cia.includes('A') });
    let rescored = false;
    for (const kind of ['inherent', 'current'] as const) {
      const rating = patch[kind];
      if (!rating) continue;
      const s = scores(m, rating, `body.${kind}`);
      Object.assign(set, { [`${kind}_l`]: s.l, [`${kind}_i`]: s.i, [`${kind}_score`]: s.score, [`${kind}_level`]: s.level });
      rescored = true;
    }
    if (patch.residual !== undefined) {
      const s = patch.residual ? scores(m, patch.residual, 'body.residual') : null;
      Object.assign(set, { residual_l: s?.l ?? null, residual_i: s?.i ?? null, residual_score: s?.score ?? null, residual_level: s?.level ?? null });
      rescored = true;
    }
    await tx.updateTable('risks').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    if (patch.assetIds) {
      await tx.deleteFrom('risk_assets').where('org_id', '=', ctx.actor.orgId).where('risk_id', '=', id).execute();
      const ids = [...new Set(patch.assetIds)];
      if (ids.length) await tx.insertInto('risk_assets').values(ids.map((a) => ({ org_id: ctx.actor.orgId, risk_id: id, asset_id: a }))).execute();
    }
    if (rescored) await recordScores(tx, ctx, id, 'updated', m.version);
    await audit(tx, ctx, { action: 'risks.update', entityType: 'risk', entityId: id, before, after: { ...set, assetIds: patch.assetIds }, details: { ref: before.ref, fields: Object.keys(patch) } });
  });
  return getRisk(ctx, id);
}

/** The risk's score history, oldest first. */
export async function riskHistory(ctx: Ctx, id: string) {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => {
    await findRiskOr404(tx, ctx, id);
    const rows = await tx.selectFrom('risk_score_history').selectAll().where('org_id', '=', ctx.actor.orgId).where('risk_id', '=', id).orderBy('at').orderBy('id').execute();
    return rows.map((h) => ({ at: h.at.toISOString(), reason: h.reason, methodVersion: h.method_version, actor: h.actor_label, scores: h.scores }));
  });
}

/** A treatment task naming a control, with its risk (for the SoA). */
export interface ControlRiskLink {
  riskId: string;
  riskRef: string;
  riskTitle: string;
  taskId: string;
  taskTitle: string;
  taskStatus: string;
}

/**
 * For the SoA: per Annex A control id, the treatment tasks (not cancelled)
 * and their risks that name it, grouped in one query over the acting org's
 * treatment plans.
 */
export async function riskLinksByControl(tx: Tx, ctx: Ctx): Promise<Map<string, ControlRiskLink[]>> {
  authorize(ctx.actor, RiskActions['risks.read']);
  const r = await sql<{ control_id: string; links: ControlRiskLink[] }>`
    select x.control_id, json_agg(json_build_object('riskId', r.id, 'riskRef', r.ref, 'riskTitle', r.title, 'taskId', t.id, 'taskTitle', t.title, 'taskStatus', t.status) order by r.ref, t.created_at) as links
      from risk_tasks t
      cross join lateral unnest(t.control_ids) as x(control_id)
      join risks r on r.org_id = t.org_id and r.id = t.risk_id
     where t.org_id = ${ctx.actor.orgId} and t.status <> 'cancelled'
     group by x.control_id`.execute(tx);
  return new Map(r.rows.map((x) => [x.control_id, x.links]));
}
