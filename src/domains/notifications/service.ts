import { inTx, type Ctx } from '../../core/context.js';
import type { PagedResult } from '../../core/paging.js';
import type { NotificationRow } from './schema.js';

/** The acting user's notifications in the acting org, newest first. */
export async function listNotifications(ctx: Ctx, q: { unread?: boolean | undefined; limit: number; offset: number }): Promise<PagedResult<NotificationRow> & { unread: number }> {
  return inTx(ctx, async (tx) => {
    let base = tx.selectFrom('notifications').where('org_id', '=', ctx.actor.orgId).where('user_id', '=', ctx.actor.userId!);
    const unread = await base.where('read_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (q.unread) base = base.where('read_at', 'is', null);
    const [rows, total] = await Promise.all([
      base.select(['id', 'kind', 'title', 'body', 'link', 'created_at', 'read_at']).orderBy('created_at', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({ id: r.id, kind: r.kind, title: r.title, body: r.body, link: r.link, createdAt: r.created_at.toISOString(), readAt: r.read_at?.toISOString() ?? null })),
      total: Number(total.n),
      unread: Number(unread.n),
      limit: q.limit,
      offset: q.offset,
    };
  });
}

/** Marks some (or, without ids, all) of the user's notifications read. Reading is not audited: it changes nothing of record. */
export async function markRead(ctx: Ctx, ids?: string[]): Promise<number> {
  return inTx(ctx, async (tx) => {
    let q = tx
      .updateTable('notifications')
      .set({ read_at: ctx.clock.now() })
      .where('org_id', '=', ctx.actor.orgId)
      .where('user_id', '=', ctx.actor.userId!)
      .where('read_at', 'is', null);
    if (ids) q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  });
}
