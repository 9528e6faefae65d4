import { sql } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { asSystem, inTx, type Ctx } from '../../core/context.js';
import type { PagedResult } from '../../core/paging.js';
import type { Database } from '../../db/connect.js';
import { TenancyActions } from '../tenancy/policy.js';

export interface OutboxRow {
  id: string;
  to: string;
  subject: string;
  body: string;
  status: string;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

type DbRow = { id: string; to_address: string; subject: string; body_text: string; status: string; error: string | null; created_at: Date; sent_at: Date | null };
const toRow = (r: DbRow): OutboxRow => ({ id: r.id, to: r.to_address, subject: r.subject, body: r.body_text, status: r.status, error: r.error, createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null });
const COLUMNS = ['id', 'to_address', 'subject', 'body_text', 'status', 'error', 'created_at', 'sent_at'] as const;

/**
 * Outgoing mail of the acting org (platform admins acting in the platform org
 * see every org's). The outbox is only readable by the system role, so the
 * org filter here is the whole of the scoping: keep it.
 */
export async function listOutbox(ctx: Ctx, q: { limit: number; offset: number }): Promise<PagedResult<OutboxRow>> {
  authorize(ctx.actor, TenancyActions['outbox.read']);
  const all = ctx.actor.orgKind === 'platform' && ctx.actor.platformAdmin;
  return inTx(ctx, (tx) =>
    asSystem(tx, ctx.actor, async () => {
      let base = tx.selectFrom('mail_outbox');
      if (!all) base = base.where('org_id', '=', ctx.actor.orgId);
      const [rows, total] = await Promise.all([
        base.select(COLUMNS).orderBy('created_at', 'desc').limit(q.limit).offset(q.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toRow), total: Number(total.n), limit: q.limit, offset: q.offset };
    }),
  );
}

/** Every org's outbox, for the CLI (`muhafiz outbox`). */
export async function listOutboxAll(db: Database, limit: number): Promise<OutboxRow[]> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return (await tx.selectFrom('mail_outbox').select(COLUMNS).orderBy('created_at', 'desc').limit(limit).execute()).map(toRow);
  });
}

/** A background job's status and progress, if it was started in the acting org. */
export async function getJob(ctx: Ctx, id: string) {
  authorize(ctx.actor, TenancyActions['jobs.read']);
  return inTx(ctx, (tx) =>
    asSystem(tx, ctx.actor, () =>
      tx
        .selectFrom('jobs')
        .select(['id', 'name', 'status', 'progress', 'result', 'last_error', 'attempts', 'created_at', 'started_at', 'finished_at'])
        .where('id', '=', id)
        .where('org_id', '=', ctx.actor.orgId)
        .executeTakeFirst(),
    ),
  );
}
