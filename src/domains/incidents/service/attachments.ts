import { sql, type Selectable } from 'kysely';
import { audit } from '../../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../../core/context.js';
import { recordUpload, type FileStore, type StoredFile } from '../../../core/files.js';
import { newId } from '../../../core/ids.js';
import { IncidentErrors } from '../errors.js';
import { IncidentActions as A } from '../policy.js';
import type { AttachmentRow, StageAttachment } from '../schema.js';
import type { IncidentAttachmentsTable } from '../tables.js';
import { loadIncident, type IncidentDb } from './access.js';

function toRow(r: Pick<Selectable<IncidentAttachmentsTable>, 'id' | 'sha256' | 'size' | 'media_type' | 'filename' | 'description' | 'created_at' | 'removed_at'>): AttachmentRow {
  return { id: r.id, sha256: r.sha256, size: Number(r.size), mediaType: r.media_type, filename: r.filename, description: r.description, createdAt: r.created_at.toISOString(), removedAt: r.removed_at?.toISOString() ?? null };
}

/** What a stage snapshot records of each attachment: enough to identify the bytes for good. */
export function toStageAttachment(a: AttachmentRow): StageAttachment {
  return { id: a.id, sha256: a.sha256, size: a.size, mediaType: a.mediaType, filename: a.filename, description: a.description };
}

/** The entity's current (not removed) attachments: what the next submitted stage will list. */
export async function currentAttachments(tx: Tx, inc: IncidentDb): Promise<AttachmentRow[]> {
  const rows = await tx.selectFrom('incident_attachments').selectAll().where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).where('removed_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  return rows.map(toRow);
}

/** Only attachments a submitted stage lists (by id) are the CERT's to see. */
function submittedFilter(inc: IncidentDb) {
  return sql<boolean>`exists (select 1 from incident_stages s where s.org_id = ${inc.org_id} and s.incident_id = ${inc.id}
    and s.snapshot @> jsonb_build_object('report', jsonb_build_object('attachments', jsonb_build_array(jsonb_build_object('id', incident_attachments.id::text)))))`;
}

/**
 * Attachments of an incident as the actor's side sees them: the entity its
 * current ones (removed ones with `removed=true`), the CERT every attachment a
 * submitted stage lists (never what the entity only has in its draft).
 */
export async function listAttachments(ctx: Ctx, id: string, opts: { removed?: boolean } = {}): Promise<AttachmentRow[]> {
  return inTx(ctx, async (tx) => {
    const { inc, side } = await loadIncident(tx, ctx, id, A['incidents.read']);
    let q = tx.selectFrom('incident_attachments').selectAll().where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id);
    if (side === 'cert') q = q.where(submittedFilter(inc));
    else if (!opts.removed) q = q.where('removed_at', 'is', null);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toRow);
  });
}

/** One attachment for download, found through its incident (another entity's: INCIDENT_NOT_FOUND). */
export async function attachmentForDownload(ctx: Ctx, id: string, attachmentId: string): Promise<AttachmentRow> {
  return inTx(ctx, async (tx) => {
    const { inc, side } = await loadIncident(tx, ctx, id, A['incidents.read']);
    let q = tx.selectFrom('incident_attachments').selectAll().where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).where('id', '=', attachmentId);
    if (side === 'cert') q = q.where(submittedFilter(inc));
    const row = await q.executeTakeFirst();
    if (!row) throw IncidentErrors.INCIDENT_ATTACHMENT_NOT_FOUND();
    return toRow(row);
  });
}

async function attachable(tx: Tx, ctx: Ctx, id: string): Promise<IncidentDb> {
  const { inc } = await loadIncident(tx, ctx, id, A['incidents.report'], { side: 'entity' });
  if (inc.status === 'closed' || inc.status === 'rejected') throw IncidentErrors.INCIDENT_CLOSED();
  return inc;
}

/** Checked before the upload is read, so a request for someone else's incident stores nothing. */
export async function assertAttachable(ctx: Ctx, id: string): Promise<void> {
  await inTx(ctx, (tx) => attachable(tx, ctx, id));
}

/**
 * The reporting entity attaches a file (already in the content-addressed
 * store) to its report: recorded as the entity's upload (type sniffed from
 * the content) and listed in the next submitted stage.
 */
export async function addAttachment(ctx: Ctx, files: FileStore, id: string, input: { stored: StoredFile; filename: string; description?: string | undefined }): Promise<AttachmentRow> {
  return inTx(ctx, async (tx) => {
    const inc = await attachable(tx, ctx, id);
    const now = ctx.clock.now();
    const file = await recordUpload(tx, files, { orgId: inc.org_id, stored: input.stored, filename: input.filename, uploadedBy: ctx.actor.userId, now });
    const row = {
      org_id: inc.org_id,
      incident_id: inc.id,
      id: newId(),
      file_id: file.id,
      sha256: file.sha256,
      size: file.size,
      media_type: file.mediaType,
      filename: file.filename,
      description: input.description ?? '',
      uploaded_by: ctx.actor.userId,
      created_at: now,
      removed_at: null,
    };
    await tx.insertInto('incident_attachments').values(row).execute();
    await tx.updateTable('incidents').set({ draft_updated_at: now, updated_at: now }).where('org_id', '=', inc.org_id).where('id', '=', inc.id).execute();
    await audit(tx, ctx, { action: 'incidents.attach', entityType: 'incident', entityId: inc.id, after: { attachmentId: row.id, fileId: file.id, sha256: file.sha256 }, details: { filename: file.filename, size: file.size, mediaType: file.mediaType, sha256: file.sha256 } });
    return toRow(row);
  });
}

/** Takes an attachment off the working copy; stages already submitted keep listing it (and the CERT can still download it). */
export async function removeAttachment(ctx: Ctx, id: string, attachmentId: string): Promise<void> {
  await inTx(ctx, async (tx) => {
    const inc = await attachable(tx, ctx, id);
    const now = ctx.clock.now();
    const res = await tx
      .updateTable('incident_attachments')
      .set({ removed_at: now })
      .where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).where('id', '=', attachmentId).where('removed_at', 'is', null)
      .returning(['sha256', 'filename'])
      .executeTakeFirst();
    if (!res) throw IncidentErrors.INCIDENT_ATTACHMENT_NOT_FOUND();
    await audit(tx, ctx, { action: 'incidents.detach', entityType: 'incident', entityId: inc.id, before: { attachmentId, sha256: res.sha256 }, details: { filename: res.filename, sha256: res.sha256 } });
  });
}
