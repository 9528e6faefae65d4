import { sql } from 'kysely';
import { allowedActions, authorize, can } from '../../core/access/index.js';
import { audit, digest } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import type { ImplementationStatus } from '../controls/schema.js';
import { ISO_27001, loadFramework, requirementCoverage, requirementEvidence, type CatalogFramework, type CoverageRow } from '../controls/service.js';
import { RiskActions } from '../risks/policy.js';
import { assertMember, riskLinksByControl } from '../risks/service.js';
import { SoaErrors } from './errors.js';
import { SoaActions as A } from './policy.js';
import * as repo from './repo.js';
import type { Comparison, SnapshotRow, SoaEntryInput, SoaQuery, SoaRow, SoaSummary, VersionDetail, VersionRow } from './schema.js';

/**
 * The status a set of contributors gives a requirement: nothing mapped or
 * nothing started -> not_started; everything implemented -> implemented;
 * anything in between -> partial.
 */
export function combineStatus(n: number, implemented: number, partial: number): ImplementationStatus {
  if (n === 0 || (implemented === 0 && partial === 0)) return 'not_started';
  if (implemented === n) return 'implemented';
  return 'partial';
}

export function derivedStatus(c: CoverageRow | undefined): ImplementationStatus {
  return c ? combineStatus(c.controls, c.implemented, c.partial) : 'not_started';
}

export interface SoaState {
  framework: CatalogFramework;
  rows: SoaRow[];
}

/**
 * The SoA as it stands: every requirement of the framework's catalog, the
 * org's decision on it (if any), its status (set by hand, or derived from the
 * applied controls mapped to it), owner, evidence tallies and the risks whose
 * treatment names it. A handful of queries whatever the org's size.
 */
export async function buildSoa(tx: Tx, ctx: Ctx, key: string): Promise<SoaState> {
  const framework = await loadFramework(tx, key);
  const [entries, coverage, risks] = await Promise.all([
    repo.selectEntries(tx, ctx.actor.orgId, key).execute(),
    requirementCoverage(tx, ctx, [key]),
    can(ctx.actor, RiskActions['risks.read']) ? riskLinksByControl(tx, ctx) : Promise.resolve(new Map()),
  ]);
  const byRef = new Map(entries.map((e) => [e.ref, e]));
  const cov = new Map(coverage.map((c) => [c.ref, c]));
  const rows = framework.requirements.map((r): SoaRow => {
    const e = byRef.get(r.ref);
    const c = cov.get(r.ref);
    const derived = derivedStatus(c);
    const status = e?.status_override ?? derived;
    const applicable = e ? e.applicable : null;
    const evidence = { total: c?.evidence_total ?? 0, valid: c?.evidence_valid ?? 0, expired: c?.evidence_expired ?? 0 };
    const gaps: SoaRow['gaps'] = [];
    if (!e) gaps.push('undecided');
    if (applicable !== false) {
      if (status === 'not_started') gaps.push('not_implemented');
      if (status === 'partial') gaps.push('partial');
      if (evidence.valid === 0) gaps.push('no_evidence');
      if (evidence.expired > 0) gaps.push('expired_evidence');
    }
    const ownerIdx = c?.owner_ids.findIndex((o) => o !== null) ?? -1;
    return {
      framework: key,
      ref: r.ref,
      title: r.title,
      group: r.groups.at(-1) ?? null,
      attributes: r.attributes,
      applicable,
      justification: e?.justification ?? '',
      status,
      statusSource: e?.status_override ? 'manual' : 'derived',
      derivedStatus: derived,
      owner: e?.owner_id ? { id: e.owner_id, displayName: e.owner_name ?? '' } : ownerIdx >= 0 ? { id: c!.owner_ids[ownerIdx]!, displayName: '' } : null,
      controls: (c?.control_refs ?? []).map((ref) => ({ ref })),
      evidence,
      risks: risks.get(r.ref) ?? [],
      gaps,
      updatedAt: e?.updated_at.toISOString() ?? null,
      updatedBy: e?.updated_by ? { id: e.updated_by, displayName: e.editor_name ?? '' } : null,
    };
  });
  await fillOwnerNames(tx, rows);
  return { framework, rows };
}

/** Derived owners (from the first mapped control) carry only an id: name them in one query. */
async function fillOwnerNames(tx: Tx, rows: SoaRow[]): Promise<void> {
  const ids = [...new Set(rows.filter((r) => r.owner && !r.owner.displayName).map((r) => r.owner!.id))];
  if (ids.length === 0) return;
  const names = new Map((await tx.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute()).map((u) => [u.id, u.display_name]));
  for (const r of rows) if (r.owner && !r.owner.displayName) r.owner = { id: r.owner.id, displayName: names.get(r.owner.id) ?? '' };
}

