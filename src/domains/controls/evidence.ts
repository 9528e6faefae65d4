import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { ControlErrors } from './errors.js';
import { recordUpload, type FileRecord, type FileStore, type StoredFile } from '../../core/files.js';
import { ControlActions as A } from './policy.js';
import * as repo from './repo.js';
import type { EvidenceFileInput, EvidenceLink, EvidenceQuery, EvidenceRow, EvidenceUpdate } from './schema.js';

const day = (ctx: Ctx) => ctx.clock.now().toISOString().slice(0, 10);

export function toEvidenceRow(ctx: Ctx, e: repo.EvidenceDbRow): EvidenceRow {
  const actions: string[] = [];
  if (can(ctx.actor, A['controls.evidence'])) actions.push('update', 'delete');
  if (can(ctx.actor, A['controls.review']) && e.controls.some((c) => c.owner_id === ctx.actor.userId)) actions.push('review');
  return {
    id: e.id,
    ref: e.ref,
    title: e.title,
    description: e.description,
    kind: e.kind,
    file: e.kind === 'file' ? { sha256: e.file_sha256 ?? '', name: e.file_name ?? '', mediaType: e.media_type ?? 'application/octet-stream', size: Number(e.size_bytes ?? 0) } : null,
    url: e.url,
    validFrom: e.valid_from,
    validUntil: e.valid_until,
    state: e.state,
    review: e.reviewed_at && e.review_outcome ? { outcome: e.review_outcome, note: e.review_note, by: { id: e.reviewed_by ?? '', displayName: e.reviewer_name ?? '' }, at: e.reviewed_at.toISOString() } : null,
    controls: e.controls.map((c) => ({ id: c.id, ref: c.ref, name: c.name })),
    createdBy: e.created_by ? { id: e.created_by, displayName: e.creator_name ?? '' } : null,
    createdAt: e.created_at.toISOString(),
    actions,
  };
}

/** Evidence: search, filter by control, state (valid, expired, expiring, unreviewed...), kind; paginate. */
export async function listEvidence(ctx: Ctx, q: EvidenceQuery): Promise<PagedResult<EvidenceRow>> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => {
    const d = day(ctx);
    const build = () => repo.filterEvidence(repo.selectEvidence(tx, d), ctx.actor.orgId, q, d);
    const [rows, total] = await Promise.all([
      build().orderBy(`e.${q.sort}`, q.order).orderBy('e.ref').limit(q.limit).offset(q.offset).execute(),
      build().clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toEvidenceRow(ctx, r)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

async function findEvidenceOr404(tx: Tx, ctx: Ctx, id: string): Promise<repo.EvidenceDbRow> {
  const e = await repo.selectEvidence(tx, day(ctx)).where('e.org_id', '=', ctx.actor.orgId).where('e.id', '=', id).executeTakeFirst();
  if (!e) throw ControlErrors.EVIDENCE_NOT_FOUND();
  return e;
}

export async function getEvidence(ctx: Ctx, id: string): Promise<EvidenceRow> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => toEvidenceRow(ctx, await findEvidenceOr404(tx, ctx, id)));
}

async function assertControls(tx: Tx, ctx: Ctx, ids: readonly string[], path: string): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = new Set((await tx.selectFrom('applied_controls').select('id').where('org_id', '=', ctx.actor.orgId).where('id', 'in', unique).execute()).map((r) => r.id));
  const i = ids.findIndex((id) => !found.has(id));
  if (i >= 0) throw invalid(`${path}.${i}`, 'no such applied control in this organisation');
  return unique;
}

function checkPeriod(from: string, until: string | null | undefined, path: string): void {
  if (until && until < from) throw invalid(`${path}.validUntil`, `must not be before validFrom (${from})`);
}

/** An uploaded evidence file: already in the content-addressed store, recorded here for the org. */
export interface EvidenceFile {
  store: FileStore;
  stored: StoredFile;
  filename: string;
}

/**
 * Inserts evidence inside the caller's transaction: a link, or a file already
 * put in the store (recorded in `files` with its sniffed type in the same
 * transaction, so the upload record, the evidence and the audit commit together).
 */
export async function insertEvidence(tx: Tx, ctx: Ctx, input: (EvidenceLink | (EvidenceFileInput & { kind: 'file' })) & { file?: EvidenceFile }, path = 'body'): Promise<string> {
  const controlIds = await assertControls(tx, ctx, input.controlIds, `${path}.controlIds`);
  const validFrom = input.validFrom ?? day(ctx);
  checkPeriod(validFrom, input.validUntil, path);
  const id = newId();
  const now = ctx.clock.now();
  let file: FileRecord | null = null;
  if (input.kind === 'file') {
    if (!input.file) throw invalid(`${path}.file`, 'required');
    file = await recordUpload(tx, input.file.store, { orgId: ctx.actor.orgId, stored: input.file.stored, filename: input.file.filename, uploadedBy: ctx.actor.userId, now });
  }
  const values = {
    org_id: ctx.actor.orgId,
    id,
    ref: await repo.nextRef(tx, ctx.actor.orgId, 'evidence', 'E'),
    title: input.title,
    description: input.description ?? '',
    kind: input.kind,
    file_id: file?.id ?? null,
    file_sha256: file?.sha256 ?? null,
    file_name: file?.filename ?? null,
    media_type: file?.mediaType ?? null,
    size_bytes: file?.size ?? null,
    url: input.kind === 'link' ? input.url : null,
    valid_from: validFrom,
    valid_until: input.validUntil ?? null,
    created_by: ctx.actor.userId,
    created_at: now,
    updated_at: now,
  };
  await tx.insertInto('evidence').values(values).execute();
  await tx.insertInto('evidence_controls').values(controlIds.map((c) => ({ org_id: ctx.actor.orgId, evidence_id: id, control_id: c }))).execute();
  await audit(tx, ctx, { action: 'controls.evidence_create', entityType: 'evidence', entityId: id, after: { ...values, controlIds }, details: { ref: values.ref, kind: values.kind, sha256: values.file_sha256 } });
  return id;
}

