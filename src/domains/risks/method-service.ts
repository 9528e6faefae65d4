import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { RiskErrors } from './errors.js';
import { methodProblems, PRESETS, rescale, score, type PresetName } from './method.js';
import { RiskActions } from './policy.js';
import type { RiskMethod, RiskMethodInput } from './schema.js';

/** The org's method as stored, or the 5x5 preset (version 0) while none was saved. */
export async function loadMethod(tx: Tx, ctx: Ctx): Promise<RiskMethod> {
  const row = await tx.selectFrom('risk_methods').selectAll().where('org_id', '=', ctx.actor.orgId).executeTakeFirst();
  const actions = can(ctx.actor, RiskActions['risks.method']) ? ['update'] : [];
  if (!row) return { ...PRESETS['iso27005-5x5'], version: 0, updatedAt: null, saved: false, actions };
  return {
    name: row.name,
    likelihood: row.likelihood,
    impact: row.impact,
    levels: row.levels,
    matrix: row.matrix,
    appetiteLevel: row.appetite_level,
    toleranceLevel: row.tolerance_level,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
    saved: true,
    actions,
  };
}

/**
 * The method risks are scored with, saving the default preset on first use
 * so every stored score names a method version that exists.
 */
export async function ensureMethod(tx: Tx, ctx: Ctx): Promise<RiskMethod> {
  const m = await loadMethod(tx, ctx);
  if (m.saved) return m;
  const preset = PRESETS['iso27005-5x5'];
  await writeMethod(tx, ctx, preset, 1);
  await audit(tx, ctx, { action: 'risks.method', entityType: 'risk_method', entityId: ctx.actor.orgId, after: preset, details: { version: 1, initial: true } });
  return { ...m, version: 1, saved: true, updatedAt: ctx.clock.now().toISOString() };
}

async function writeMethod(tx: Tx, ctx: Ctx, m: RiskMethodInput, version: number): Promise<void> {
  const values = {
    org_id: ctx.actor.orgId,
    name: m.name,
    likelihood: JSON.stringify(m.likelihood),
    impact: JSON.stringify(m.impact),
    levels: JSON.stringify(m.levels),
    matrix: JSON.stringify(m.matrix),
    appetite_level: m.appetiteLevel,
    tolerance_level: m.toleranceLevel,
    version,
    updated_at: ctx.clock.now(),
    updated_by: ctx.actor.userId,
  };
  await tx.insertInto('risk_methods').values(values).onConflict((oc) => oc.column('org_id').doUpdateSet({ ...values })).execute();
}

/** The acting org's risk method. */
export async function getMethod(ctx: Ctx): Promise<RiskMethod> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, (tx) => loadMethod(tx, ctx));
}

/**
 * Replaces the method and re-scores every risk with it in the same
 * transaction: ratings move to the new scales by relative position, levels
 * come from the new matrix, and each risk gets a `method_change` entry in its
 * score history with the old and new scores.
 */
export async function setMethod(ctx: Ctx, input: RiskMethodInput): Promise<{ method: RiskMethod; rescored: number }> {
  authorize(ctx.actor, RiskActions['risks.method']);
  const problems = methodProblems(input);
  if (problems.length) throw RiskErrors.RISK_METHOD_INVALID(`${problems[0]!.path}: ${problems[0]!.message}`, problems);
  return inTx(ctx, async (tx) => {
    const before = await loadMethod(tx, ctx);
    const version = before.version + 1;
    await writeMethod(tx, ctx, input, version);
    const rescored = await rescoreAll(tx, ctx, before, input, version);
    await audit(tx, ctx, { action: 'risks.method', entityType: 'risk_method', entityId: ctx.actor.orgId, before: before.saved ? before : null, after: input, details: { version, rescored, name: input.name } });
    return { method: await loadMethod(tx, ctx), rescored };
  });
}

/** Replaces the method with a shipped preset (and re-scores). */
export async function applyPreset(ctx: Ctx, preset: PresetName): Promise<{ method: RiskMethod; rescored: number }> {
  return setMethod(ctx, PRESETS[preset]);
}

async function rescoreAll(tx: Tx, ctx: Ctx, from: RiskMethodInput, to: RiskMethodInput, version: number): Promise<number> {
  const risks = await tx.selectFrom('risks').selectAll().where('org_id', '=', ctx.actor.orgId).execute();
  const L = [from.likelihood.length, to.likelihood.length] as const;
  const I = [from.impact.length, to.impact.length] as const;
  const now = ctx.clock.now();
  for (const r of risks) {
    const move = (l: number, i: number) => score(to, rescale(l, L[0], L[1]), rescale(i, I[0], I[1]));
    const inh = move(r.inherent_l, r.inherent_i);
    const cur = move(r.current_l, r.current_i);
    const res = r.residual_l !== null && r.residual_i !== null ? move(r.residual_l, r.residual_i) : null;
    await tx
      .updateTable('risks')
      .set({
        inherent_l: inh.l, inherent_i: inh.i, inherent_score: inh.score, inherent_level: inh.level,
        current_l: cur.l, current_i: cur.i, current_score: cur.score, current_level: cur.level,
        residual_l: res?.l ?? null, residual_i: res?.i ?? null, residual_score: res?.score ?? null, residual_level: res?.level ?? null,
        method_version: version,
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', r.id)
      .execute();
    const was = {
      inherent: { l: r.inherent_l, i: r.inherent_i, score: r.inherent_score, level: r.inherent_level },
      current: { l: r.current_l, i: r.current_i, score: r.current_score, level: r.current_level },
      residual: r.residual_l !== null ? { l: r.residual_l, i: r.residual_i, score: r.residual_score, level: r.residual_level } : null,
    };
    await tx
      .insertInto('risk_score_history')
      .values({ org_id: ctx.actor.orgId, id: newId(), risk_id: r.id, at: now, reason: 'method_change', method_version: version, actor_label: ctx.actor.label, scores: JSON.stringify({ inherent: inh, current: cur, residual: res, previous: { ...was, methodVersion: r.method_version } }) })
      .execute();
  }
  return risks.length;
}