function summarise(ctx: Ctx, s: SoaState, latest: repo.VersionDbRow | undefined, changed: boolean): SoaSummary {
  const applicable = s.rows.filter((r) => r.applicable !== false);
  return {
    framework: s.framework.key,
    frameworkName: s.framework.name,
    total: s.rows.length,
    decided: s.rows.filter((r) => r.applicable !== null).length,
    applicable: applicable.length,
    excluded: s.rows.filter((r) => r.applicable === false).length,
    implemented: applicable.filter((r) => r.status === 'implemented').length,
    partial: applicable.filter((r) => r.status === 'partial').length,
    notStarted: applicable.filter((r) => r.status === 'not_started').length,
    latestVersion: latest ? { version: latest.version, approvedAt: latest.approved_at.toISOString(), approvedBy: { id: latest.approved_by, displayName: latest.approver_name } } : null,
    changedSinceApproval: changed,
    actions: allowedActions(ctx.actor, [A['soa.edit'], A['soa.approve']]).map((a) => a.slice(4)),
  };
}

function matches(r: SoaRow, q: Partial<SoaQuery>): boolean {
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (![r.ref, r.title, r.justification, r.owner?.displayName ?? '', ...r.controls.map((c) => c.ref)].some((s) => s.toLowerCase().includes(needle))) return false;
  }
  if (q.applicable === 'yes' && r.applicable !== true) return false;
  if (q.applicable === 'no' && r.applicable !== false) return false;
  if (q.applicable === 'undecided' && r.applicable !== null) return false;
  if (q.status && (r.status !== q.status || r.applicable === false)) return false;
  if (q.group && r.group?.ref !== q.group && !r.ref.startsWith(`${q.group}.`)) return false;
  if (q.ownerId && r.owner?.id !== q.ownerId) return false;
  if (q.attribute) {
    const [type, value] = q.attribute.split(':') as [string, string];
    if (!(r.attributes[type] ?? []).includes(value)) return false;
  }
  if (q.gaps === 'true' && (r.applicable === false || r.gaps.length === 0)) return false;
  if (q.gaps === 'false' && r.gaps.length > 0) return false;
  return true;
}

/**
 * Whether the SoA differs from an approved snapshot, without re-reading the
 * evidence titles: decisions, status, owner, mapped controls, risks and the
 * number of evidence items per control (the compare view lists exact changes).
 */
function changedSince(s: SoaState, rows: SnapshotRow[]): boolean {
  const old = new Map(rows.map((r) => [r.ref, r]));
  return s.rows.some((r) => {
    const o = old.get(r.ref);
    return (
      !o ||
      o.applicable !== r.applicable ||
      o.justification !== r.justification ||
      o.status !== r.status ||
      o.owner !== (r.owner?.displayName ?? null) ||
      o.controls.join() !== r.controls.map((c) => c.ref).join() ||
      o.risks.join() !== [...new Set(r.risks.map((k) => k.riskRef))].join() ||
      o.evidence.length !== r.evidence.total
    );
  });
}

/** The SoA table: every control with search, filters and pagination, and a summary with the latest approval. */
export async function listSoa(ctx: Ctx, q: SoaQuery) {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const s = await buildSoa(tx, ctx, q.framework);
    const latest = await repo.selectVersions(tx, ctx.actor.orgId, q.framework).orderBy('v.version', 'desc').limit(1).executeTakeFirst();
    const changed = latest ? changedSince(s, latest.rows) : true;
    const hits = s.rows.filter((r) => matches(r, q));
    return { items: hits.slice(q.offset, q.offset + q.limit), total: hits.length, limit: q.limit, offset: q.offset, summary: summarise(ctx, s, latest, changed) };
  });
}

/** One SoA entry. */
export async function getSoaEntry(ctx: Ctx, framework: string, ref: string): Promise<SoaRow> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const s = await buildSoa(tx, ctx, framework);
    const row = s.rows.find((r) => r.ref === ref);
    if (!row) throw SoaErrors.SOA_REQUIREMENT_NOT_FOUND(`${ref} is not a requirement of ${s.framework.name}`);
    return row;
  });
}

