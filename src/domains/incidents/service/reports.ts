import { allowedActions, authorize } from '../../../core/access/index.js';
import { audit } from '../../../core/audit.js';
import { canonicalJson } from '../../../core/canonical-json.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { E, type FieldProblem } from '../../../core/errors.js';
import { newId, sha256 } from '../../../core/ids.js';
import type { Mailer } from '../../../core/mail.js';
import { assertAssetsExist } from '../../assets/service.js';
import { syncIncidentObservables } from '../../intel/correlation.js';
import { orgsRelatingTo } from '../../tenancy/orgs.js';
import { IncidentErrors } from '../errors.js';
import { IncidentActions as A } from '../policy.js';
import { STAGES, type StageKey } from '../regimes/schema.js';
import { isRsitPair } from '../rsit.js';
import type { IncidentDetail, ReportDraft } from '../schema.js';
import { CERT_DUTY, loadIncident, notifyOrg, type IncidentDb, type Side } from './access.js';
import { currentAttachments, toStageAttachment } from './attachments.js';
import { deadlineViews, incidentDeadlines, storeDeadlines, suggestion } from './clock.js';
import { regimeById, regimeForReport } from './regimes.js';
import { toIncidentRow } from './queue.js';

export interface IncidentDeps {
  mailer?: Mailer | undefined;
}

const ACTION_CANDIDATES = [A['incidents.report'], A['incidents.message'], A['incidents.triage'], A['incidents.coordinate']];

/** What each stage needs, cumulatively: a later stage needs everything an earlier one did. */
const STAGE_FIELDS: Record<StageKey, Array<keyof ReportDraft>> = {
  initial: ['title', 'summary', 'detectedAt', 'rsitClass', 'rsitType', 'severity', 'major', 'contact'],
  intermediate: ['criteria', 'affectedServices', 'impactDescription', 'measures'],
  final: ['rootCause'],
};

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Every problem with submitting `draft` as `stage`, as field errors (all at once, so the form can show them together). */
export function stageProblems(draft: ReportDraft, stage: StageKey, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const needed = STAGES.slice(0, STAGES.indexOf(stage) + 1).flatMap((s) => STAGE_FIELDS[s]);
  for (const f of needed) if (isEmpty(draft[f])) problems.push({ path: `draft.${f}`, message: `required for the ${stage} stage` });
  if (draft.rsitClass && draft.rsitType && !isRsitPair(draft.rsitClass, draft.rsitType)) problems.push({ path: 'draft.rsitType', message: `not an RSIT type of class ${draft.rsitClass}` });
  const detected = draft.detectedAt ? new Date(draft.detectedAt) : null;
  if (detected && detected > now) problems.push({ path: 'draft.detectedAt', message: 'cannot be in the future' });
  if (draft.startedAt && detected && new Date(draft.startedAt) > detected) problems.push({ path: 'draft.startedAt', message: 'must not be after the detection time' });
  if (draft.classifiedAt) {
    const c = new Date(draft.classifiedAt);
    if (c > now) problems.push({ path: 'draft.classifiedAt', message: 'cannot be in the future' });
    if (detected && c < detected) problems.push({ path: 'draft.classifiedAt', message: 'must not be before the detection time' });
  }
  return problems;
}

async function nextRef(tx: Tx, orgId: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const prefix = `INC-${year}-`;
  const r = await tx.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('ref', 'like', `${prefix}%`).executeTakeFirstOrThrow();
  return `${prefix}${String(Number(r.n) + 1).padStart(5, '0')}`;
}

/** Opens a draft report under the serving CERT's regime (its default unless one is named). */
export async function createIncident(ctx: Ctx, input: { regimeId?: string | undefined; draft: ReportDraft }): Promise<IncidentDetail> {
  authorize(ctx.actor, A['incidents.report']);
  const id = await inTx(ctx, async (tx) => {
    const certs = await orgsRelatingTo(tx, ctx.actor.orgId, 'serves');
    const cert = certs.length ? await tx.selectFrom('orgs').select('id').where('id', 'in', certs).where('kind', '=', 'cert').orderBy('created_at').executeTakeFirst() : undefined;
    if (!cert) throw IncidentErrors.INCIDENT_NO_CERT();
    const regime = await regimeForReport(tx, cert.id, input.regimeId);
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('incidents')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        ref: await nextRef(tx, ctx.actor.orgId, now),
        cert_org_id: cert.id,
        regime_org_id: regime.orgId,
        regime_id: regime.id,
        title: input.draft.title ?? 'Untitled incident',
        draft: JSON.stringify(input.draft),
        draft_updated_at: now,
        stage_first_at: JSON.stringify({}),
        state_entered: JSON.stringify({ draft: now.toISOString() }),
        status: 'draft',
        created_by: ctx.actor.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'incidents.create', entityType: 'incident', entityId: row.id, after: row, details: { ref: row.ref, regime: regime.key } });
    return row.id;
  });
  return getIncident(ctx, id);
}

