import { sql } from 'kysely';
import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { recordUpload, type FileStore, type StoredFile } from '../../core/files.js';
import { newId } from '../../core/ids.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import { DocumentErrors } from './errors.js';
import { DocumentActions as A } from './policy.js';
import * as repo from './repo.js';
import type { DocumentCreate, DocumentDetail, DocumentQuery, DocumentRow, DocumentUpdate, Transition, VersionFile, VersionRow } from './schema.js';

/** Adds whole months to a YYYY-MM-DD date, clamping to the month's last day (Jan 31 + 1 = Feb 28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

function toVersionFile(v: repo.VersionDbRow): VersionFile | null {
  if (!v.file_id || !v.file_sha256) return null;
  return { id: v.file_id, filename: v.file_name ?? 'file', size: Number(v.file_size), mediaType: v.file_media_type ?? 'application/octet-stream', sha256: v.file_sha256 };
}

function toVersionRow(v: repo.VersionDbRow): VersionRow {
  return {
    version: v.version,
    status: v.version_status,
    changeNote: v.change_note,
    author: { id: v.author_id, displayName: v.author_name },
    createdAt: v.version_created_at.toISOString(),
    submittedAt: v.submitted_at?.toISOString() ?? null,
    approvedBy: v.approved_by ? { id: v.approved_by, displayName: v.approver_name ?? '' } : null,
    approvedAt: v.approved_at?.toISOString() ?? null,
    decisionNote: v.decision_note,
    publishedAt: v.published_at?.toISOString() ?? null,
    file: toVersionFile(v),
  };
}

/** The workflow moves the actor may make on the latest version. */
function moves(ctx: Ctx, d: repo.DocumentDbRow): string[] {
  const out: string[] = [];
  const write = can(ctx.actor, A['documents.write']);
  const approve = can(ctx.actor, A['documents.approve']);
  const s = d.version_status;
  if (write && !d.retired_at) out.push('update');
  if (write && s === 'draft') out.push('edit', 'submit');
  if (approve && s === 'in_review' && d.author_id !== ctx.actor.userId) out.push('approve', 'reject');
  if (approve && s === 'approved') out.push('publish');
  if (write && (s === 'published' || s === 'retired') && !d.retired_at) out.push('new_version');
  if (approve && d.published_version !== null && !d.retired_at) out.push('retire');
  if (can(ctx.actor, A['documents.campaigns']) && d.published_version !== null && !d.retired_at) out.push('campaign');
  if (can(ctx.actor, A['documents.acknowledge']) && d.published_version !== null && !d.retired_at) out.push('acknowledge');
  return out;
}

export function toDocumentRow(ctx: Ctx, d: repo.DocumentDbRow): DocumentRow {
  const today = ctx.clock.now().toISOString().slice(0, 10);
  return {
    id: d.id,
    title: d.title,
    kind: d.kind,
    classification: d.classification,
    owner: { id: d.owner_id, displayName: d.owner_name },
    reviewCycleMonths: d.review_cycle_months,
    nextReviewOn: d.next_review_on,
    reviewOverdue: Boolean(d.next_review_on && d.next_review_on < today && !d.retired_at),
    status: d.retired_at ? 'retired' : d.published_version !== null ? 'published' : 'draft',
    publishedVersion: d.published_version,
    latest: toVersionRow(d),
    createdAt: d.created_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
    actions: moves(ctx, d),
  };
}

/** Readers without write rights see only documents that have a published version. */
function readerScope<Q extends ReturnType<typeof repo.selectDocuments>>(ctx: Ctx, q: Q): Q {
  return can(ctx.actor, A['documents.write']) ? q : (q.where('d.published_version', 'is not', null) as Q);
}

