import { sql } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { resolveSharing } from '../sharing/service.js';
import type { SharingSpec } from '../sharing/schema.js';
import { IntelErrors } from './errors.js';
import { IntelActions } from './policy.js';
import { getObjectIn, sightingCountsIn } from './read.js';
import type { MatchRow } from './schema.js';
import { addAndCorrelate, matchObservables } from './correlation.js';
import { observablesForObjects } from './observable-rows.js';
import type { JobControl } from '../../core/jobs.js';
import type { Mailer } from '../../core/mail.js';
import './tables.js';

/**
 * Reports that the acting org saw an indicator (or judged it a false
 * positive). The indicator must be visible to the org; the sighting has its
 * own TLP, so counts are per viewer.
 */
export async function addSighting(
  ctx: Ctx,
  indicatorId: string,
  input: { kind: 'seen' | 'false_positive'; count: number; firstSeen?: string | undefined; lastSeen?: string | undefined; note: string } & SharingSpec,
) {
  authorize(ctx.actor, IntelActions['intel.sight']);
  return inTx(ctx, async (tx) => {
    const ind = await getObjectIn(tx, indicatorId);
    if (!ind || ind.summary.type !== 'indicator') throw IntelErrors.INTEL_INDICATOR_NOT_FOUND();
    const sharing = await resolveSharing(tx, ctx, input);
    const now = ctx.clock.now();
    const id = newId();
    await tx
      .insertInto('intel_sightings')
      .values({
        org_id: ctx.actor.orgId,
        id,
        indicator_id: indicatorId,
        kind: input.kind,
        count: input.count,
        first_seen: input.firstSeen ?? now,
        last_seen: input.lastSeen ?? input.firstSeen ?? now,
        note: input.note,
        ...sharing,
        created_by: ctx.actor.userId,
        created_at: now,
      })
      .execute();
    await audit(tx, ctx, { action: 'intel.sight', entityType: 'indicator', entityId: indicatorId, details: { sighting: id, kind: input.kind, count: input.count, tlp: sharing.tlp } });
    return { id, counts: await sightingCountsIn(tx, indicatorId) };
  });
}

/**
 * Matches the acting org may see (both sides visible: row-level security),
 * newest first; `ref` narrows to one incident, watchlist or STIX object on
 * either side. Warning-listed matches are hidden unless asked for.
 */
export async function listMatches(ctx: Ctx, q: { ref?: string | undefined; includeWarnings: 'true' | 'false'; limit: number; offset: number }): Promise<PagedResult<MatchRow>> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    let b = tx.selectFrom('intel_matches');
    if (q.ref) b = b.where((eb) => eb.or([eb('a_source_ref', '=', q.ref!), eb('b_source_ref', '=', q.ref!)]));
    if (q.includeWarnings !== 'true') b = b.where('warning', 'is', null);
    const rows = await b.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute();
    const total = await b.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const me = ctx.actor.orgId;
    return {
      items: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        value: r.value,
        warning: r.warning,
        createdAt: r.created_at.toISOString(),
        mine: r.org_id === me ? { sourceKind: r.a_source_kind, sourceRef: r.a_source_ref } : r.b_org_id === me ? { sourceKind: r.b_source_kind, sourceRef: r.b_source_ref } : null,
        sides: [
          { orgId: r.org_id, sourceKind: r.a_source_kind, sourceRef: r.a_source_ref, value: r.value },
          { orgId: r.b_org_id, sourceKind: r.b_source_kind, sourceRef: r.b_source_ref, value: r.b_value },
        ],
      })),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  });
}

/**
 * Full re-correlation of the acting org: rebuilds its observables from the
 * latest versions of its STIX objects (picking up warning-list edits), then
 * matches all of its observables again. Existing matches stay; new ones are
 * recorded and alerted. Reports progress through `ctl`.
 */
export async function recorrelate(ctx: Ctx, ctl?: JobControl, mailer?: Mailer): Promise<{ observables: number; matches: number }> {
  authorize(ctx.actor, IntelActions['intel.recorrelate']);
  const orgId = ctx.actor.orgId;
  const PAGE = 2000;
  let offset = 0;
  let observables = 0;
  let matches = 0;
  for (;;) {
    const done = await inTx(ctx, async (tx) => {
      const objs = await tx
        .selectFrom('stix_objects')
        .select(['doc', 'tlp', 'recipient_orgs', 'recipient_users', 'sharing_groups'])
        .where('org_id', '=', orgId)
        .where('is_latest', '=', true)
        .where((eb) => eb.or([eb('type', '=', 'indicator'), eb('type', 'in', ['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file', 'artifact', 'mac-addr', 'x509-certificate'])]))
        .orderBy('stix_id')
        .limit(PAGE)
        .offset(offset)
        .execute();
      const byDoc = new Map(objs.map((o) => [o.doc, o]));
      const obs = observablesForObjects(
        objs.map((o) => o.doc),
        (d) => {
          const row = byDoc.get(d)!;
          return { tlp: row.tlp, recipient_orgs: row.recipient_orgs, recipient_users: row.recipient_users, sharing_groups: row.sharing_groups };
        },
      );
      const m = await addAndCorrelate(tx, ctx, obs, { mailer });
      observables += obs.length;
      matches += m.length;
      return objs.length < PAGE;
    });
    offset += PAGE;
    await ctl?.progress({ phase: 'stix', done: offset });
    if (done) break;
  }
  // Incident and watchlist observables: match them again too.
  const others = await inTx(ctx, (tx) => tx.selectFrom('intel_observables').select('id').where('org_id', '=', orgId).where('source_kind', '!=', 'stix').execute());
  for (let i = 0; i < others.length; i += PAGE) {
    const m = await inTx(ctx, (tx) => matchObservables(tx, ctx, others.slice(i, i + PAGE).map((o) => o.id), { mailer }));
    matches += m.length;
    await ctl?.progress({ phase: 'observables', done: Math.min(i + PAGE, others.length), total: others.length });
  }
  await inTx(ctx, (tx) => audit(tx, ctx, { action: 'intel.recorrelate', entityType: 'org', entityId: orgId, details: { observables, matches } }));
  return { observables, matches };
}