/** Autosaves the draft: given fields replace the draft's, `null` clears one. Submitted stages are untouched. */
export async function patchDraft(ctx: Ctx, id: string, patch: Record<string, unknown>): Promise<IncidentDetail> {
  await inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.report'], { side: 'entity', forUpdate: true });
    if (inc.status === 'closed' || inc.status === 'rejected') throw IncidentErrors.INCIDENT_CLOSED();
    const draft = { ...(inc.draft as ReportDraft) } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (v === null) delete draft[k];
      else draft[k] = v;
    }
    const now = ctx.clock.now();
    await tx
      .updateTable('incidents')
      .set({ draft: JSON.stringify(draft), draft_updated_at: now, updated_at: now, ...(inc.status === 'draft' && typeof draft.title === 'string' ? { title: draft.title } : {}) })
      .where('org_id', '=', inc.org_id)
      .where('id', '=', inc.id)
      .execute();
    await audit(tx, ctx, { action: 'incidents.draft', entityType: 'incident', entityId: inc.id, before: inc.draft, after: draft, details: { fields: Object.keys(patch) } });
  });
  return getIncident(ctx, id);
}

/**
 * Submits the draft as a stage: validates everything first (all-or-nothing,
 * every missing field named), then writes an immutable snapshot, moves the
 * clock facts, replaces the correlatable observables and the asset links,
 * and tells the CERT. A stage submitted again is a correction: a new
 * snapshot; the first submission is what the deadline measured.
 */
