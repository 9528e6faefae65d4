import { allowedActions, authorize } from '../../../core/access/index.js';
import { audit } from '../../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { invalid } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { IncidentErrors } from '../errors.js';
import { IncidentActions as A } from '../policy.js';
import { storeDeadlines } from './clock.js';
import { loadPreset, type PresetKey } from '../regimes/presets.js';
import { RegimeDefinition, type RegimeRow } from '../regimes/schema.js';

interface RegimeDb {
  org_id: string;
  id: string;
  key: string;
  definition: unknown;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

function toRow(ctx: Ctx, r: RegimeDb): RegimeRow {
  return {
    id: r.id,
    orgId: r.org_id,
    key: r.key,
    definition: RegimeDefinition.parse(r.definition),
    isDefault: r.is_default,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    actions: r.org_id === ctx.actor.orgId ? allowedActions(ctx.actor, [A['regimes.manage']]) : [],
  };
}

/** Regimes the actor may read: its own (a CERT/regulator) and those of the CERTs serving it. */
export async function listRegimes(ctx: Ctx): Promise<RegimeRow[]> {
  authorize(ctx.actor, A['regimes.read']);
  return inTx(ctx, async (tx) => {
    const rows = await tx.selectFrom('reporting_regimes').selectAll().orderBy('org_id').orderBy('key').execute();
    return rows.map((r) => toRow(ctx, r));
  });
}

/** Installs a shipped preset (DORA-like, NIS2-like, local default) as an editable regime of the acting CERT. */
export async function installPreset(ctx: Ctx, input: { preset: PresetKey; key?: string | undefined; isDefault?: boolean | undefined }): Promise<RegimeRow> {
  authorize(ctx.actor, A['regimes.manage']);
  const key = input.key ?? input.preset;
  return inTx(ctx, async (tx) => {
    const clash = await tx.selectFrom('reporting_regimes').select('id').where('org_id', '=', ctx.actor.orgId).where('key', '=', key).executeTakeFirst();
    if (clash) throw IncidentErrors.REGIME_EXISTS(undefined, [{ path: 'body.key', message: 'already taken' }]);
    const hasDefault = await tx.selectFrom('reporting_regimes').select('id').where('org_id', '=', ctx.actor.orgId).where('is_default', '=', true).executeTakeFirst();
    const makeDefault = input.isDefault ?? !hasDefault;
    if (makeDefault) await tx.updateTable('reporting_regimes').set({ is_default: false }).where('org_id', '=', ctx.actor.orgId).where('is_default', '=', true).execute();
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('reporting_regimes')
      .values({ org_id: ctx.actor.orgId, id: newId(), key, definition: JSON.stringify(loadPreset(input.preset)), is_default: makeDefault, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'regimes.install', entityType: 'reporting_regime', entityId: row.id, after: row, details: { preset: input.preset, key } });
    return toRow(ctx, row);
  });
}

/** Tunes a regime (thresholds, deadlines) or makes it the default for new reports. Submitted incidents recompute from it, stored deadlines included. */
export async function updateRegime(ctx: Ctx, id: string, patch: { definition?: RegimeDefinition | undefined; isDefault?: true | undefined }): Promise<RegimeRow> {
  authorize(ctx.actor, A['regimes.manage']);
  return inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('reporting_regimes').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!before) throw IncidentErrors.REGIME_NOT_FOUND();
    if (patch.isDefault) await tx.updateTable('reporting_regimes').set({ is_default: false }).where('org_id', '=', ctx.actor.orgId).where('is_default', '=', true).execute();
    const after = await tx
      .updateTable('reporting_regimes')
      .set({
        ...(patch.definition ? { definition: JSON.stringify(patch.definition) } : {}),
        ...(patch.isDefault ? { is_default: true } : {}),
        updated_at: ctx.clock.now(),
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let recomputed = 0;
    if (patch.definition) {
      // Deadlines are always computed from the regime, but the queue sorts and
      // filters (and the reminder job pre-selects) on the stored next deadline,
      // and the statistics count adherence from each stage's stored due time:
      // store them again for every submitted incident under this regime
      // (closed ones too, whose adherence is judged by the regime as it is now).
      const incs = await tx
        .selectFrom('incidents')
        .select(['org_id', 'id', 'detected_at', 'classified_at', 'is_major', 'is_reportable', 'stage_first_at', 'status'])
        .where('regime_org_id', '=', ctx.actor.orgId)
        .where('regime_id', '=', id)
        .where('status', '!=', 'draft')
        // Locked, so a stage submitted meanwhile is either in these facts or waits and then reads
        // the edited regime; an unlocked read could store deadlines from facts it just replaced.
        .forUpdate()
        .execute();
      await storeDeadlines(tx, patch.definition, incs, ctx.clock.now());
      recomputed = incs.length;
    }
    await audit(tx, ctx, { action: 'regimes.update', entityType: 'reporting_regime', entityId: id, before, after, details: { fields: Object.keys(patch), recomputed } });
    return toRow(ctx, after);
  });
}

/** The regime a new report of the acting entity falls under: the given one or its CERT's default. */
export async function regimeForReport(tx: Tx, certOrgId: string, regimeId: string | undefined): Promise<{ id: string; orgId: string; key: string; definition: RegimeDefinition }> {
  let q = tx.selectFrom('reporting_regimes').selectAll().where('org_id', '=', certOrgId);
  q = regimeId ? q.where('id', '=', regimeId) : q.where('is_default', '=', true);
  const row = await q.executeTakeFirst();
  if (!row) {
    if (regimeId) throw invalid('body.regimeId', 'no such regime of the CERT serving you');
    throw IncidentErrors.INCIDENT_NO_REGIME();
  }
  return { id: row.id, orgId: row.org_id, key: row.key, definition: RegimeDefinition.parse(row.definition) };
}

/** A regime by id, as the incident's reader sees it (RLS lets the entity and the CERT read it). */
export async function regimeById(tx: Tx, orgId: string, id: string): Promise<{ id: string; key: string; definition: RegimeDefinition }> {
  const row = await tx.selectFrom('reporting_regimes').select(['id', 'key', 'definition']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirstOrThrow();
  return { id: row.id, key: row.key, definition: RegimeDefinition.parse(row.definition) };
}
