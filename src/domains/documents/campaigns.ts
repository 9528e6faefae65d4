import { sql } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { notify } from '../../core/notify.js';
import { likePattern } from '../../core/paging.js';
import { DocumentErrors } from './errors.js';
import { DocumentActions as A } from './policy.js';
import type { CampaignRow } from './schema.js';
import { findDocumentOr404 } from './service.js';

/** Campaign rows with progress: targets, how many acknowledged the campaign's version, percent. */
function selectCampaigns(tx: Tx, orgId: string) {
  return tx
    .selectFrom('document_campaigns as c')
    .innerJoin('documents as d', (j) => j.onRef('d.org_id', '=', 'c.org_id').onRef('d.id', '=', 'c.document_id'))
    .select([
      'c.id', 'c.document_id', 'd.title', 'c.version', sql<string>`c.due_on::text`.as('due_on'), 'c.audience', 'c.created_at', 'c.closed_at',
      sql<number>`(select count(*) from document_campaign_targets t where t.org_id = c.org_id and t.campaign_id = c.id)`.as('targets'),
      sql<number>`(select count(*) from document_campaign_targets t join document_acks a on a.org_id = t.org_id and a.user_id = t.user_id and a.document_id = c.document_id and a.version = c.version where t.org_id = c.org_id and t.campaign_id = c.id)`.as('acknowledged'),
    ])
    .where('c.org_id', '=', orgId);
}

function toCampaignRow(ctx: Ctx, r: Awaited<ReturnType<ReturnType<typeof selectCampaigns>['executeTakeFirstOrThrow']>>): CampaignRow {
  const targets = Number(r.targets);
  const acknowledged = Number(r.acknowledged);
  const today = ctx.clock.now().toISOString().slice(0, 10);
  return {
    id: r.id,
    documentId: r.document_id,
    documentTitle: r.title,
    version: r.version,
    dueOn: r.due_on,
    audience: r.audience,
    createdAt: r.created_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
    targets,
    acknowledged,
    percent: targets === 0 ? 100 : Math.round((acknowledged / targets) * 1000) / 10,
    overdue: !r.closed_at && r.due_on < today && acknowledged < targets,
  };
}

/**
 * Asks people to read and accept the published version by a date: every
 * active member, or those with one of `roles`. The audience is fixed at
 * launch so the percentage does not drift as people join.
 */
