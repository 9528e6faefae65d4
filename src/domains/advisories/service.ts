import type { Selectable } from 'kysely';
import { allowedActions, authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import { notifyOrg } from '../incidents/service/access.js';
import { importObjectsIn } from '../intel/imports.js';
import { indicatorOfObservable } from '../intel/indicators.js';
import '../intel/tables.js';
import { relatedOrgIds } from '../tenancy/orgs.js';
import { AdvisoryErrors } from './errors.js';
import { AdvisoryActions as A } from './policy.js';
import type { AdvisoryCreate, AdvisoryPatch, AdvisoryQuery, AdvisoryRow, RecipientState, ResponseInput } from './schema.js';
import type { AdvisoriesTable, AdvisoryRecipientsTable } from './tables.js';

type AdvisoryDb = Selectable<AdvisoriesTable>;
type RecipientDb = Selectable<AdvisoryRecipientsTable>;

export interface AdvisoryDeps {
  mailer?: Mailer | undefined;
}

const isoDate = (v: string | Date | null): string | null => (v === null ? null : typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

function recipientState(r: RecipientDb, orgName: string): RecipientState {
  return {
    orgId: r.org_id,
    orgName,
    deliveredAt: r.delivered_at.toISOString(),
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    applicability: r.applicability,
    remediationStatus: r.remediation_status,
    remediationDate: isoDate(r.remediation_date),
    note: r.note,
    remindersSent: r.reminders_sent,
  };
}

function toRow(ctx: Ctx, a: AdvisoryDb, mine: RecipientDb | null, myOrgName = ''): AdvisoryRow {
  const own = a.org_id === ctx.actor.orgId;
  return {
    id: a.id,
    certOrgId: a.org_id,
    ref: a.ref,
    title: a.title,
    tlp: a.tlp,
    severity: a.severity,
    products: a.products.map((p) => ({ vendor: p.vendor, product: p.product, versions: p.versions ?? '' })),
    cveIds: a.cve_ids,
    description: a.description,
    recommendedActions: a.recommended_actions,
    indicators: a.indicators,
    stixFromObservables: a.stix_from_observables,
    validFrom: a.valid_from?.toISOString() ?? null,
    validUntil: a.valid_until?.toISOString() ?? null,
    audience: own ? a.audience : null,
    status: a.status,
    publishedAt: a.published_at?.toISOString() ?? null,
    createdAt: a.created_at.toISOString(),
    myResponse: mine ? recipientState(mine, myOrgName) : null,
    actions: own ? allowedActions(ctx.actor, [A['advisories.write']]) : allowedActions(ctx.actor, [A['advisories.respond']]),
  };
}

async function load(tx: Tx, ctx: Ctx, id: string): Promise<{ adv: AdvisoryDb; mine: RecipientDb | null }> {
  const adv = await tx.selectFrom('advisories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!adv) throw AdvisoryErrors.ADVISORY_NOT_FOUND();
  if (adv.org_id === ctx.actor.orgId) return { adv, mine: null };
  const mine = await tx.selectFrom('advisory_recipients').selectAll().where('org_id', '=', ctx.actor.orgId).where('advisory_id', '=', id).executeTakeFirst();
  if (!mine || adv.status === 'draft') throw AdvisoryErrors.ADVISORY_NOT_FOUND();
  return { adv, mine };
}

/** Drafts an advisory in the acting CERT. */
export async function createAdvisory(ctx: Ctx, input: AdvisoryCreate): Promise<AdvisoryRow> {
  authorize(ctx.actor, A['advisories.write']);
  return inTx(ctx, async (tx) => {
    const now = ctx.clock.now();
    const n = await tx.selectFrom('advisories').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', ctx.actor.orgId).executeTakeFirstOrThrow();
    const row = await tx
      .insertInto('advisories')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        ref: `ADV-${now.getUTCFullYear()}-${String(Number(n.n) + 1).padStart(4, '0')}`,
        title: input.title,
        tlp: input.tlp,
        severity: input.severity,
        products: JSON.stringify(input.products),
        cve_ids: [...new Set(input.cveIds)],
        description: input.description,
        recommended_actions: input.recommendedActions,
        indicators: JSON.stringify(input.indicators),
        stix_refs: await visibleIndicators(tx, input.stixIndicatorIds),
        stix_from_observables: input.stixFromObservables,
        valid_from: input.validFrom,
        valid_until: input.validUntil,
        audience: JSON.stringify(input.audience),
        status: 'draft',
        created_by: ctx.actor.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'advisories.create', entityType: 'advisory', entityId: row.id, after: row });
    return { ...toRow(ctx, row, null), stixIndicators: await stixIndicatorsOf(tx, row) };
  });
}

/** The ids, each checked to be an indicator the acting org may see (read under its row-level security). */
async function visibleIndicators(tx: Tx, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const seen = new Set((await tx.selectFrom('stix_objects').select('stix_id').where('stix_id', 'in', unique).where('type', '=', 'indicator').where('is_latest', '=', true).execute()).map((r) => r.stix_id));
  const missing = ids.map((id, i) => ({ id, i })).filter((x) => !seen.has(x.id));
  if (missing.length) throw AdvisoryErrors.ADVISORY_STIX_INVALID(undefined, missing.map((x) => ({ path: `stixIndicatorIds[${x.i}]`, message: `${x.id}: no such indicator visible to your organisation` })));
  return unique;
}

/** The advisory's STIX indicators the reader may see: the newest visible version of each, read as the reader. */
async function stixIndicatorsOf(tx: Tx, adv: AdvisoryDb): Promise<NonNullable<AdvisoryRow['stixIndicators']>> {
  if (!adv.stix_refs.length) return [];
  const rows = await tx
    .selectFrom('stix_objects')
    .select(['stix_id', 'name', 'tlp', 'doc'])
    .distinctOn('stix_id')
    .where('stix_id', 'in', adv.stix_refs)
    .where('is_latest', '=', true)
    .orderBy('stix_id')
    .orderBy('modified', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.stix_id, name: r.name, pattern: typeof r.doc.pattern === 'string' ? r.doc.pattern : null, tlp: r.tlp }));
}

