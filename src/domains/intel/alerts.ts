import { z } from 'zod';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { IntelActions } from './policy.js';
import './tables.js';

export const AlertSettings = z.strictObject({
  email: z.boolean().default(true),
  webhookUrl: z.string().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'http(s) only').nullable().default(null),
});
export type AlertSettings = z.infer<typeof AlertSettings>;

/** How the acting org is alerted about new matches (in-app always; email; a webhook). */
export async function getAlertSettings(ctx: Ctx): Promise<AlertSettings> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const r = await inTx(ctx, (tx) => tx.selectFrom('intel_alert_settings').select(['email', 'webhook_url']).where('org_id', '=', ctx.actor.orgId).executeTakeFirst());
  return { email: r?.email ?? true, webhookUrl: r?.webhook_url ?? null };
}

export async function setAlertSettings(ctx: Ctx, s: AlertSettings): Promise<AlertSettings> {
  authorize(ctx.actor, IntelActions['intel.watchlist']);
  return inTx(ctx, async (tx) => {
    await tx
      .insertInto('intel_alert_settings')
      .values({ org_id: ctx.actor.orgId, email: s.email, webhook_url: s.webhookUrl })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ email: s.email, webhook_url: s.webhookUrl }))
      .execute();
    await audit(tx, ctx, { action: 'intel.alert_settings', entityType: 'org', entityId: ctx.actor.orgId, details: { email: s.email, webhook: Boolean(s.webhookUrl) } });
    return s;
  });
}

/** The intel.webhook job: POSTs the new matches as JSON; a non-2xx answer fails the attempt (the queue retries). */
export async function deliverWebhook(payload: { url: string; matches: unknown[] }): Promise<{ status: number }> {
  const res = await fetch(payload.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'muhafiz-intel-alerts' },
    body: JSON.stringify({ kind: 'intel.match', matches: payload.matches }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  return { status: res.status };
}
