import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { addMonths } from '../documents/service.js';
import { assertMember } from '../risks/service.js';
import { assertRequirements } from './catalog.js';
import { ControlErrors } from './errors.js';
import { ControlActions as A } from './policy.js';
import * as repo from './repo.js';
import type { CheckRow, ControlCreate, ControlDetail, ControlQuery, ControlRow, ControlUpdate, Frequency, RequirementRef } from './schema.js';
import { toEvidenceRow } from './evidence.js';

export { ISO_27001, NIST_CSF, loadFramework, loadMappings, type CatalogFramework, type CatalogRequirement } from './catalog.js';
export type { CoverageRow } from './repo.js';

export function today(ctx: Ctx): string {
  return ctx.clock.now().toISOString().slice(0, 10);
}

/** The date one period of `frequency` after `day`. */
export function nextDue(day: string, frequency: Frequency): string {
  if (frequency === 'weekly') return new Date(Date.parse(`${day}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
  return addMonths(day, { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 }[frequency]);
}

function toControlRow(ctx: Ctx, c: repo.ControlDbRow): ControlRow {
  const actions: string[] = [];
  if (can(ctx.actor, A['controls.manage'])) actions.push('update', 'delete');
  if (can(ctx.actor, A['controls.evidence'])) actions.push('evidence', 'check');
  return {
    id: c.id,
    ref: c.ref,
    name: c.name,
    description: c.description,
    owner: c.owner_id ? { id: c.owner_id, displayName: c.owner_name ?? '' } : null,
    status: c.status,
    frequency: c.frequency,
    nextCheckOn: c.next_check_on,
    checkOverdue: Boolean(c.next_check_on && c.next_check_on < today(ctx)),
    requirements: c.requirements,
    evidence: { total: Number(c.evidence?.total ?? 0), valid: Number(c.evidence?.valid ?? 0), expired: Number(c.evidence?.expired ?? 0) },
    updatedAt: c.updated_at.toISOString(),
    actions,
  };
}

export function toCheckRow(ctx: Ctx, k: repo.CheckDbRow): CheckRow {
  return {
    id: k.id,
    controlId: k.control_id,
    controlRef: k.control_ref,
    controlName: k.control_name,
    dueOn: k.due_on,
    overdue: k.result === null && k.due_on < today(ctx),
    result: k.result,
    note: k.note,
    evidenceId: k.evidence_id,
    performedBy: k.performed_by ? { id: k.performed_by, displayName: k.performer_name ?? '' } : null,
    performedAt: k.performed_at?.toISOString() ?? null,
  };
}

/** Applied controls: search, filter by status, owner, mapped framework/requirement, checks due; paginate. */
export async function listControls(ctx: Ctx, q: ControlQuery): Promise<PagedResult<ControlRow>> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => {
    const d = today(ctx);
    const build = () => repo.filterControls(repo.selectControls(tx, d), ctx.actor.orgId, q, d);
    const [rows, total] = await Promise.all([
      build().orderBy(`c.${q.sort}`, q.order).orderBy('c.ref').limit(q.limit).offset(q.offset).execute(),
      build().clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toControlRow(ctx, r)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

export async function findControlOr404(tx: Tx, ctx: Ctx, id: string): Promise<repo.ControlDbRow> {
  const c = await repo.selectControls(tx, today(ctx)).where('c.org_id', '=', ctx.actor.orgId).where('c.id', '=', id).executeTakeFirst();
  if (!c) throw ControlErrors.CONTROL_NOT_FOUND();
  return c;
}

/** Checks that every id is an applied control of the acting org; names the first that is not. */
export async function assertControlsExist(tx: Tx, ctx: Ctx, ids: readonly string[], path: string): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await tx.selectFrom('applied_controls').select('id').where('org_id', '=', ctx.actor.orgId).where('id', 'in', [...ids]).execute()).map((r) => r.id));
  const i = ids.findIndex((id) => !found.has(id));
  if (i >= 0) throw invalid(`${path}.${i}`, 'no such applied control in this organisation');
}

/** One applied control with its checks and evidence. */
export async function getControl(ctx: Ctx, id: string): Promise<ControlDetail> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => {
    const c = await findControlOr404(tx, ctx, id);
    const checks = await repo.selectChecks(tx).where('k.org_id', '=', ctx.actor.orgId).where('k.control_id', '=', id).orderBy('k.due_on', 'desc').limit(50).execute();
    const evidence = await repo.filterEvidence(repo.selectEvidence(tx, today(ctx)), ctx.actor.orgId, { controlId: id }, today(ctx)).orderBy('e.ref').execute();
    return { ...toControlRow(ctx, c), checks: checks.map((k) => toCheckRow(ctx, k)), evidenceItems: evidence.map((e) => toEvidenceRow(ctx, e)) };
  });
}

function dedupe(reqs: readonly RequirementRef[]): RequirementRef[] {
  const seen = new Map<string, RequirementRef>();
  for (const r of reqs) seen.set(`${r.framework}\u0000${r.ref}`, r);
  return [...seen.values()];
}

async function refTaken(tx: Tx, ctx: Ctx, ref: string, except?: string): Promise<boolean> {
  let q = tx.selectFrom('applied_controls').select('id').where('org_id', '=', ctx.actor.orgId).where('ref', '=', ref);
  if (except) q = q.where('id', '<>', except);
  return Boolean(await q.executeTakeFirst());
}

/** Inserts one applied control inside the caller's transaction (create, import, demo). */
export async function insertControl(tx: Tx, ctx: Ctx, input: ControlCreate, path = 'body'): Promise<string> {
  const reqs = dedupe(input.requirements ?? []);
  await assertRequirements(tx, reqs, `${path}.requirements`);
  if (input.ownerId) await assertMember(tx, ctx, input.ownerId, `${path}.ownerId`);
  if (input.ref && (await refTaken(tx, ctx, input.ref))) throw ControlErrors.CONTROL_REF_TAKEN(`${path}.ref: ${input.ref} is already used by another applied control`, [{ path: `${path}.ref`, message: 'already used' }]);
  if (input.nextCheckOn && !input.frequency) throw invalid(`${path}.nextCheckOn`, 'only for a control with a frequency');
  const id = newId();
  const now = ctx.clock.now();
  const values = {
    org_id: ctx.actor.orgId,
    id,
    ref: input.ref ?? (await repo.nextRef(tx, ctx.actor.orgId, 'applied_controls', 'C')),
    name: input.name,
    description: input.description ?? '',
    owner_id: input.ownerId ?? null,
    status: input.status ?? 'not_started',
    frequency: input.frequency ?? null,
    next_check_on: input.frequency ? (input.nextCheckOn ?? nextDue(today(ctx), input.frequency)) : null,
    created_at: now,
    updated_at: now,
  };
  await tx.insertInto('applied_controls').values(values).execute();
  if (reqs.length) await tx.insertInto('applied_control_requirements').values(reqs.map((r) => ({ org_id: ctx.actor.orgId, control_id: id, framework_key: r.framework, ref: r.ref }))).execute();
  await audit(tx, ctx, { action: 'controls.create', entityType: 'applied_control', entityId: id, after: { ...values, requirements: reqs }, details: { ref: values.ref, name: values.name } });
  return id;
}

/** Creates an applied control mapped to requirements of any framework. */
export async function createControl(ctx: Ctx, input: ControlCreate): Promise<ControlDetail> {
  authorize(ctx.actor, A['controls.manage']);
  const id = await inTx(ctx, (tx) => insertControl(tx, ctx, input));
  return getControl(ctx, id);
}

/** Changes an applied control inside the caller's transaction; `requirements` replaces the mappings. */
export async function applyControlUpdate(tx: Tx, ctx: Ctx, id: string, patch: ControlUpdate, path = 'body'): Promise<void> {
  const before = await findControlOr404(tx, ctx, id);
  const reqs = patch.requirements ? dedupe(patch.requirements) : undefined;
  if (reqs) await assertRequirements(tx, reqs, `${path}.requirements`);
  if (patch.ownerId) await assertMember(tx, ctx, patch.ownerId, `${path}.ownerId`);
  if (patch.ref && (await refTaken(tx, ctx, patch.ref, id))) throw ControlErrors.CONTROL_REF_TAKEN(undefined, [{ path: `${path}.ref`, message: 'already used' }]);
  const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
  for (const [k, col] of Object.entries({ ref: 'ref', name: 'name', description: 'description', ownerId: 'owner_id', status: 'status' })) {
    const v = (patch as Record<string, unknown>)[k];
    if (v !== undefined) set[col] = v;
  }
  const frequency = patch.frequency !== undefined ? patch.frequency : before.frequency;
  if (patch.nextCheckOn && !frequency) throw invalid(`${path}.nextCheckOn`, 'only for a control with a frequency');
  if (patch.frequency !== undefined) {
    set.frequency = patch.frequency;
    set.next_check_on = patch.frequency ? (patch.nextCheckOn ?? (before.frequency ? before.next_check_on : null) ?? nextDue(today(ctx), patch.frequency)) : null;
  } else if (patch.nextCheckOn) set.next_check_on = patch.nextCheckOn;
  await tx.updateTable('applied_controls').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
  if (reqs) {
    await tx.deleteFrom('applied_control_requirements').where('org_id', '=', ctx.actor.orgId).where('control_id', '=', id).execute();
    if (reqs.length) await tx.insertInto('applied_control_requirements').values(reqs.map((r) => ({ org_id: ctx.actor.orgId, control_id: id, framework_key: r.framework, ref: r.ref }))).execute();
  }
  await audit(tx, ctx, { action: 'controls.update', entityType: 'applied_control', entityId: id, before, after: { ...set, requirements: reqs }, details: { ref: before.ref, fields: Object.keys(patch) } });
}

/** Changes an applied control; `requirements` replaces the mappings. */
export async function updateControl(ctx: Ctx, id: string, patch: ControlUpdate): Promise<ControlDetail> {
  authorize(ctx.actor, A['controls.manage']);
  await inTx(ctx, (tx) => applyControlUpdate(tx, ctx, id, patch));
  return getControl(ctx, id);
}

/** Deletes an applied control (its mappings, evidence links and checks go with it; evidence items stay). */
export async function deleteControl(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, A['controls.manage']);
  await inTx(ctx, async (tx) => {
    const before = await findControlOr404(tx, ctx, id);
    await tx.deleteFrom('applied_controls').where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'controls.delete', entityType: 'applied_control', entityId: id, before, details: { ref: before.ref } });
  });
}

/**
 * For the SoA and compliance views: per mapped (framework, ref), the applied
 * controls' statuses and their evidence by state, in one aggregate query.
 */
export async function requirementCoverage(tx: Tx, ctx: Ctx, frameworks: readonly string[]): Promise<repo.CoverageRow[]> {
  authorize(ctx.actor, A['controls.read']);
  return repo.requirementCoverage(tx, ctx.actor.orgId, frameworks, today(ctx));
}

/** For the SoA detail and exports: evidence references (ref, title, state) per requirement of `framework`. */
export async function requirementEvidence(tx: Tx, ctx: Ctx, framework: string, refs?: readonly string[]) {
  authorize(ctx.actor, A['controls.read']);
  return repo.requirementEvidence(tx, ctx.actor.orgId, framework, today(ctx), refs);
}

/** For the SoA detail: the applied controls mapped to one requirement. */
export async function controlsForRequirement(tx: Tx, ctx: Ctx, framework: string, ref: string): Promise<ControlRow[]> {
  authorize(ctx.actor, A['controls.read']);
  const rows = await repo.filterControls(repo.selectControls(tx, today(ctx)), ctx.actor.orgId, { framework, ref }, today(ctx)).orderBy('c.ref').execute();
  return rows.map((r) => toControlRow(ctx, r));
}

/** For the OSCAL export: every applied control mapped to a requirement of `framework`, in ref order. */
export async function controlsForFramework(tx: Tx, ctx: Ctx, framework: string): Promise<ControlRow[]> {
  authorize(ctx.actor, A['controls.read']);
  const rows = await repo.filterControls(repo.selectControls(tx, today(ctx)), ctx.actor.orgId, { framework }, today(ctx)).orderBy('c.ref').execute();
  return rows.map((r) => toControlRow(ctx, r));
}