/** Policies and documents: search by title, filter by kind, classification, status, owner, review due; paginate. */
export async function listDocuments(ctx: Ctx, q: DocumentQuery): Promise<PagedResult<DocumentRow>> {
  authorize(ctx.actor, A['documents.read']);
  return inTx(ctx, async (tx) => {
    const today = ctx.clock.now().toISOString().slice(0, 10);
    const build = () => {
      let b = readerScope(ctx, repo.selectDocuments(tx).where('d.org_id', '=', ctx.actor.orgId));
      if (q.q) b = b.where('d.title', 'ilike', likePattern(q.q));
      if (q.kind) b = b.where('d.kind', '=', q.kind);
      if (q.classification) b = b.where('d.classification', '=', q.classification);
      if (q.ownerId) b = b.where('d.owner_id', '=', q.ownerId);
      if (q.versionStatus) b = b.where('v.status', '=', q.versionStatus);
      if (q.status === 'retired') b = b.where('d.retired_at', 'is not', null);
      if (q.status === 'published') b = b.where('d.retired_at', 'is', null).where('d.published_version', 'is not', null);
      if (q.status === 'draft') b = b.where('d.retired_at', 'is', null).where('d.published_version', 'is', null);
      if (q.reviewDue === 'true') b = b.where('d.retired_at', 'is', null).where(sql<boolean>`d.next_review_on <= ${today}::date`);
      return b;
    };
    const [rows, total] = await Promise.all([
      build().orderBy(`d.${q.sort}`, q.order).orderBy('d.id').limit(q.limit).offset(q.offset).execute(),
      build().clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toDocumentRow(ctx, r)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

export async function findDocumentOr404(tx: Tx, ctx: Ctx, id: string): Promise<repo.DocumentDbRow> {
  const d = await readerScope(ctx, repo.selectDocuments(tx).where('d.org_id', '=', ctx.actor.orgId).where('d.id', '=', id)).executeTakeFirst();
  if (!d) throw DocumentErrors.DOCUMENT_NOT_FOUND();
  return d;
}

/** One document with its versions and the text the actor should see. */
export async function getDocument(ctx: Ctx, id: string): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.read']);
  return inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, id);
    const editor = can(ctx.actor, A['documents.write']);
    const versions = await repo.selectVersions(tx).where('v.org_id', '=', ctx.actor.orgId).where('v.document_id', '=', id).orderBy('v.version', 'desc').execute();
    const shown = editor ? d.version : d.published_version;
    const content = shown === null
      ? null
      : await tx.selectFrom('document_versions').select(['version', 'status', 'content_md']).where('org_id', '=', ctx.actor.orgId).where('document_id', '=', id).where('version', '=', shown).executeTakeFirst();
    const ack = d.published_version === null || !ctx.actor.userId
      ? undefined
      : await tx.selectFrom('document_acks').select('user_id').where('org_id', '=', ctx.actor.orgId).where('document_id', '=', id).where('version', '=', d.published_version).where('user_id', '=', ctx.actor.userId).executeTakeFirst();
    const shownRow = versions.find((v) => v.version === shown);
    return {
      ...toDocumentRow(ctx, d),
      versions: (editor ? versions : versions.filter((v) => v.version === d.published_version)).map(toVersionRow),
      content: content ? { version: content.version, status: content.status, markdown: content.content_md, file: shownRow ? toVersionFile(shownRow) : null } : null,
      acknowledged: Boolean(ack),
    };
  });
}

/** A version the actor may read (editors: any; readers: the published one), or DOCUMENT_VERSION_NOT_FOUND. */
async function readableVersion(tx: Tx, ctx: Ctx, id: string, version: number): Promise<repo.VersionDbRow & { content_md: string }> {
  const d = await findDocumentOr404(tx, ctx, id);
  if (!can(ctx.actor, A['documents.write']) && version !== d.published_version) throw DocumentErrors.DOCUMENT_VERSION_NOT_FOUND();
  const v = await repo.selectVersions(tx).select('v.content_md').where('v.org_id', '=', ctx.actor.orgId).where('v.document_id', '=', id).where('v.version', '=', version).executeTakeFirst();
  if (!v) throw DocumentErrors.DOCUMENT_VERSION_NOT_FOUND();
  return v;
}

/** The text (or uploaded file) of one version (editors: any; readers: the published one). */
export async function getVersion(ctx: Ctx, id: string, version: number): Promise<{ version: number; status: string; markdown: string; file: VersionFile | null }> {
  authorize(ctx.actor, A['documents.read']);
  return inTx(ctx, async (tx) => {
    const v = await readableVersion(tx, ctx, id, version);
    return { version: v.version, status: v.version_status, markdown: v.content_md, file: toVersionFile(v) };
  });
}

/**
 * The uploaded file of a version, for download: found through the document
 * (so another org's document, or an unpublished version for a reader, is a
 * 404 like the document itself); DOCUMENT_VERSION_NOT_FOUND when the version
 * is markdown.
 */
export async function versionFile(ctx: Ctx, id: string, version: number): Promise<VersionFile> {
  authorize(ctx.actor, A['documents.read']);
  return inTx(ctx, async (tx) => {
    const file = toVersionFile(await readableVersion(tx, ctx, id, version));
    if (!file) throw DocumentErrors.DOCUMENT_VERSION_NOT_FOUND(`Version ${version} is markdown, not an uploaded file`);
    return file;
  });
}

async function uploadableDraft(tx: Tx, ctx: Ctx, id: string): Promise<repo.DocumentDbRow> {
  const d = await findDocumentOr404(tx, ctx, id);
  if (d.version_status !== 'draft') throw DocumentErrors.DOCUMENT_WRONG_STATE(`Version ${d.version} is ${d.version_status}; only a draft can be replaced by a file`);
  return d;
}

/** Checked before the upload is read, so a request for another org's document (or a non-draft) stores nothing. */
export async function assertDraftUploadable(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, A['documents.write']);
  await inTx(ctx, (tx) => uploadableDraft(tx, ctx, id));
}

