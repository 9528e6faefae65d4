import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { notify } from '../../core/notify.js';
import { ISO27001_KEY, resolveRefsIn } from '../catalogs/service.js';
import { RiskErrors } from './errors.js';
import { score } from './method.js';
import { ensureMethod } from './method-service.js';
import { RiskActions } from './policy.js';
import * as repo from './repo.js';
import type { ReviewInput, RiskCreate, RiskDetail, TaskCreate, TaskRow, TaskUpdate } from './schema.js';
import { assertMember, findRiskOr404, getRisk, insertRisk, recordScores, toTaskRow } from './service.js';

/**
 * Treatment tasks link to ISO/IEC 27001:2022 Annex A controls, checked
 * against the catalog. People write them as "A.8.7", "a.8.7" or "8.7".
 */
async function controlIds(tx: Tx, raw: readonly string[]): Promise<string[]> {
  const refs = raw.map((c) => {
    const s = c.trim();
    return /^\d/.test(s) ? `A.${s}` : s;
  });
  return resolveRefsIn(tx, ISO27001_KEY, refs, {
    field: 'body.controlIds',
    kinds: ['control'],
    describe: 'an ISO/IEC 27001:2022 Annex A control (A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34)',
  });
}

async function loadTask(tx: Tx, ctx: Ctx, riskId: string, taskId: string): Promise<repo.TaskDbRow> {
  const t = await repo.selectTasks(tx).where('t.org_id', '=', ctx.actor.orgId).where('t.risk_id', '=', riskId).where('t.id', '=', taskId).executeTakeFirst();
  if (!t) throw RiskErrors.RISK_TASK_NOT_FOUND();
  return t;
}

/** Adds a treatment task linked to Annex A controls. */
export async function addTask(ctx: Ctx, riskId: string, input: TaskCreate): Promise<TaskRow> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  return inTx(ctx, async (tx) => {
    const ids = await controlIds(tx, input.controlIds);
    const risk = await findRiskOr404(tx, ctx, riskId);
    if (input.ownerId) await assertMember(tx, ctx, input.ownerId, 'body.ownerId');
    const id = newId();
    const now = ctx.clock.now();
    const values = { org_id: ctx.actor.orgId, id, risk_id: riskId, title: input.title, control_ids: ids, owner_id: input.ownerId ?? null, due_on: input.dueOn ?? null, created_at: now, updated_at: now };
    await tx.insertInto('risk_tasks').values(values).execute();
    await audit(tx, ctx, { action: 'risks.task_create', entityType: 'risk_task', entityId: id, after: values, details: { risk: risk.ref, controls: ids } });
    return toTaskRow(ctx, await loadTask(tx, ctx, riskId, id));
  });
}

/** Changes a task; control owners may move its status. */
export async function updateTask(ctx: Ctx, riskId: string, taskId: string, patch: TaskUpdate): Promise<TaskRow> {
  const onlyStatus = Object.keys(patch).every((k) => k === 'status');
  authorize(ctx.actor, onlyStatus ? RiskActions['risks.tasks'] : RiskActions['risks.manage']);
  return inTx(ctx, async (tx) => {
    const ids = patch.controlIds ? await controlIds(tx, patch.controlIds) : undefined;
    await findRiskOr404(tx, ctx, riskId);
    const before = await loadTask(tx, ctx, riskId, taskId);
    if (patch.ownerId) await assertMember(tx, ctx, patch.ownerId, 'body.ownerId');
    const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
    if (patch.title !== undefined) set.title = patch.title;
    if (ids) set.control_ids = ids;
    if (patch.ownerId !== undefined) set.owner_id = patch.ownerId;
    if (patch.dueOn !== undefined) set.due_on = patch.dueOn;
    if (patch.status !== undefined) {
      set.status = patch.status;
      set.completed_at = patch.status === 'done' ? ctx.clock.now() : null;
    }
    await tx.updateTable('risk_tasks').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', taskId).execute();
    await audit(tx, ctx, { action: 'risks.task_update', entityType: 'risk_task', entityId: taskId, before, after: set, details: { fields: Object.keys(patch) } });
    return toTaskRow(ctx, await loadTask(tx, ctx, riskId, taskId));
  });
}

/**
 * Signs off the acceptance of the risk at its current (or residual) level.
 * Only the risk's owner may sign, whatever their role; the acceptance records
 * who, when, why and until when, and is audited.
 */
export async function acceptRisk(ctx: Ctx, riskId: string, input: { rationale: string; expiresOn: string }): Promise<RiskDetail> {
  authorize(ctx.actor, RiskActions['risks.accept']);
  await inTx(ctx, async (tx) => {
    const r = await findRiskOr404(tx, ctx, riskId);
    if (r.owner_id !== ctx.actor.userId) throw RiskErrors.RISK_ACCEPTANCE_NOT_OWNER(`Only ${r.owner_name}, the owner of ${r.ref}, may accept it`);
    if (r.status === 'closed') throw RiskErrors.RISK_CLOSED();
    const today = ctx.clock.now().toISOString().slice(0, 10);
    if (input.expiresOn <= today) throw invalid('body.expiresOn', 'must be after today');
    const level = r.residual_level ?? r.current_level;
    const sc = r.residual_score ?? r.current_score;
    const id = newId();
    await tx
      .updateTable('risk_acceptances')
      .set({ revoked_at: ctx.clock.now() })
      .where('org_id', '=', ctx.actor.orgId)
      .where('risk_id', '=', riskId)
      .where('revoked_at', 'is', null)
      .execute();
    const values = { org_id: ctx.actor.orgId, id, risk_id: riskId, accepted_by: ctx.actor.userId!, accepted_at: ctx.clock.now(), rationale: input.rationale, expires_on: input.expiresOn, level, score: sc };
    await tx.insertInto('risk_acceptances').values(values).execute();
    await audit(tx, ctx, { action: 'risks.accept', entityType: 'risk', entityId: riskId, after: values, details: { ref: r.ref, level, expiresOn: input.expiresOn } });
  });
  return getRisk(ctx, riskId);
}

