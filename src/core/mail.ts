import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import type { Database } from '../db/connect.js';
import { sql } from 'kysely';
import { newId } from './ids.js';
import type { JobQueue } from './jobs.js';

export interface MailMessage {
  orgId?: string | null;
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing mail. Every message is first written to mail_outbox in the
 * caller's transaction. With SMTP_URL set, a `mail.send` job delivers it
 * (retries survive restarts); without, it stays in the outbox with status
 * `stored`, where admins read it in the UI and with `muhafiz outbox`.
 */
export class Mailer {
  readonly #transport: Transporter | undefined;

  constructor(
    private readonly jobs: JobQueue,
    private readonly db: Database,
    smtpUrl: string | undefined,
    private readonly from: string,
  ) {
    this.#transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;
    jobs.register('mail.send', async (job) => {
      await this.deliver(String(job.payload.id));
    });
  }

  get smtpConfigured(): boolean {
    return this.#transport !== undefined;
  }

  /** Queues messages inside the caller's transaction: one INSERT per 1,000 (a match storm alerts without a query per mail). */
  async sendMany(k: Kysely<DB>, msgs: readonly MailMessage[]): Promise<void> {
    const status = this.#transport ? ('queued' as const) : ('stored' as const);
    for (let i = 0; i < msgs.length; i += 1000) {
      const rows = msgs.slice(i, i + 1000).map((msg) => ({ id: newId(), org_id: msg.orgId ?? null, to_address: msg.to, subject: msg.subject, body_text: msg.text, status }));
      await k.insertInto('mail_outbox').values(rows).execute();
      if (this.#transport) await this.jobs.enqueueMany(k, rows.map((r) => ({ name: 'mail.send', payload: { id: r.id }, orgId: r.org_id, maxAttempts: 8 })));
    }
  }

  /** Queues a message inside the caller's transaction. */
  async send(k: Kysely<DB>, msg: MailMessage): Promise<string> {
    const id = newId();
    await k
      .insertInto('mail_outbox')
      .values({
        id,
        org_id: msg.orgId ?? null,
        to_address: msg.to,
        subject: msg.subject,
        body_text: msg.text,
        status: this.#transport ? 'queued' : 'stored',
      })
      .execute();
    if (this.#transport) await this.jobs.enqueue(k, { name: 'mail.send', payload: { id }, orgId: msg.orgId ?? null, maxAttempts: 8 });
    return id;
  }

  /** Sends one outbox message; a failure is recorded on the message, then thrown so the job retries. */
  async deliver(id: string): Promise<void> {
    if (!this.#transport) return;
    const failure = await this.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      const msg = await tx.selectFrom('mail_outbox').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!msg || msg.status === 'sent') return null;
      try {
        await this.#transport!.sendMail({ from: this.from, to: msg.to_address, subject: msg.subject, text: msg.body_text });
        await tx.updateTable('mail_outbox').set({ status: 'sent', sent_at: this.jobs.now(), error: null }).where('id', '=', id).execute();
        return null;
      } catch (err) {
        // Recorded in this (committing) transaction; throwing here would roll the record back.
        const message = err instanceof Error ? err.message : String(err);
        await tx.updateTable('mail_outbox').set({ status: 'failed', error: message.slice(0, 1000) }).where('id', '=', id).execute();
        return message;
      }
    });
    if (failure !== null) throw new Error(`mail ${id} not delivered: ${failure}`);
  }
}