async function upsertEntry(tx: Tx, ctx: Ctx, framework: string, ref: string, input: { applicable: boolean; justification: string; status?: SoaEntryInput['status']; ownerId?: string | null }, keepStatusAndOwner: boolean) {
  const before = await tx.selectFrom('soa_entries').selectAll().where('org_id', '=', ctx.actor.orgId).where('framework_key', '=', framework).where('ref', '=', ref).executeTakeFirst();
  const values = {
    org_id: ctx.actor.orgId,
    framework_key: framework,
    ref,
    applicable: input.applicable,
    justification: input.justification,
    status_override: keepStatusAndOwner ? (before?.status_override ?? null) : input.status && input.status !== 'derived' ? input.status : null,
    owner_id: keepStatusAndOwner || input.ownerId === undefined ? (before?.owner_id ?? null) : input.ownerId,
    updated_by: ctx.actor.userId,
    updated_at: ctx.clock.now(),
  };
  await tx
    .insertInto('soa_entries')
    .values(values)
    .onConflict((oc) => oc.columns(['org_id', 'framework_key', 'ref']).doUpdateSet({ applicable: values.applicable, justification: values.justification, status_override: values.status_override, owner_id: values.owner_id, updated_by: values.updated_by, updated_at: values.updated_at }))
    .execute();
  return { before, after: values };
}

/**
 * Records the decision on one control: applicable or not, the justification
 * (required either way), status (derived from the applied controls, or set by
 * hand) and owner.
 */
export async function updateSoaEntry(ctx: Ctx, framework: string, ref: string, input: SoaEntryInput): Promise<SoaRow> {
  authorize(ctx.actor, A['soa.edit']);
  await inTx(ctx, async (tx) => {
    const fw = await loadFramework(tx, framework);
    if (!fw.requirements.some((r) => r.ref === ref)) throw SoaErrors.SOA_REQUIREMENT_NOT_FOUND(`${ref} is not a requirement of ${fw.name}`);
    if (input.ownerId) await assertMember(tx, ctx, input.ownerId, 'body.ownerId');
    const { before, after } = await upsertEntry(tx, ctx, framework, ref, input, false);
    await audit(tx, ctx, { action: 'soa.update', entityType: 'soa_entry', entityId: null, before, after, details: { framework, ref, applicable: input.applicable, status: input.status } });
  });
  return getSoaEntry(ctx, framework, ref);
}

/** The same decision and justification for many controls at once (status and owner are kept). All or nothing. */
export async function bulkUpdateSoa(ctx: Ctx, input: { framework: string; refs: string[]; applicable: boolean; justification: string }): Promise<{ updated: number }> {
  authorize(ctx.actor, A['soa.edit']);
  return inTx(ctx, async (tx) => {
    const fw = await loadFramework(tx, input.framework, 'body.framework');
    const known = new Set(fw.requirements.map((r) => r.ref));
    const bad = input.refs.findIndex((r) => !known.has(r));
    if (bad >= 0) throw invalid(`body.refs.${bad}`, `"${input.refs[bad]}" is not a requirement of ${fw.name}`);
    const refs = [...new Set(input.refs)];
    for (const ref of refs) await upsertEntry(tx, ctx, input.framework, ref, input, true);
    await audit(tx, ctx, { action: 'soa.bulk_update', entityType: 'soa_entry', entityId: null, after: input, details: { framework: input.framework, count: refs.length, applicable: input.applicable } });
    return { updated: refs.length };
  });
}

/** The frozen form of the SoA: what an approved version keeps (names and references, not ids). */
export async function snapshotRows(tx: Tx, ctx: Ctx, s: SoaState): Promise<SnapshotRow[]> {
  const evidence = await requirementEvidence(tx, ctx, s.framework.key);
  return s.rows.map((r) => ({
    ref: r.ref,
    title: r.title,
    applicable: r.applicable,
    justification: r.justification,
    status: r.status,
    owner: r.owner?.displayName ?? null,
    controls: r.controls.map((c) => c.ref),
    evidence: (evidence.get(r.ref) ?? []).map((e) => `${e.ref} ${e.title}`),
    risks: [...new Set(r.risks.map((k) => k.riskRef))],
  }));
}

function countsOf(rows: SnapshotRow[]): VersionRow['counts'] {
  const applicable = rows.filter((r) => r.applicable !== false);
  return { total: rows.length, applicable: applicable.length, implemented: applicable.filter((r) => r.status === 'implemented').length };
}

function toVersion(v: repo.VersionDbRow): VersionDetail {
  return {
    framework: v.framework_key,
    version: v.version,
    approvedBy: { id: v.approved_by, displayName: v.approver_name },
    approvedAt: v.approved_at.toISOString(),
    note: v.note,
    digest: v.digest,
    counts: countsOf(v.rows),
    rows: v.rows,
  };
}

/**
 * Approves the SoA as it stands: an immutable snapshot with approver and
 * time. Refused while any control has no decision (the error lists them).
 */