/**
 * Makes the draft an uploaded file (PDF, DOCX, ...) instead of markdown: the
 * bytes are already in the content-addressed store; this records the upload
 * for the org (type sniffed from the content) and points the draft at it. The
 * uploader becomes the draft's author, so someone else must approve it.
 */
export async function uploadDraftFile(ctx: Ctx, files: FileStore, id: string, input: { stored: StoredFile; filename: string; changeNote?: string | undefined }): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.write']);
  await inTx(ctx, async (tx) => {
    const d = await uploadableDraft(tx, ctx, id);
    const now = ctx.clock.now();
    const file = await recordUpload(tx, files, { orgId: ctx.actor.orgId, stored: input.stored, filename: input.filename, uploadedBy: ctx.actor.userId, now });
    await tx
      .updateTable('document_versions')
      .set({ content_md: '', file_id: file.id, author_id: ctx.actor.userId!, ...(input.changeNote !== undefined ? { change_note: input.changeNote } : {}) })
      .where('org_id', '=', ctx.actor.orgId).where('document_id', '=', id).where('version', '=', d.version)
      .execute();
    await tx.updateTable('documents').set({ updated_at: now }).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, {
      action: 'documents.upload',
      entityType: 'document',
      entityId: id,
      before: { version: d.version, fileId: d.file_id },
      after: { version: d.version, fileId: file.id, sha256: file.sha256 },
      details: { version: d.version, filename: file.filename, size: file.size, mediaType: file.mediaType, sha256: file.sha256 },
    });
  });
  return getDocument(ctx, id);
}

async function assertMember(tx: Tx, ctx: Ctx, userId: string, path: string): Promise<void> {
  const m = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', ctx.actor.orgId).where('user_id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
  if (!m) throw invalid(path, 'not a member of this organisation');
}

/** Creates a document with version 1 as a draft written by the actor. */
export async function createDocument(ctx: Ctx, input: DocumentCreate): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.write']);
  const id = newId();
  await inTx(ctx, async (tx) => {
    await assertMember(tx, ctx, input.ownerId, 'body.ownerId');
    const now = ctx.clock.now();
    const doc = { org_id: ctx.actor.orgId, id, title: input.title, kind: input.kind, classification: input.classification, owner_id: input.ownerId, review_cycle_months: input.reviewCycleMonths, created_at: now, updated_at: now };
    await tx.insertInto('documents').values(doc).execute();
    await tx.insertInto('document_versions').values({ org_id: ctx.actor.orgId, document_id: id, version: 1, content_md: input.content, change_note: input.changeNote ?? 'First draft', status: 'draft', author_id: ctx.actor.userId!, created_at: now }).execute();
    await audit(tx, ctx, { action: 'documents.create', entityType: 'document', entityId: id, after: { ...doc, contentLength: input.content.length }, details: { title: input.title } });
  });
  return getDocument(ctx, id);
}

/** Changes a document's metadata (title, kind, classification, owner, review cycle). */
export async function updateDocument(ctx: Ctx, id: string, patch: DocumentUpdate): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.write']);
  await inTx(ctx, async (tx) => {
    const before = await findDocumentOr404(tx, ctx, id);
    if (patch.ownerId) await assertMember(tx, ctx, patch.ownerId, 'body.ownerId');
    const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
    const map: Record<string, string> = { title: 'title', kind: 'kind', classification: 'classification', ownerId: 'owner_id', reviewCycleMonths: 'review_cycle_months', nextReviewOn: 'next_review_on' };
    for (const [k, col] of Object.entries(map)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v !== undefined) set[col] = v;
    }
    await tx.updateTable('documents').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'documents.update', entityType: 'document', entityId: id, before, after: set, details: { fields: Object.keys(patch) } });
  });
  return getDocument(ctx, id);
}

/** Replaces the text of the draft; only a draft can be edited. The editor becomes its author. */
export async function editDraft(ctx: Ctx, id: string, input: { content: string; changeNote?: string | undefined }): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.write']);
  await inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, id);
    if (d.version_status !== 'draft') throw DocumentErrors.DOCUMENT_WRONG_STATE(`Version ${d.version} is ${d.version_status}; only a draft can be edited`);
    await tx
      .updateTable('document_versions')
      .set({ content_md: input.content, file_id: null, author_id: ctx.actor.userId!, ...(input.changeNote !== undefined ? { change_note: input.changeNote } : {}) })
      .where('org_id', '=', ctx.actor.orgId).where('document_id', '=', id).where('version', '=', d.version)
      .execute();
    await tx.updateTable('documents').set({ updated_at: ctx.clock.now() }).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    await audit(tx, ctx, { action: 'documents.edit', entityType: 'document', entityId: id, after: { version: d.version, content: input.content }, details: { version: d.version, length: input.content.length } });
  });
  return getDocument(ctx, id);
}