export async function submitStage(ctx: Ctx, deps: IncidentDeps, id: string, stage: StageKey): Promise<IncidentDetail> {
  await inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.report'], { side: 'entity', forUpdate: true });
    if (inc.status === 'closed' || inc.status === 'rejected') throw IncidentErrors.INCIDENT_CLOSED();
    const regime = await regimeById(tx, inc.regime_org_id, inc.regime_id);
    const now = ctx.clock.now();
    const draft = inc.draft as ReportDraft;
    const firstAt = { ...(inc.stage_first_at ?? {}) } as Record<string, string>;
    const order = regime.definition.stages.map((s) => s.stage);
    if (!order.includes(stage)) throw E.VALIDATION_FAILED(`body.stage: the ${regime.key} regime has no ${stage} stage`, [{ path: 'body.stage', message: 'not a stage of this regime' }]);
    const prev = order.slice(0, order.indexOf(stage)).find((s) => !firstAt[s]);
    if (prev) throw IncidentErrors.INCIDENT_STAGE_OUT_OF_ORDER(`Submit the ${prev} stage before the ${stage} stage`, [{ path: 'body.stage', message: `${prev} not submitted yet` }]);
    const problems = stageProblems(draft, stage, now);
    if (problems.length) throw IncidentErrors.INCIDENT_STAGE_INCOMPLETE(`${problems.length} problem(s) with the ${stage} report: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);

    const sugg = suggestion(regime.definition, draft);
    const { assetIds = [], ...report } = draft;
    // The ISMS assets hit must be assets of the reporting entity (checked by the assets domain).
    await assertAssetsExist(tx, ctx, assetIds, 'draft.assetIds');
    // Attachments are listed by id and sha256: the stage names the exact bytes it was submitted with.
    const attachments = (await currentAttachments(tx, inc)).map(toStageAttachment);
    const snapshot = { report: attachments.length ? { ...report, attachments } : report, suggestion: sugg, regime: { id: regime.id, key: regime.key } };
    const seqRow = await tx.selectFrom('incident_stages').select((eb) => eb.fn.max('seq').as('m')).where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).executeTakeFirst();
    const seq = Number(seqRow?.m ?? 0) + 1;
    await tx
      .insertInto('incident_stages')
      .values({ org_id: inc.org_id, incident_id: inc.id, seq, id: newId(), stage, snapshot: JSON.stringify(snapshot), sha256: sha256(canonicalJson(snapshot)), submitted_at: now, submitted_by: ctx.actor.userId })
      .execute();

    if (!firstAt[stage]) firstAt[stage] = now.toISOString();
    const major = draft.major === true;
    const classifiedAt = major ? (draft.classifiedAt ? new Date(draft.classifiedAt) : (inc.classified_at ?? now)) : null;
    const first = inc.status === 'draft';
    const stateEntered = { ...(inc.state_entered ?? {}) } as Record<string, string>;
    if (first) stateEntered.new = now.toISOString();
    const updated = await tx
      .updateTable('incidents')
      .set({
        title: draft.title!,
        rsit_class: draft.rsitClass ?? null,
        rsit_type: draft.rsitType ?? null,
        severity: draft.severity ?? null,
        detected_at: draft.detectedAt ? new Date(draft.detectedAt) : null,
        started_at: draft.startedAt ? new Date(draft.startedAt) : null,
        classified_at: classifiedAt,
        is_major: major,
        is_reportable: major || sugg.reportable,
        last_stage: stage,
        stage_first_at: JSON.stringify(firstAt),
        state_entered: JSON.stringify(stateEntered),
        updated_at: now,
        ...(first ? { status: 'new' as const, first_reported_at: now } : {}),
      })
      .where('org_id', '=', inc.org_id)
      .where('id', '=', inc.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await storeDeadlines(tx, regime.definition, [updated], now);
    if (first) {
      await tx.insertInto('incident_state_changes').values({ org_id: inc.org_id, incident_id: inc.id, id: newId(), from_status: 'draft', to_status: 'new', at: now, by_user_id: ctx.actor.userId, by_org_id: ctx.actor.orgId, reason: 'first report submitted' }).execute();
    }
    await replaceObservables(tx, inc, draft, now);
    // The reported values join the threat exchange's correlation (private to the entity; alerts on matches).
    await syncIncidentObservables(tx, ctx, inc.id, draft.observables ?? [], { mailer: deps.mailer });
    await replaceAssets(tx, inc, assetIds);
    await audit(tx, ctx, { action: 'incidents.submit', entityType: 'incident', entityId: inc.id, after: snapshot, details: { stage, seq, major } });
    await notifyOrg(tx, ctx, deps.mailer, {
      orgId: inc.cert_org_id,
      roles: CERT_DUTY,
      extraUserIds: [inc.assignee_id],
      kind: 'incident.stage_submitted',
      title: `${inc.ref}: ${stage} report submitted${major ? ' (major)' : ''}`,
      body: draft.title!,
      link: `/incidents/${inc.id}`,
      email: first && major,
    });
  });
  return getIncident(ctx, id);
}

async function replaceObservables(tx: Tx, inc: IncidentDb, draft: ReportDraft, now: Date): Promise<void> {
  await tx.deleteFrom('incident_observables').where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute();
  const seen = new Map<string, { type: string; value: string; tlp: NonNullable<ReportDraft['observables']>[number]['tlp'] }>();
  for (const o of draft.observables ?? []) seen.set(`${o.type}\n${o.value}`, o);
  if (seen.size) {
    await tx
      .insertInto('incident_observables')
      .values([...seen.values()].map((o) => ({ org_id: inc.org_id, incident_id: inc.id, type: o.type, value: o.value, tlp: o.tlp, created_at: now })))
      .execute();
  }
}

// ISMS asset ids are linked by id (validated by the assets domain above);
// the link table keeps them private to the entity (no CERT policy on it).
async function replaceAssets(tx: Tx, inc: IncidentDb, assetIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('incident_assets').where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute();
  const unique = [...new Set(assetIds)];
  if (unique.length) await tx.insertInto('incident_assets').values(unique.map((a) => ({ org_id: inc.org_id, incident_id: inc.id, asset_id: a }))).execute();
}

/** One incident as the actor's side sees it: the entity gets its draft, the CERT the latest submitted report. */
export async function getIncident(ctx: Ctx, id: string): Promise<IncidentDetail> {
  return inTx(ctx, async (tx) => {
    const { inc, side } = await loadIncident(tx, ctx, id, A['incidents.read']);
    return detail(tx, ctx, inc, side);
  });
}

async function detail(tx: Tx, ctx: Ctx, inc: IncidentDb, side: Side): Promise<IncidentDetail> {
  const now = ctx.clock.now();
  const regime = await regimeById(tx, inc.regime_org_id, inc.regime_id);
  const latest = await tx.selectFrom('incident_stages').select('snapshot').where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const report = latest ? ((latest.snapshot as { report: Record<string, unknown> }).report ?? null) : null;
  const org = await tx.selectFrom('orgs').select('name').where('id', '=', inc.org_id).executeTakeFirstOrThrow();
  const assets = side === 'entity' ? await tx.selectFrom('incident_assets').select('asset_id').where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).execute() : [];
  const draft = side === 'entity' ? (inc.draft as ReportDraft) : null;
  const candidates = ACTION_CANDIDATES.filter((a) => (side === 'entity' ? a !== A['incidents.triage'] && a !== A['incidents.coordinate'] : a !== A['incidents.report']));
  return {
    ...toIncidentRow(inc, org.name, now),
    side,
    certOrgId: inc.cert_org_id,
    regime: { id: regime.id, key: regime.key, name: regime.definition.name },
    draft,
    report,
    suggestion: suggestion(regime.definition, draft ?? report),
    deadlines: deadlineViews(incidentDeadlines(regime.definition, inc, now), now),
    stateEntered: inc.state_entered ?? {},
    assetIds: assets.map((a) => a.asset_id),
    lessonsLearned: side === 'entity' ? inc.lessons_learned : null,
    serverNow: now.toISOString(),
    actions: allowedActions(ctx.actor, candidates),
  };
}

/** The submitted stages, oldest first (immutable snapshots). */
export async function listStages(ctx: Ctx, id: string) {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.read']);
    const rows = await tx.selectFrom('incident_stages').selectAll().where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).orderBy('seq').execute();
    return rows.map((r) => ({ id: r.id, seq: r.seq, stage: r.stage, submittedAt: r.submitted_at.toISOString(), sha256: r.sha256, snapshot: r.snapshot as Record<string, unknown> }));
  });
}