export async function approveSoa(ctx: Ctx, input: { framework: string; note?: string }): Promise<VersionRow> {
  authorize(ctx.actor, A['soa.approve']);
  return inTx(ctx, async (tx) => {
    const s = await buildSoa(tx, ctx, input.framework);
    const undecided = s.rows.filter((r) => r.applicable === null).map((r) => r.ref);
    if (undecided.length) {
      throw SoaErrors.SOA_INCOMPLETE(
        `${undecided.length} control(s) have no applicability decision and justification: ${undecided.slice(0, 10).join(', ')}${undecided.length > 10 ? ', ...' : ''}`,
        undecided.map((ref) => ({ path: ref, message: 'no decision' })),
      );
    }
    const rows = await snapshotRows(tx, ctx, s);
    // Versions are numbered per org and framework; the lock makes two approvals at once queue.
    await sql`select pg_advisory_xact_lock(hashtext(${`soa:${ctx.actor.orgId}:${input.framework}`}))`.execute(tx);
    const last = await tx.selectFrom('soa_versions').select((eb) => eb.fn.max('version').as('v')).where('org_id', '=', ctx.actor.orgId).where('framework_key', '=', input.framework).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const values = { org_id: ctx.actor.orgId, framework_key: input.framework, version, approved_by: ctx.actor.userId!, approved_at: ctx.clock.now(), note: input.note ?? '', digest: digest(rows)!, rows: JSON.stringify(rows) };
    await tx.insertInto('soa_versions').values(values).execute();
    await audit(tx, ctx, { action: 'soa.approve', entityType: 'soa_version', entityId: null, after: { ...values, rows: undefined }, details: { framework: input.framework, version, digest: values.digest } });
    const v = await repo.selectVersions(tx, ctx.actor.orgId, input.framework).where('v.version', '=', version).executeTakeFirstOrThrow();
    const { rows: _rows, ...row } = toVersion(v);
    return row;
  });
}

/** Approved versions, newest first. */
export async function listVersions(ctx: Ctx, framework: string): Promise<VersionRow[]> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const all = await repo.selectVersions(tx, ctx.actor.orgId, framework).orderBy('v.version', 'desc').execute();
    return all.map((v) => {
      const { rows: _rows, ...row } = toVersion(v);
      return row;
    });
  });
}

export async function findVersionOr404(tx: Tx, ctx: Ctx, framework: string, version: number): Promise<VersionDetail> {
  const v = await repo.selectVersions(tx, ctx.actor.orgId, framework).where('v.version', '=', version).executeTakeFirst();
  if (!v) throw SoaErrors.SOA_VERSION_NOT_FOUND(`Version ${version} of the SoA does not exist`);
  return toVersion(v);
}

export async function getVersion(ctx: Ctx, framework: string, version: number): Promise<VersionDetail> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, (tx) => findVersionOr404(tx, ctx, framework, version));
}

const COMPARED: Array<keyof SnapshotRow> = ['applicable', 'justification', 'status', 'owner', 'controls', 'evidence', 'risks'];

/** What changed per control between two approved versions, or a version and the SoA as it stands. */
export async function compareVersions(ctx: Ctx, framework: string, from: number, to: number | 'current'): Promise<Comparison> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const a = (await findVersionOr404(tx, ctx, framework, from)).rows;
    const b = to === 'current' ? await snapshotRows(tx, ctx, await buildSoa(tx, ctx, framework)) : (await findVersionOr404(tx, ctx, framework, to)).rows;
    const old = new Map(a.map((r) => [r.ref, r]));
    const changed: Comparison['changed'] = [];
    for (const r of b) {
      const o = old.get(r.ref);
      const changes = COMPARED.filter((f) => JSON.stringify(o?.[f] ?? null) !== JSON.stringify(r[f])).map((f) => ({ field: f, from: o?.[f] ?? null, to: r[f] }));
      if (changes.length) changed.push({ ref: r.ref, title: r.title, changes });
    }
    return { framework, from, to, changed, unchanged: b.length - changed.length };
  });
}

/** The SoA rows to export: an approved version, or the current SoA frozen the same way. */
export async function exportRows(ctx: Ctx, framework: string, version?: number): Promise<{ frameworkName: string; rows: SnapshotRow[]; version: VersionRow | null; groups: Map<string, string> }> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const fw = await loadFramework(tx, framework);
    const groups = new Map(fw.requirements.map((r) => [r.ref, r.groups.at(-1)?.title ?? '']));
    if (version) {
      const { rows, ...v } = await findVersionOr404(tx, ctx, framework, version);
      return { frameworkName: fw.name, rows, version: v, groups };
    }
    const rows = await snapshotRows(tx, ctx, await buildSoa(tx, ctx, framework));
    return { frameworkName: fw.name, rows, version: null, groups };
  });
}

export { ISO_27001 };