/** Starts the next version as a draft copied from the latest one. */
export async function newVersion(ctx: Ctx, id: string, changeNote?: string): Promise<DocumentDetail> {
  authorize(ctx.actor, A['documents.write']);
  await inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, id);
    if (d.retired_at) throw DocumentErrors.DOCUMENT_WRONG_STATE('The document is retired');
    if (d.version_status !== 'published' && d.version_status !== 'retired') throw DocumentErrors.DOCUMENT_WRONG_STATE(`Version ${d.version} is still ${d.version_status}; finish it first`);
    const prev = await tx.selectFrom('document_versions').select(['content_md', 'file_id']).where('org_id', '=', ctx.actor.orgId).where('document_id', '=', id).where('version', '=', d.version).executeTakeFirstOrThrow();
    const version = d.version + 1;
    await tx.insertInto('document_versions').values({ org_id: ctx.actor.orgId, document_id: id, version, content_md: prev.content_md, file_id: prev.file_id, change_note: changeNote ?? '', status: 'draft', author_id: ctx.actor.userId!, created_at: ctx.clock.now() }).execute();
    await audit(tx, ctx, { action: 'documents.new_version', entityType: 'document', entityId: id, details: { version } });
  });
  return getDocument(ctx, id);
}

const FROM: Record<Transition, readonly string[]> = {
  submit: ['draft'],
  approve: ['in_review'],
  reject: ['in_review'],
  publish: ['approved'],
  retire: ['published'],
};

/**
 * Moves the latest version through draft -> in_review -> approved ->
 * published (-> retired). Approval is a sign-off by an approver who is not
 * the version's author (also enforced by a CHECK in the table); rejection
 * sends it back to draft with the note. Publishing retires the previously
 * published version and sets the next review date from the review cycle.
 */
export async function transition(ctx: Ctx, id: string, action: Transition, note?: string): Promise<DocumentDetail> {
  authorize(ctx.actor, action === 'submit' ? A['documents.write'] : A['documents.approve']);
  await inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, id);
    const now = ctx.clock.now();
    const org = ctx.actor.orgId;
    const v = action === 'retire' ? d.published_version : d.version;
    const state = action === 'retire' ? (d.published_version !== null && !d.retired_at ? 'published' : 'none') : d.version_status;
    if (v === null || !FROM[action].includes(state)) throw DocumentErrors.DOCUMENT_WRONG_STATE(`Cannot ${action} version ${d.version}: it is ${d.version_status}`);
    if ((action === 'approve' || action === 'reject') && d.author_id === ctx.actor.userId) throw DocumentErrors.DOCUMENT_SELF_APPROVAL();
    const ver = tx.updateTable('document_versions').where('org_id', '=', org).where('document_id', '=', id).where('version', '=', v);
    switch (action) {
      case 'submit':
        await ver.set({ status: 'in_review', submitted_at: now }).execute();
        break;
      case 'approve':
        await ver.set({ status: 'approved', approved_by: ctx.actor.userId, approved_at: now, decision_note: note ?? '' }).execute();
        break;
      case 'reject':
        await ver.set({ status: 'draft', submitted_at: null, decision_note: note ?? '' }).execute();
        break;
      case 'publish': {
        if (d.published_version !== null) {
          await tx.updateTable('document_versions').set({ status: 'retired', retired_at: now }).where('org_id', '=', org).where('document_id', '=', id).where('version', '=', d.published_version).execute();
        }
        await ver.set({ status: 'published', published_at: now, published_by: ctx.actor.userId }).execute();
        const nextReview = addMonths(now.toISOString().slice(0, 10), d.review_cycle_months);
        await tx.updateTable('documents').set({ published_version: v, next_review_on: nextReview, updated_at: now }).where('org_id', '=', org).where('id', '=', id).execute();
        break;
      }
      case 'retire':
        await ver.set({ status: 'retired', retired_at: now }).execute();
        await tx.updateTable('documents').set({ retired_at: now, updated_at: now }).where('org_id', '=', org).where('id', '=', id).execute();
        await tx.updateTable('document_campaigns').set({ closed_at: now }).where('org_id', '=', org).where('document_id', '=', id).where('closed_at', 'is', null).execute();
        break;
    }
    if (action !== 'publish' && action !== 'retire') await tx.updateTable('documents').set({ updated_at: now }).where('org_id', '=', org).where('id', '=', id).execute();
    await audit(tx, ctx, { action: `documents.${action}`, entityType: 'document', entityId: id, before: { version: v, status: state }, details: { version: v, from: state, note: note ?? '' } });
  });
  return getDocument(ctx, id);
}