/**
 * Completes a review: records the outcome, optionally re-rates current and
 * residual, sets the next review date and closes any open review requests
 * (e.g. those an incident opened).
 */
export async function reviewRisk(ctx: Ctx, riskId: string, input: ReviewInput): Promise<RiskDetail> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  await inTx(ctx, async (tx) => {
    const r = await findRiskOr404(tx, ctx, riskId);
    const m = await ensureMethod(tx, ctx);
    const now = ctx.clock.now();
    const set: Record<string, unknown> = { last_reviewed_at: now, updated_at: now };
    const check = (rating: { likelihood: number; impact: number }, path: string) => {
      if (rating.likelihood > m.likelihood.length) throw invalid(`${path}.likelihood`, `the method has ${m.likelihood.length} likelihood levels`);
      if (rating.impact > m.impact.length) throw invalid(`${path}.impact`, `the method has ${m.impact.length} impact levels`);
      return score(m, rating.likelihood, rating.impact);
    };
    if (input.current) {
      const s = check(input.current, 'body.current');
      Object.assign(set, { current_l: s.l, current_i: s.i, current_score: s.score, current_level: s.level });
    }
    if (input.residual !== undefined) {
      const s = input.residual ? check(input.residual, 'body.residual') : null;
      Object.assign(set, { residual_l: s?.l ?? null, residual_i: s?.i ?? null, residual_score: s?.score ?? null, residual_level: s?.level ?? null });
    }
    if (input.nextReviewOn !== undefined) set.review_due_on = input.nextReviewOn;
    await tx.updateTable('risks').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', riskId).execute();
    const open = await tx.selectFrom('risk_reviews').select('id').where('org_id', '=', ctx.actor.orgId).where('risk_id', '=', riskId).where('completed_at', 'is', null).execute();
    if (open.length) {
      await tx.updateTable('risk_reviews').set({ completed_at: now, completed_by: ctx.actor.userId, outcome: input.outcome }).where('org_id', '=', ctx.actor.orgId).where('id', 'in', open.map((o) => o.id)).execute();
    } else {
      await tx.insertInto('risk_reviews').values({ org_id: ctx.actor.orgId, id: newId(), risk_id: riskId, source_type: 'periodic', source_id: null, opened_at: now, opened_by: ctx.actor.userId, completed_at: now, completed_by: ctx.actor.userId, outcome: input.outcome }).execute();
    }
    await recordScores(tx, ctx, riskId, 'review', m.version);
    await audit(tx, ctx, { action: 'risks.review', entityType: 'risk', entityId: riskId, before: r, after: set, details: { ref: r.ref, closedRequests: open.length } });
  });
  return getRisk(ctx, riskId);
}

export interface RiskReviewRequest {
  /** Review an existing risk ... */
  riskId?: string;
  /** ... or create a new one from what was learnt. */
  risk?: RiskCreate;
  source: { type: 'incident' | 'audit' | 'manual'; id: string };
  note?: string;
}

/**
 * Opens a review of a risk because of something that happened (the CERT
 * calls this to turn an incident's lessons into risk work). With `risk`
 * instead of `riskId`, creates the risk first. The risk owner is notified.
 * Runs in the caller's org as the caller; returns the review and risk ids.
 */
export async function createRiskReview(ctx: Ctx, req: RiskReviewRequest): Promise<{ reviewId: string; riskId: string }> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  if (Boolean(req.riskId) === Boolean(req.risk)) throw invalid('riskId', 'give either riskId or risk');
  return inTx(ctx, (tx) => openRiskReview(tx, ctx, req));
}

/** The same inside the caller's transaction (the incident lessons flow opens reviews atomically with its own writes). */
export async function openRiskReview(tx: Tx, ctx: Ctx, req: RiskReviewRequest): Promise<{ reviewId: string; riskId: string }> {
  authorize(ctx.actor, RiskActions['risks.manage']);
  if (Boolean(req.riskId) === Boolean(req.risk)) throw invalid('riskId', 'give either riskId or risk');
  const riskId = req.riskId ?? (await insertRisk(tx, ctx, req.risk!));
  const r = await findRiskOr404(tx, ctx, riskId);
  const id = newId();
  await tx
    .insertInto('risk_reviews')
    .values({ org_id: ctx.actor.orgId, id, risk_id: riskId, source_type: req.source.type, source_id: req.source.id, note: req.note ?? '', opened_at: ctx.clock.now(), opened_by: ctx.actor.userId })
    .execute();
  await notify(tx, ctx, undefined, {
    orgId: ctx.actor.orgId,
    userIds: [r.owner_id],
    kind: 'risk.review_requested',
    title: `Review ${r.ref}: ${r.title}`,
    body: `A ${req.source.type} (${req.source.id}) asks for a review of this risk.${req.note ? `\n\n${req.note}` : ''}`,
    link: `/risks/${riskId}`,
  });
  await audit(tx, ctx, { action: 'risks.review_open', entityType: 'risk_review', entityId: id, details: { risk: r.ref, source: req.source } });
  return { reviewId: id, riskId };
}