export async function startCampaign(ctx: Ctx, mailer: Mailer | undefined, documentId: string, input: { dueOn: string; roles?: string[] | undefined }): Promise<CampaignRow> {
  authorize(ctx.actor, A['documents.campaigns']);
  return inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, documentId);
    if (d.published_version === null || d.retired_at) throw DocumentErrors.DOCUMENT_NOT_PUBLISHED();
    if (input.dueOn < ctx.clock.now().toISOString().slice(0, 10)) throw invalid('body.dueOn', 'must not be in the past');
    let members = tx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select('m.user_id').where('m.org_id', '=', ctx.actor.orgId).where('m.disabled_at', 'is', null).where('u.disabled_at', 'is', null);
    const roles = input.roles ?? [];
    if (roles.length) members = members.where(sql<boolean>`m.roles && ${sql.val(roles)}::text[]`);
    const users = (await members.execute()).map((m) => m.user_id);
    if (users.length === 0) throw invalid('body.roles', 'no active member has these roles');
    const id = newId();
    await tx.insertInto('document_campaigns').values({ org_id: ctx.actor.orgId, id, document_id: documentId, version: d.published_version, due_on: input.dueOn, audience: roles, created_by: ctx.actor.userId!, created_at: ctx.clock.now() }).execute();
    await tx.insertInto('document_campaign_targets').values(users.map((u) => ({ org_id: ctx.actor.orgId, campaign_id: id, user_id: u }))).execute();
    await notify(tx, ctx, mailer, {
      orgId: ctx.actor.orgId,
      userIds: users,
      kind: 'document.acknowledge',
      title: `Please read and accept: ${d.title} (v${d.published_version})`,
      body: `Read the document and confirm by ${input.dueOn}.`,
      link: `/documents/${documentId}`,
    });
    await audit(tx, ctx, { action: 'documents.campaign', entityType: 'document_campaign', entityId: id, details: { document: d.title, version: d.published_version, dueOn: input.dueOn, targets: users.length, roles } });
    return toCampaignRow(ctx, await selectCampaigns(tx, ctx.actor.orgId).where('c.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** A document's campaigns, newest first, with progress. */
export async function listCampaigns(ctx: Ctx, documentId: string): Promise<CampaignRow[]> {
  authorize(ctx.actor, A['documents.campaigns']);
  return inTx(ctx, async (tx) => {
    await findDocumentOr404(tx, ctx, documentId);
    const rows = await selectCampaigns(tx, ctx.actor.orgId).where('c.document_id', '=', documentId).orderBy('c.created_at', 'desc').execute();
    return rows.map((r) => toCampaignRow(ctx, r));
  });
}

async function campaignOr404(tx: Tx, ctx: Ctx, id: string) {
  const c = await selectCampaigns(tx, ctx.actor.orgId).where('c.id', '=', id).executeTakeFirst();
  if (!c) throw DocumentErrors.DOCUMENT_CAMPAIGN_NOT_FOUND();
  return c;
}

/** One campaign's people: who acknowledged and who has not (filter, search, paginate). */
export async function campaignTargets(ctx: Ctx, id: string, q: { status?: 'pending' | 'acknowledged' | undefined; q?: string | undefined; limit: number; offset: number }) {
  authorize(ctx.actor, A['documents.campaigns']);
  return inTx(ctx, async (tx) => {
    const c = await campaignOr404(tx, ctx, id);
    const build = () => {
      let b = tx
        .selectFrom('document_campaign_targets as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .leftJoin('document_acks as a', (j) => j.onRef('a.org_id', '=', 't.org_id').onRef('a.user_id', '=', 't.user_id').on('a.document_id', '=', c.document_id).on('a.version', '=', c.version))
        .where('t.org_id', '=', ctx.actor.orgId)
        .where('t.campaign_id', '=', id);
      if (q.status === 'pending') b = b.where('a.acknowledged_at', 'is', null);
      if (q.status === 'acknowledged') b = b.where('a.acknowledged_at', 'is not', null);
      if (q.q) b = b.where((eb) => eb.or([eb('u.display_name', 'ilike', likePattern(q.q!)), eb('u.email', 'ilike', likePattern(q.q!))]));
      return b;
    };
    const [rows, total] = await Promise.all([
      build().select(['u.id', 'u.display_name', 'u.email', 'a.acknowledged_at', 't.last_reminded_at']).orderBy('u.display_name').limit(q.limit).offset(q.offset).execute(),
      build().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      campaign: toCampaignRow(ctx, c),
      items: rows.map((r) => ({ userId: r.id, displayName: r.display_name, email: r.email, acknowledgedAt: r.acknowledged_at?.toISOString() ?? null, lastRemindedAt: r.last_reminded_at?.toISOString() ?? null })),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  });
}

/** Reminds everyone in the campaign who has not acknowledged yet; returns how many were reminded. */
export async function remindCampaign(ctx: Ctx, mailer: Mailer | undefined, id: string): Promise<{ reminded: number }> {
  authorize(ctx.actor, A['documents.campaigns']);
  return inTx(ctx, async (tx) => {
    const c = await campaignOr404(tx, ctx, id);
    if (c.closed_at) throw DocumentErrors.DOCUMENT_WRONG_STATE('The campaign is closed');
    const reminded = await remindPending(tx, ctx, mailer, c.id, 'document.acknowledge_reminder');
    await audit(tx, ctx, { action: 'documents.remind', entityType: 'document_campaign', entityId: id, details: { reminded } });
    return { reminded };
  });
}

/** Notifies the campaign's pending people and stamps last_reminded_at (manual reminders and the daily scan). */
export async function remindPending(tx: Tx, ctx: Ctx, mailer: Mailer | undefined, campaignId: string, kind: string, onlyUsers?: readonly string[]): Promise<number> {
  const c = await tx
    .selectFrom('document_campaigns as c')
    .innerJoin('documents as d', (j) => j.onRef('d.org_id', '=', 'c.org_id').onRef('d.id', '=', 'c.document_id'))
    .select(['c.org_id', 'c.document_id', 'c.version', sql<string>`c.due_on::text`.as('due_on'), 'd.title'])
    .where('c.org_id', '=', ctx.actor.orgId)
    .where('c.id', '=', campaignId)
    .executeTakeFirstOrThrow();
  let pendingQ = tx
    .selectFrom('document_campaign_targets as t')
    .leftJoin('document_acks as a', (j) => j.onRef('a.org_id', '=', 't.org_id').onRef('a.user_id', '=', 't.user_id').on('a.document_id', '=', c.document_id).on('a.version', '=', c.version))
    .select('t.user_id')
    .where('t.org_id', '=', c.org_id)
    .where('t.campaign_id', '=', campaignId)
    .where('a.acknowledged_at', 'is', null);
  if (onlyUsers) pendingQ = pendingQ.where('t.user_id', 'in', onlyUsers.length ? [...onlyUsers] : ['00000000-0000-0000-0000-000000000000']);
  const pending = (await pendingQ.execute()).map((p) => p.user_id);
  if (pending.length === 0) return 0;
  await notify(tx, ctx, mailer, {
    orgId: c.org_id,
    userIds: pending,
    kind,
    title: `Reminder: read and accept ${c.title} (v${c.version}) by ${c.due_on}`,
    link: `/documents/${c.document_id}`,
    email: Boolean(mailer),
  });
  await tx.updateTable('document_campaign_targets').set({ last_reminded_at: ctx.clock.now() }).where('org_id', '=', c.org_id).where('campaign_id', '=', campaignId).where('user_id', 'in', pending).execute();
  return pending.length;
}

/** The acting user confirms having read and accepted the published version. Idempotent. */
export async function acknowledge(ctx: Ctx, documentId: string): Promise<{ version: number; acknowledgedAt: string }> {
  authorize(ctx.actor, A['documents.acknowledge']);
  if (!ctx.actor.userId) throw invalid('actor', 'only a person can acknowledge');
  return inTx(ctx, async (tx) => {
    const d = await findDocumentOr404(tx, ctx, documentId);
    if (d.published_version === null || d.retired_at) throw DocumentErrors.DOCUMENT_NOT_PUBLISHED();
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('document_acks')
      .values({ org_id: ctx.actor.orgId, document_id: documentId, version: d.published_version, user_id: ctx.actor.userId!, acknowledged_at: now })
      .onConflict((oc) => oc.doNothing())
      .returning('acknowledged_at')
      .executeTakeFirst();
    if (row) await audit(tx, ctx, { action: 'documents.acknowledge', entityType: 'document', entityId: documentId, details: { version: d.published_version } });
    const at = row?.acknowledged_at ?? (await tx.selectFrom('document_acks').select('acknowledged_at').where('org_id', '=', ctx.actor.orgId).where('document_id', '=', documentId).where('version', '=', d.published_version).where('user_id', '=', ctx.actor.userId!).executeTakeFirstOrThrow()).acknowledged_at;
    return { version: d.published_version, acknowledgedAt: at.toISOString() };
  });
}

/** What the acting user still has to acknowledge (open campaigns targeting them). */
export async function myPendingAcknowledgements(ctx: Ctx): Promise<Array<{ documentId: string; title: string; version: number; campaignId: string; dueOn: string; overdue: boolean }>> {
  authorize(ctx.actor, A['documents.acknowledge']);
  const today = ctx.clock.now().toISOString().slice(0, 10);
  return inTx(ctx, async (tx) => {
    const rows = await tx
      .selectFrom('document_campaign_targets as t')
      .innerJoin('document_campaigns as c', (j) => j.onRef('c.org_id', '=', 't.org_id').onRef('c.id', '=', 't.campaign_id'))
      .innerJoin('documents as d', (j) => j.onRef('d.org_id', '=', 'c.org_id').onRef('d.id', '=', 'c.document_id'))
      .leftJoin('document_acks as a', (j) => j.onRef('a.org_id', '=', 't.org_id').onRef('a.user_id', '=', 't.user_id').onRef('a.document_id', '=', 'c.document_id').onRef('a.version', '=', 'c.version'))
      .select(['c.document_id', 'd.title', 'c.version', 'c.id', sql<string>`c.due_on::text`.as('due_on')])
      .where('t.org_id', '=', ctx.actor.orgId)
      .where('t.user_id', '=', ctx.actor.userId!)
      .where('c.closed_at', 'is', null)
      .where('a.acknowledged_at', 'is', null)
      .orderBy('c.due_on')
      .execute();
    return rows.map((r) => ({ documentId: r.document_id, title: r.title, version: r.version, campaignId: r.id, dueOn: r.due_on, overdue: r.due_on < today }));
  });
}