/**
 * Publishing with stixFromObservables: each observable becomes a STIX
 * indicator owned by the CERT (id derived from the advisory and the value,
 * so it is made once), stored and correlated in the publishing transaction
 * under the advisory's TLP: AMBER and AMBER+STRICT go to the recipient
 * orgs, CLEAR and GREEN to everyone, RED to no one but the CERT (TLP:RED
 * intelligence goes to named people, and an advisory names organisations).
 */
async function publishStixIndicators(tx: Tx, ctx: Ctx, deps: AdvisoryDeps, adv: AdvisoryDb, orgIds: string[], now: Date): Promise<string[]> {
  if (!adv.stix_from_observables || !adv.indicators.length) return adv.stix_refs;
  const created = now.toISOString();
  const validFrom = adv.valid_from?.toISOString() ?? created;
  const validUntil = adv.valid_until && adv.valid_until > (adv.valid_from ?? now) ? adv.valid_until.toISOString() : null;
  const objects = adv.indicators
    .map((o) => indicatorOfObservable(`advisory:${adv.org_id}:${adv.id}`, o, { created, validFrom, validUntil, name: `${adv.ref}: ${o.value}`, description: adv.title, labels: [`advisory:${adv.ref}`] }))
    .filter((o): o is Record<string, unknown> => o !== null);
  if (!objects.length) return adv.stix_refs;
  const amber = adv.tlp === 'amber' || adv.tlp === 'amber+strict';
  await importObjectsIn(tx, ctx, objects, { source: `advisory:${adv.ref}`, sharing: { tlp: adv.tlp, recipientOrgs: amber ? orgIds : [], recipientUsers: [], sharingGroups: [] }, mailer: deps.mailer });
  return [...new Set([...adv.stix_refs, ...objects.map((o) => o.id as string)])];
}

/** Edits a draft advisory. */
export async function updateAdvisory(ctx: Ctx, id: string, patch: AdvisoryPatch): Promise<AdvisoryRow> {
  authorize(ctx.actor, A['advisories.write']);
  return inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('advisories').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw AdvisoryErrors.ADVISORY_NOT_FOUND();
    if (before.status !== 'draft') throw AdvisoryErrors.ADVISORY_NOT_DRAFT();
    const after = await tx
      .updateTable('advisories')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.tlp !== undefined ? { tlp: patch.tlp } : {}),
        ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
        ...(patch.products !== undefined ? { products: JSON.stringify(patch.products) } : {}),
        ...(patch.cveIds !== undefined ? { cve_ids: [...new Set(patch.cveIds)] } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.recommendedActions !== undefined ? { recommended_actions: patch.recommendedActions } : {}),
        ...(patch.indicators !== undefined ? { indicators: JSON.stringify(patch.indicators) } : {}),
        ...(patch.stixIndicatorIds !== undefined ? { stix_refs: await visibleIndicators(tx, patch.stixIndicatorIds) } : {}),
        ...(patch.stixFromObservables !== undefined ? { stix_from_observables: patch.stixFromObservables } : {}),
        ...(patch.validFrom !== undefined ? { valid_from: patch.validFrom } : {}),
        ...(patch.validUntil !== undefined ? { valid_until: patch.validUntil } : {}),
        ...(patch.audience !== undefined ? { audience: JSON.stringify(patch.audience) } : {}),
        updated_at: ctx.clock.now(),
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'advisories.update', entityType: 'advisory', entityId: id, before, after, details: { fields: Object.keys(patch) } });
    return { ...toRow(ctx, after, null), stixIndicators: await stixIndicatorsOf(tx, after) };
  });
}