/** Adds link evidence for one or more applied controls. */
export async function createLinkEvidence(ctx: Ctx, input: EvidenceLink): Promise<EvidenceRow> {
  authorize(ctx.actor, A['controls.evidence']);
  const id = await inTx(ctx, (tx) => insertEvidence(tx, ctx, input));
  return getEvidence(ctx, id);
}

/** Adds an uploaded file (already streamed into the store) as evidence for one or more applied controls. */
export async function createFileEvidence(ctx: Ctx, input: EvidenceFileInput, file: EvidenceFile): Promise<EvidenceRow> {
  authorize(ctx.actor, A['controls.evidence']);
  const id = await inTx(ctx, (tx) => insertEvidence(tx, ctx, { ...input, kind: 'file', file }));
  return getEvidence(ctx, id);
}

/** Changes title, period or linked controls. A changed period clears an earlier review (it reviewed other facts). */
export async function updateEvidence(ctx: Ctx, id: string, patch: EvidenceUpdate): Promise<EvidenceRow> {
  authorize(ctx.actor, A['controls.evidence']);
  await inTx(ctx, async (tx) => {
    const before = await findEvidenceOr404(tx, ctx, id);
    const controlIds = patch.controlIds ? await assertControls(tx, ctx, patch.controlIds, 'body.controlIds') : undefined;
    const from = patch.validFrom ?? before.valid_from;
    const until = patch.validUntil !== undefined ? patch.validUntil : before.valid_until;
    checkPeriod(from, until, 'body');
    const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.validFrom !== undefined) set.valid_from = patch.validFrom;
    if (patch.validUntil !== undefined) set.valid_until = patch.validUntil;
    await tx.updateTable('evidence').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    if (controlIds) {
      await tx.deleteFrom('evidence_controls').where('org_id', '=', ctx.actor.orgId).where('evidence_id', '=', id).execute();
      await tx.insertInto('evidence_controls').values(controlIds.map((c) => ({ org_id: ctx.actor.orgId, evidence_id: id, control_id: c }))).execute();
    }
    await audit(tx, ctx, { action: 'controls.evidence_update', entityType: 'evidence', entityId: id, before, after: { ...set, controlIds }, details: { ref: before.ref, fields: Object.keys(patch) } });
  });
  return getEvidence(ctx, id);
}

export async function deleteEvidence(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, A['controls.evidence']);
  await inTx(ctx, async (tx) => {
    const before = await findEvidenceOr404(tx, ctx, id);
    await tx.deleteFrom('evidence').where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'controls.evidence_delete', entityType: 'evidence', entityId: id, before, details: { ref: before.ref } });
  });
}

/**
 * Records the review of evidence by the owner of a control it supports
 * (whatever their role otherwise): accepted or rejected, with a note.
 * Rejected evidence no longer counts as valid.
 */
export async function reviewEvidence(ctx: Ctx, id: string, input: { outcome: 'accepted' | 'rejected'; note?: string }): Promise<EvidenceRow> {
  authorize(ctx.actor, A['controls.review']);
  await inTx(ctx, async (tx) => {
    const e = await findEvidenceOr404(tx, ctx, id);
    if (!e.controls.some((c) => c.owner_id === ctx.actor.userId)) {
      const owners = e.controls.map((c) => c.ref).join(', ');
      throw ControlErrors.EVIDENCE_REVIEW_NOT_OWNER(`Only the owner of ${owners || 'a linked control'} may review ${e.ref}`);
    }
    const set = { review_outcome: input.outcome, review_note: input.note ?? '', reviewed_by: ctx.actor.userId, reviewed_at: ctx.clock.now(), updated_at: ctx.clock.now() };
    await tx.updateTable('evidence').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'controls.evidence_review', entityType: 'evidence', entityId: id, after: set, details: { ref: e.ref, outcome: input.outcome } });
  });
  return getEvidence(ctx, id);
}

/** What serving a file evidence needs (after the tenant check: another org's id is EVIDENCE_NOT_FOUND). */
export async function evidenceFile(ctx: Ctx, id: string): Promise<{ sha256: string; size: number; mediaType: string; filename: string }> {
  authorize(ctx.actor, A['controls.read']);
  return inTx(ctx, async (tx) => {
    const e = await findEvidenceOr404(tx, ctx, id);
    if (e.kind !== 'file' || !e.file_sha256) throw ControlErrors.EVIDENCE_NOT_FOUND(`${e.ref} is a link, not a stored file`);
    return { sha256: e.file_sha256, size: Number(e.size_bytes ?? 0), mediaType: e.media_type ?? 'application/octet-stream', filename: e.file_name ?? `${e.ref}.bin` };
  });
}
