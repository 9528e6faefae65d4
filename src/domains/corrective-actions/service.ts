import { allowedActions, authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import { CorrectiveActionErrors } from './errors.js';
import { CorrectiveActionActions as A } from './policy.js';
import type { CorrectiveActionCreate, CorrectiveActionQuery, CorrectiveActionRow } from './schema.js';
import type { CorrectiveActionsTable } from './tables.js';

type Db = { [K in keyof CorrectiveActionsTable]: K extends 'description' ? string : CorrectiveActionsTable[K] } & { created_at: Date; updated_at: Date; closed_at: Date | null };

function isoDate(v: string | Date | null): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10);
}

function toRow(ctx: Ctx, r: Db): CorrectiveActionRow {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    source: { type: r.source_type, id: r.source_id },
    ownerId: r.owner_id,
    dueDate: isoDate(r.due_date),
    status: r.status,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
    actions: allowedActions(ctx.actor, [A['corrective_actions.manage']]),
  };
}

async function checkOwner(tx: Tx, ctx: Ctx, ownerId: string | null | undefined, path: string): Promise<void> {
  if (!ownerId) return;
  const m = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', ctx.actor.orgId).where('user_id', '=', ownerId).where('disabled_at', 'is', null).executeTakeFirst();
  if (!m) throw CorrectiveActionErrors.CORRECTIVE_ACTION_OWNER_INVALID(undefined, [{ path, message: 'not a member of your organisation' }]);
}

/**
 * Creates corrective actions inside the caller's transaction (another
 * domain's command, e.g. an incident's lessons learned, creates them
 * atomically with its own write). The caller has authorised the command.
 */
export async function insertCorrectiveActions(tx: Tx, ctx: Ctx, items: readonly CorrectiveActionCreate[], pathPrefix = 'body'): Promise<CorrectiveActionRow[]> {
  authorize(ctx.actor, A['corrective_actions.manage']);
  const out: CorrectiveActionRow[] = [];
  for (const [i, item] of items.entries()) {
    await checkOwner(tx, ctx, item.ownerId, `${pathPrefix}[${i}].ownerId`);
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('corrective_actions')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        title: item.title,
        description: item.description,
        source_type: item.source.type,
        source_id: item.source.id,
        owner_id: item.ownerId ?? null,
        due_date: item.dueDate ?? null,
        status: 'open',
        created_by: ctx.actor.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'corrective_actions.create', entityType: 'corrective_action', entityId: row.id, after: row, details: { source: item.source } });
    out.push(toRow(ctx, row as Db));
  }
  return out;
}

/** Creates one corrective action. */
export async function createCorrectiveAction(ctx: Ctx, input: CorrectiveActionCreate): Promise<CorrectiveActionRow> {
  authorize(ctx.actor, A['corrective_actions.manage']);
  return inTx(ctx, async (tx) => (await insertCorrectiveActions(tx, ctx, [input]))[0]!);
}

/** The org's corrective actions: search, filter by status, source and owner, paginate. */
export async function listCorrectiveActions(ctx: Ctx, q: CorrectiveActionQuery): Promise<PagedResult<CorrectiveActionRow>> {
  authorize(ctx.actor, A['corrective_actions.read']);
  return inTx(ctx, async (tx) => {
    let base = tx.selectFrom('corrective_actions').where('org_id', '=', ctx.actor.orgId);
    if (q.status) base = base.where('status', '=', q.status);
    if (q.sourceType) base = base.where('source_type', '=', q.sourceType);
    if (q.sourceId) base = base.where('source_id', '=', q.sourceId);
    if (q.ownerId) base = base.where('owner_id', '=', q.ownerId);
    if (q.q) base = base.where((eb) => eb.or([eb('title', 'ilike', likePattern(q.q!)), eb('description', 'ilike', likePattern(q.q!))]));
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toRow(ctx, r as Db)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

export async function getCorrectiveAction(ctx: Ctx, id: string): Promise<CorrectiveActionRow> {
  authorize(ctx.actor, A['corrective_actions.read']);
  return inTx(ctx, async (tx) => {
    const row = await tx.selectFrom('corrective_actions').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!row) throw CorrectiveActionErrors.CORRECTIVE_ACTION_NOT_FOUND();
    return toRow(ctx, row as Db);
  });
}

/** Changes a corrective action; moving it to done or cancelled records when it was closed. */
export async function updateCorrectiveAction(
  ctx: Ctx,
  id: string,
  patch: { title?: string | undefined; description?: string | undefined; ownerId?: string | null | undefined; dueDate?: string | null | undefined; status?: CorrectiveActionRow['status'] | undefined },
): Promise<CorrectiveActionRow> {
  authorize(ctx.actor, A['corrective_actions.manage']);
  return inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('corrective_actions').selectAll().where('org_id', '=', ctx.actor.orgId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw CorrectiveActionErrors.CORRECTIVE_ACTION_NOT_FOUND();
    await checkOwner(tx, ctx, patch.ownerId, 'body.ownerId');
    const now = ctx.clock.now();
    const closing = patch.status === 'done' || patch.status === 'cancelled';
    const after = await tx
      .updateTable('corrective_actions')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.ownerId !== undefined ? { owner_id: patch.ownerId } : {}),
        ...(patch.dueDate !== undefined ? { due_date: patch.dueDate } : {}),
        ...(patch.status !== undefined ? { status: patch.status, closed_at: closing ? now : null } : {}),
        updated_at: now,
      })
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'corrective_actions.update', entityType: 'corrective_action', entityId: id, before, after, details: { fields: Object.keys(patch) } });
    return toRow(ctx, after as Db);
  });
}