/** The orgs an audience names, limited to the CERT's constituency; named orgs outside it are a field error. */
async function resolveAudience(tx: Tx, ctx: Ctx, audience: AdvisoryDb['audience']): Promise<string[]> {
  const served = await relatedOrgIds(tx, ctx.actor.orgId, 'serves');
  if (audience.kind === 'all') return served;
  if (audience.kind === 'sector') {
    if (!served.length) return [];
    const rows = await tx.selectFrom('orgs').select('id').where('id', 'in', served).where('sector', '=', audience.sector!).where('disabled_at', 'is', null).execute();
    return rows.map((r) => r.id);
  }
  const ids = audience.orgIds ?? [];
  const outside = ids.map((id, i) => ({ id, i })).filter((x) => !served.includes(x.id));
  if (outside.length) throw AdvisoryErrors.ADVISORY_NO_RECIPIENTS('Some named organisations are not served by your CERT', outside.map((x) => ({ path: `audience.orgIds[${x.i}]`, message: 'not in your constituency' })));
  return [...new Set(ids)];
}

/**
 * Publishes a draft: resolves the audience to recipient orgs, creates each
 * one's acknowledgement row, and notifies them in-app and by mail, all in
 * one transaction.
 */
export async function publishAdvisory(ctx: Ctx, deps: AdvisoryDeps, id: string): Promise<AdvisoryRow & { recipients: number }> {
  authorize(ctx.actor, A['advisories.write']);
  return inTx(ctx, async (tx) => {
    const adv = await tx.selectFrom('advisories').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!adv) throw AdvisoryErrors.ADVISORY_NOT_FOUND();
    if (adv.status !== 'draft') throw AdvisoryErrors.ADVISORY_NOT_DRAFT();
    const orgIds = await resolveAudience(tx, ctx, adv.audience);
    if (!orgIds.length) throw AdvisoryErrors.ADVISORY_NO_RECIPIENTS(undefined, [{ path: 'audience', message: 'no recipient' }]);
    const now = ctx.clock.now();
    await tx.insertInto('advisory_recipients').values(orgIds.map((o) => ({ org_id: o, advisory_id: adv.id, cert_org_id: ctx.actor.orgId, delivered_at: now, updated_at: now }))).execute();
    const stixRefs = await publishStixIndicators(tx, ctx, deps, adv, orgIds, now);
    const after = await tx.updateTable('advisories').set({ status: 'published', published_at: now, updated_at: now, stix_refs: stixRefs }).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    for (const o of orgIds) {
      await notifyOrg(tx, ctx, deps.mailer, { orgId: o, roles: ['org_admin', 'isms_manager'], kind: 'advisory.published', title: `${adv.ref} [TLP:${adv.tlp.toUpperCase()}] ${adv.severity}: ${adv.title}`, body: 'Acknowledge it and report whether you are affected.', link: `/advisories/${adv.id}`, email: true });
    }
    await audit(tx, ctx, { action: 'advisories.publish', entityType: 'advisory', entityId: id, before: adv, after, details: { recipients: orgIds.length } });
    return { ...toRow(ctx, after, null), stixIndicators: await stixIndicatorsOf(tx, after), recipients: orgIds.length };
  });
}

/** One advisory: the CERT's own, or one delivered to the acting org (with its answer). */
export async function getAdvisory(ctx: Ctx, id: string): Promise<AdvisoryRow> {
  authorize(ctx.actor, A['advisories.read']);
  return inTx(ctx, async (tx) => {
    const { adv, mine } = await load(tx, ctx, id);
    return { ...toRow(ctx, adv, mine), stixIndicators: await stixIndicatorsOf(tx, adv) };
  });
}

