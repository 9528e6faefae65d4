import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import { TenancyActions } from '../tenancy/policy.js';
import type { AuditQuery, AuditRow } from './schema.js';

function filtered(ctx: Ctx, q: AuditQuery) {
  return (tx: Parameters<Parameters<typeof inTx>[1]>[0]) => {
    let base = tx.selectFrom('audit_log').where('org_id', '=', ctx.actor.orgId);
    if (q.action) base = base.where('action', 'like', `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.entityType) base = base.where('entity_type', '=', q.entityType);
    if (q.entityId) base = base.where('entity_id', '=', q.entityId);
    if (q.actor) base = base.where('actor_label', 'ilike', likePattern(q.actor));
    if (q.from) base = base.where('at', '>=', new Date(q.from));
    if (q.to) base = base.where('at', '<', new Date(q.to));
    return base;
  };
}

function toRow(r: { seq: number; at: Date; actor_label: string; action: string; entity_type: string; entity_id: string | null; details: Record<string, unknown>; request_id: string | null; ip: string | null; hash: string; before_digest: string | null; after_digest: string | null }): AuditRow {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    details: r.details,
    requestId: r.request_id,
    ip: r.ip,
    beforeDigest: r.before_digest,
    afterDigest: r.after_digest,
    hash: r.hash,
  };
}

const COLUMNS = ['seq', 'at', 'actor_label', 'action', 'entity_type', 'entity_id', 'details', 'request_id', 'ip', 'hash', 'before_digest', 'after_digest'] as const;

/** The acting org's audit log, newest first, filtered. */
export async function listAudit(ctx: Ctx, q: AuditQuery): Promise<PagedResult<AuditRow>> {
  authorize(ctx.actor, TenancyActions['audit.read']);
  return inTx(ctx, async (tx) => {
    const base = filtered(ctx, q)(tx);
    const [rows, total] = await Promise.all([
      base.select(COLUMNS).orderBy('seq', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRow), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Neutralise spreadsheet formulas (CSV injection) and quote.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replaceAll('"', '""')}"`;
}

export const AUDIT_CSV_HEADER = ['seq', 'at', 'actor', 'action', 'entity_type', 'entity_id', 'details', 'request_id', 'ip', 'before_digest', 'after_digest', 'hash'];

/** The filtered log as CSV lines, oldest first, streamed in batches. */
export async function* exportAuditCsv(ctx: Ctx, q: Omit<AuditQuery, 'limit' | 'offset'>): AsyncGenerator<string> {
  authorize(ctx.actor, TenancyActions['audit.read']);
  yield AUDIT_CSV_HEADER.join(',') + '\r\n';
  let after = 0;
  for (;;) {
    const rows = await inTx(ctx, (tx) =>
      filtered(ctx, { ...q, limit: 0, offset: 0 })(tx)
        .select(COLUMNS)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(2000)
        .execute(),
    );
    if (rows.length === 0) return;
    yield rows
      .map((r) => [r.seq, r.at.toISOString(), r.actor_label, r.action, r.entity_type, r.entity_id, r.details, r.request_id, r.ip, r.before_digest, r.after_digest, r.hash].map(csvCell).join(',') + '\r\n')
      .join('');
    after = Number(rows.at(-1)!.seq);
  }
}

