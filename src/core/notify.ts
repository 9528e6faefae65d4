import type { Ctx, Tx } from './context.js';
import { newId } from './ids.js';
import type { Mailer } from './mail.js';

export interface Notice {
  /** The org the recipients act in; they see it when that org is their acting org. */
  orgId: string;
  userIds: readonly string[];
  kind: string;
  title: string;
  body?: string;
  /** An in-app path, e.g. `/incidents/…`. */
  link?: string;
  /** Also send it by mail (through the outbox). */
  email?: boolean;
}

/**
 * Creates in-app notifications (and optionally mails) inside the caller's
 * transaction. The transaction must be allowed to insert for `orgId`: the
 * acting org, or a system transaction.
 */
export async function notify(tx: Tx, _ctx: Ctx, mailer: Mailer | undefined, n: Notice): Promise<void> {
  if (n.userIds.length === 0) return;
  await tx
    .insertInto('notifications')
    .values(n.userIds.map((userId) => ({ org_id: n.orgId, user_id: userId, id: newId(), kind: n.kind, title: n.title, body: n.body ?? '', link: n.link ?? null })))
    .execute();
  if (n.email && mailer) {
    const users = await tx.selectFrom('users').select(['id', 'email']).where('id', 'in', [...n.userIds]).where('disabled_at', 'is', null).execute();
    for (const u of users) {
      await mailer.send(tx, { orgId: n.orgId, to: u.email, subject: n.title, text: `${n.body ?? ''}${n.link ? `\n\nOpen: ${n.link}` : ''}` });
    }
  }
}

/**
 * Many notices in one go (same rules as notify): the in-app rows in batched
 * INSERTs, one recipient lookup, and the mails queued together, so alerting
 * on a thousand matches costs a handful of statements, not thousands.
 */
export async function notifyMany(tx: Tx, _ctx: Ctx, mailer: Mailer | undefined, notices: readonly Notice[]): Promise<void> {
  const rows = notices.flatMap((n) => n.userIds.map((userId) => ({ org_id: n.orgId, user_id: userId, id: newId(), kind: n.kind, title: n.title, body: n.body ?? '', link: n.link ?? null })));
  for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('notifications').values(rows.slice(i, i + 1000)).execute();
  const mailed = notices.filter((n) => n.email && n.userIds.length);
  if (!mailer || !mailed.length) return;
  const ids = [...new Set(mailed.flatMap((n) => n.userIds))];
  const emails = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const users = await tx.selectFrom('users').select(['id', 'email']).where('id', 'in', ids.slice(i, i + 1000)).where('disabled_at', 'is', null).execute();
    for (const u of users) emails.set(u.id, u.email);
  }
  await mailer.sendMany(
    tx,
    mailed.flatMap((n) =>
      n.userIds.flatMap((id) => {
        const to = emails.get(id);
        return to ? [{ orgId: n.orgId, to, subject: n.title, text: `${n.body ?? ''}${n.link ? `\n\nOpen: ${n.link}` : ''}` }] : [];
      }),
    ),
  );
}