/** A CERT's advisories, or those delivered to the acting org: search, filters, pagination. */
export async function listAdvisories(ctx: Ctx, q: AdvisoryQuery): Promise<PagedResult<AdvisoryRow>> {
  authorize(ctx.actor, A['advisories.read']);
  return inTx(ctx, async (tx) => {
    const cert = ctx.actor.orgKind === 'cert';
    let base = tx.selectFrom('advisories as a').leftJoin('advisory_recipients as r', (j) => j.onRef('r.advisory_id', '=', 'a.id').onRef('r.cert_org_id', '=', 'a.org_id').on('r.org_id', '=', ctx.actor.orgId));
    base = cert ? base.where('a.org_id', '=', ctx.actor.orgId) : base.where('r.org_id', '=', ctx.actor.orgId);
    if (q.status) base = base.where('a.status', '=', q.status);
    if (q.severity) base = base.where('a.severity', '=', q.severity);
    if (q.cve) base = base.where((eb) => eb(eb.val(q.cve!.toUpperCase()), '=', eb.fn.any('a.cve_ids')));
    if (q.acknowledged !== undefined && !cert) base = base.where('r.acknowledged_at', q.acknowledged ? 'is not' : 'is', null);
    if (q.q) base = base.where((eb) => eb.or([eb('a.title', 'ilike', likePattern(q.q!)), eb('a.ref', 'ilike', likePattern(q.q!)), eb('a.description', 'ilike', likePattern(q.q!))]));
    const [rows, total] = await Promise.all([
      base.selectAll('a').select(['r.org_id as r_org_id']).orderBy('a.created_at', 'desc').orderBy('a.id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const mine = cert || !rows.length ? [] : await tx.selectFrom('advisory_recipients').selectAll().where('org_id', '=', ctx.actor.orgId).where('advisory_id', 'in', rows.map((r) => r.id)).execute();
    return { items: rows.map((r) => toRow(ctx, r, mine.find((m) => m.advisory_id === r.id) ?? null)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

/** A recipient acknowledges and reports applicability and remediation (with a date). */
export async function respond(ctx: Ctx, id: string, input: ResponseInput): Promise<AdvisoryRow> {
  authorize(ctx.actor, A['advisories.read']);
  return inTx(ctx, async (tx) => {
    const { adv, mine } = await load(tx, ctx, id);
    if (!mine) throw AdvisoryErrors.ADVISORY_NOT_FOUND();
    authorize(ctx.actor, A['advisories.respond']);
    const now = ctx.clock.now();
    const after = await tx
      .updateTable('advisory_recipients')
      .set({
        ...(input.acknowledge || input.applicability || input.remediationStatus ? { acknowledged_at: mine.acknowledged_at ?? now, acknowledged_by: mine.acknowledged_by ?? ctx.actor.userId } : {}),
        ...(input.applicability !== undefined ? { applicability: input.applicability } : {}),
        ...(input.remediationStatus !== undefined ? { remediation_status: input.remediationStatus } : {}),
        ...(input.remediationDate !== undefined ? { remediation_date: input.remediationDate } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
        updated_at: now,
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('advisory_id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'advisories.respond', entityType: 'advisory', entityId: id, before: mine, after, details: { ...input } });
    return toRow(ctx, adv, after);
  });
}

/** The CERT's per-org progress on one advisory. */
export async function progress(ctx: Ctx, id: string) {
  authorize(ctx.actor, A['advisories.read']);
  return inTx(ctx, async (tx) => {
    const adv = await tx.selectFrom('advisories').select(['id', 'org_id']).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!adv) throw AdvisoryErrors.ADVISORY_NOT_FOUND();
    authorize(ctx.actor, A['advisories.write']);
    const rows = await tx.selectFrom('advisory_recipients as r').innerJoin('orgs as o', 'o.id', 'r.org_id').selectAll('r').select('o.name').where('r.cert_org_id', '=', ctx.actor.orgId).where('r.advisory_id', '=', id).orderBy('o.name').execute();
    const items = rows.map((r) => recipientState(r, r.name));
    return {
      advisoryId: id,
      recipients: items.length,
      acknowledged: items.filter((i) => i.acknowledgedAt).length,
      affected: items.filter((i) => i.applicability === 'affected').length,
      notAffected: items.filter((i) => i.applicability === 'not_affected').length,
      remediated: items.filter((i) => i.remediationStatus === 'remediated').length,
      items,
    };
  });
}

/** The advisory as stored, for the PDF rendition (same visibility as getAdvisory). */
export async function advisoryForPdf(ctx: Ctx, id: string): Promise<AdvisoryRow & { certName: string }> {
  const row = await getAdvisory(ctx, id);
  const certName = await inTx(ctx, async (tx) => (await tx.selectFrom('orgs').select('name').where('id', '=', row.certOrgId).executeTakeFirstOrThrow()).name);
  return { ...row, certName };
}
