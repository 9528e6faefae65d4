import { sql, type RawBuilder } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { asSystem, inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { notifyMany } from '../../core/notify.js';
import type { SharingColumns } from '../sharing/service.js';
import { IntelErrors } from './errors.js';
import { normaliseObservable, OBSERVABLE_KINDS, type ObservableKind } from './normalise.js';
import type { NewObservable } from './observable-rows.js';
import { INTEL_READERS, IntelActions } from './policy.js';
import { loadWarningLists, warningFor } from './warning-lists.js';

/** What a caller hands in: a raw value and its kind (`ip` = either family). */
export interface ObservableInput {
  kind: ObservableKind | 'ip';
  value: string;
}

export interface CorrelationOptions {
  /** Sends alert emails through the outbox when given (the HTTP API and jobs pass it). */
  mailer?: Mailer | undefined;
}

export interface MatchSummary {
  id: string;
  kind: string;
  value: string;
  warning: string | null;
  mine: { sourceKind: string; sourceRef: string };
  other: { orgId: string; sourceKind: string; sourceRef: string; value: string };
}

const PRIVATE: SharingColumns = { tlp: null, recipient_orgs: [], recipient_users: [], sharing_groups: [] };

/**
 * Adds observables an org holds outside the STIX store (an incident's
 * indicators of compromise, a watchlist) and correlates them: each is
 * matched against every observable visible to the org, and against other
 * orgs' own data that may see it. Incident and watchlist observables are
 * private to the org. The CERT's incident service calls this.
 *
 * @returns the new matches the acting org may see.
 */
export async function correlateObservables(
  ctx: Ctx,
  source: { kind: 'incident' | 'watchlist'; ref: string },
  observables: readonly ObservableInput[],
  opts: CorrelationOptions = {},
): Promise<MatchSummary[]> {
  authorize(ctx.actor, source.kind === 'watchlist' ? IntelActions['intel.watchlist'] : IntelActions['intel.read']);
  const normal: NewObservable[] = observables.map((o, i) => {
    const n = normaliseObservable(o.kind, o.value);
    if (!n) throw IntelErrors.OBSERVABLE_INVALID(`observables[${i}]: ${o.value} is not a valid ${o.kind}`, [{ path: `observables[${i}].value`, message: `not a valid ${o.kind}` }]);
    return { ...n, sourceKind: source.kind, sourceRef: source.ref, sharing: PRIVATE };
  });
  return inTx(ctx, async (tx) => {
    const r = await addAndCorrelate(tx, ctx, normal, opts);
    await audit(tx, ctx, { action: 'intel.correlate', entityType: source.kind, entityId: source.ref, details: { observables: normal.length, matches: r.length } });
    return r;
  });
}

/**
 * Keeps the correlation observables of one of the acting org's incidents in
 * step with its report (in the caller's transaction): values no longer
 * reported are dropped, new ones are stored private to the org and
 * correlated (and alerted). Types without a correlation kind (file names)
 * are skipped. No role check here: the incident service has authorized the
 * report it is writing, and the values stay the org's own.
 */
export async function syncIncidentObservables(tx: Tx, ctx: Ctx, incidentId: string, observables: ReadonlyArray<{ type: string; value: string }>, opts: CorrelationOptions = {}): Promise<MatchSummary[]> {
  const orgId = ctx.actor.orgId;
  const wanted = new Map<string, NewObservable>();
  for (const o of observables) {
    if (!(OBSERVABLE_KINDS as readonly string[]).includes(o.type)) continue;
    const n = normaliseObservable(o.type as ObservableKind, o.value);
    if (n) wanted.set(`${n.kind}\u0000${n.value}`, { ...n, sourceKind: 'incident', sourceRef: incidentId, sharing: PRIVATE });
  }
  const existing = await tx.selectFrom('intel_observables').select(['id', 'kind', 'value']).where('org_id', '=', orgId).where('source_kind', '=', 'incident').where('source_ref', '=', incidentId).execute();
  const have = new Set(existing.map((e) => `${e.kind}\u0000${e.value}`));
  const stale = existing.filter((e) => !wanted.has(`${e.kind}\u0000${e.value}`)).map((e) => e.id);
  if (stale.length) await tx.deleteFrom('intel_observables').where('org_id', '=', orgId).where('id', 'in', stale).execute();
  const fresh = [...wanted.entries()].filter(([k]) => !have.has(k)).map(([, o]) => o);
  return addAndCorrelate(tx, ctx, fresh, opts);
}

interface Candidate {
  a_id: string;
  a_kind: string;
  a_value: string;
  a_source_kind: string;
  a_source_ref: string;
  a_warning: string | null;
  a_tlp: SharingColumns['tlp'];
  a_recipient_orgs: string[];
  a_recipient_users: string[];
  a_sharing_groups: string[];
  b_id: string;
  b_org_id: string;
  b_source_kind: string;
  b_source_ref: string;
  b_value: string;
  b_tlp: SharingColumns['tlp'];
  b_recipient_orgs: string[];
  b_recipient_users: string[];
  b_sharing_groups: string[];
  a_sees_b: boolean;
  b_sees_a: boolean;
}

/**
 * Stores observables for the acting org (in the caller's transaction),
 * flags those on a warning list, and records matches. A pair is recorded
 * when the acting org may see the other side, or the other side's owner may
 * see the new observable; row-level security then shows a match only to
 * viewers who may see both sides. Owners of incident and watchlist
 * observables that matched are alerted, unless the value is on a warning list.
 */
export async function addAndCorrelate(tx: Tx, ctx: Ctx, observables: readonly NewObservable[], opts: CorrelationOptions = {}): Promise<MatchSummary[]> {
  if (!observables.length) return [];
  const orgId = ctx.actor.orgId;
  const lists = await loadWarningLists(tx);
  const now = ctx.clock.now();
  const ids: string[] = [];
  // One jsonb parameter per statement instead of 12 bound values a row:
  // binding and planning ten thousand rows' parameters cost more than storing them.
  const BATCH = 5000;
  for (let i = 0; i < observables.length; i += BATCH) {
    const rows = observables.slice(i, i + BATCH).map((o) => ({
      id: newId(),
      source_kind: o.sourceKind,
      source_ref: o.sourceRef,
      kind: o.kind,
      value: o.value,
      ip: o.ip ?? null,
      ...o.sharing,
      warning: warningFor(lists, o),
    }));
    const got = await sql<{ id: string }>`
      insert into intel_observables (org_id, id, source_kind, source_ref, kind, value, ip, tlp, recipient_orgs, recipient_users, sharing_groups, warning, created_at)
      select ${orgId}::uuid, r.id, r.source_kind, r.source_ref, r.kind, r.value, r.ip, r.tlp, r.recipient_orgs, r.recipient_users, r.sharing_groups, r.warning, ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, source_kind text, source_ref text, kind text, value text, ip inet, tlp text,
                                                                   recipient_orgs uuid[], recipient_users uuid[], sharing_groups uuid[], warning text)
      on conflict (org_id, source_kind, source_ref, kind, value) do update
        set tlp = excluded.tlp, recipient_orgs = excluded.recipient_orgs, recipient_users = excluded.recipient_users,
            sharing_groups = excluded.sharing_groups, warning = excluded.warning
      returning id`.execute(tx);
    ids.push(...got.rows.map((g) => g.id));
  }
  return matchObservables(tx, ctx, ids, opts);
}

/** A CIDR range, not a single address: the predicate of the partial index intel_observables_ranges (0320), written identically so the planner uses it. */
const IS_RANGE = (t: 'n' | 'o') => sql.raw(`(${t}.ip is not null and masklen(${t}.ip) < (case when family(${t}.ip) = 4 then 32 else 128 end))`);

/**
 * The observables matching `where` (over alias `o`), read through the value
 * and address indexes split by source (0325): the indicators' half and the
 * incidents'/watchlists' half, each arm naming its half as the partial
 * index's predicate does. `offset 0` keeps each a parameterised index probe.
 */
const bothHalves = (where: RawBuilder<unknown>) => sql`
  (select * from intel_observables o where o.source_kind = 'stix' and ${where} offset 0)
  union all
  (select * from intel_observables o where o.source_kind <> 'stix' and ${where} offset 0)`;

/** Matches the acting org's observables `ids` against everything else (see addAndCorrelate). */
export async function matchObservables(tx: Tx, ctx: Ctx, ids: readonly string[], opts: CorrelationOptions = {}): Promise<MatchSummary[]> {
  if (!ids.length) return [];
  const orgId = ctx.actor.orgId;
  const userId = ctx.actor.userId;
  // A narrow cross-tenant read: other orgs' observables with the same value
  // (or an overlapping range), each with both visibility answers computed by
  // the one rule; pairs neither side may see are dropped in the same
  // statement. One statement for all the values: the new rows are read by
  // primary key and each probes both halves of the value index (or the
  // range indexes) in a nested loop (bothHalves). `offset 0` keeps each
  // lookup a parameterised index probe: with the join flattened, the planner's guess of how many rows a value
  // has made it sort the values and walk the whole (kind, value) index.
  // JIT is off for the same reason: those guesses priced the statement as a
  // big one, and compiling it cost more than running it.
  const candidates = await asSystem(tx, ctx.actor, async () => {
    await sql`select set_config('jit', 'off', true)`.execute(tx);
    const sides = sql`
      n.id as a_id, n.kind as a_kind, n.value as a_value, n.source_kind as a_source_kind, n.source_ref as a_source_ref, n.warning as a_warning,
      n.tlp as a_tlp, n.recipient_orgs as a_recipient_orgs, n.recipient_users as a_recipient_users, n.sharing_groups as a_sharing_groups,
      o.id as b_id, o.org_id as b_org_id, o.source_kind as b_source_kind, o.source_ref as b_source_ref, o.value as b_value,
      o.tlp as b_tlp, o.recipient_orgs as b_recipient_orgs, o.recipient_users as b_recipient_users, o.sharing_groups as b_sharing_groups`;
    const notSelf = sql`not (o.org_id = n.org_id and o.source_kind = n.source_kind and o.source_ref = n.source_ref)`;
    // Overlaps other than equality (equal addresses have equal canonical
    // values: the exact arm has them): a stored range that contains the
    // value, through the small partial index of ranges (0320), and, for a
    // value that is itself a range, anything inside it. Equal to
    // `o.ip >>= n.ip or o.ip <<= n.ip` without probing every stored address.
    const { rows } = await sql<Candidate>`
      with n as materialized (
        select n.* from unnest(${ids}::uuid[]) as x(id)
          cross join lateral (select * from intel_observables n where n.org_id = ${orgId} and n.id = x.id offset 0) n),
      c as (
        select ${sides} from n
          cross join lateral (${bothHalves(sql`o.kind = n.kind and o.value = n.value and ${notSelf}`)}) o
        union all
        select ${sides} from n
          cross join lateral (select * from intel_observables o where ${IS_RANGE('o')} and o.ip >>= n.ip and o.value <> n.value and ${notSelf} offset 0) o
         where n.ip is not null
        union all
        select ${sides} from n
          cross join lateral (${bothHalves(sql`o.ip is not null and o.ip <<= n.ip and o.value <> n.value and not (${IS_RANGE('o')} and o.ip >>= n.ip) and ${notSelf}`)}) o
         where ${IS_RANGE('n')})
      select * from (
        select c.*,
               intel_can_see(${orgId}::uuid, ${userId}::uuid, c.b_org_id, c.b_tlp, c.b_recipient_orgs, c.b_recipient_users, c.b_sharing_groups) as a_sees_b,
               intel_can_see(c.b_org_id, NULL, ${orgId}::uuid, c.a_tlp, c.a_recipient_orgs, c.a_recipient_users, c.a_sharing_groups) as b_sees_a
          from c) v
       where a_sees_b or b_sees_a`.execute(tx);
    await sql`set local jit to default`.execute(tx);
    return rows;
  });
  if (!candidates.length) return [];

  // The matches in one statement (rows as one jsonb parameter); a pair
  // already recorded is skipped and not alerted again. A system step: the
  // acting org may record a match whose other side only that side's owner
  // may see (RETURNING would otherwise need to see it).
  const now = ctx.clock.now();
  const withIds = candidates.map((c) => ({ ...c, id: newId() }));
  const got = await asSystem(tx, ctx.actor, () =>
    sql<{ id: string }>`
      insert into intel_matches (org_id, id, kind, value, warning, a_observable_id, a_source_kind, a_source_ref, a_tlp, a_recipient_orgs, a_recipient_users, a_sharing_groups,
                                 b_org_id, b_observable_id, b_source_kind, b_source_ref, b_value, b_tlp, b_recipient_orgs, b_recipient_users, b_sharing_groups, created_at)
      select ${orgId}::uuid, r.id, r.a_kind, r.a_value, r.a_warning, r.a_id, r.a_source_kind, r.a_source_ref, r.a_tlp, r.a_recipient_orgs, r.a_recipient_users, r.a_sharing_groups,
             r.b_org_id, r.b_id, r.b_source_kind, r.b_source_ref, r.b_value, r.b_tlp, r.b_recipient_orgs, r.b_recipient_users, r.b_sharing_groups, ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(withIds)}::jsonb) as r(id uuid, a_id uuid, a_kind text, a_value text, a_warning text, a_source_kind text, a_source_ref text,
             a_tlp text, a_recipient_orgs uuid[], a_recipient_users uuid[], a_sharing_groups uuid[], b_id uuid, b_org_id uuid, b_source_kind text, b_source_ref text, b_value text,
             b_tlp text, b_recipient_orgs uuid[], b_recipient_users uuid[], b_sharing_groups uuid[])
      on conflict do nothing
      returning id`.execute(tx),
  );
  const fresh = new Set(got.rows.map((g) => g.id));
  const inserted = withIds.filter((c) => fresh.has(c.id));
  await alert(tx, ctx, inserted, opts);
  return inserted
    .filter((c) => c.a_sees_b)
    .map((c) => ({
      id: c.id,
      kind: c.a_kind,
      value: c.a_value,
      warning: c.a_warning,
      mine: { sourceKind: c.a_source_kind, sourceRef: c.a_source_ref },
      other: { orgId: c.b_org_id, sourceKind: c.b_source_kind, sourceRef: c.b_source_ref, value: c.b_value },
    }));
}

const ALERTED_SOURCES = new Set(['incident', 'watchlist']);

/**
 * Alerts (in-app, and email through the outbox) the owner of each side that
 * is the org's own incident or watchlist data, when that owner may see the
 * other side. Matches on warning-listed values alert no one. The text names
 * only the value and the owner's own record, never the other side's source.
 */
async function alert(tx: Tx, ctx: Ctx, matches: ReadonlyArray<Candidate & { id: string }>, opts: CorrelationOptions): Promise<void> {
  const perOrg = new Map<string, Array<{ id: string; value: string; ref: string; kind: string }>>();
  for (const m of matches) {
    if (m.a_warning) continue;
    if (ALERTED_SOURCES.has(m.a_source_kind) && m.a_sees_b) push(perOrg, ctx.actor.orgId, { id: m.id, value: m.a_value, ref: m.a_source_ref, kind: m.a_source_kind });
    if (ALERTED_SOURCES.has(m.b_source_kind) && m.b_sees_a) push(perOrg, m.b_org_id, { id: m.id, value: m.b_value, ref: m.b_source_ref, kind: m.b_source_kind });
  }
  if (!perOrg.size) return;
  // Notifying another org writes into its rows: a narrow system step.
  await asSystem(tx, ctx.actor, async () => {
    for (const [orgId, list] of perOrg) {
      const members = await tx
        .selectFrom('memberships')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('disabled_at', 'is', null)
        .where(sql<boolean>`roles && ${[...INTEL_READERS]}::text[]`)
        .execute();
      const settings = await tx.selectFrom('intel_alert_settings').select(['email', 'webhook_url']).where('org_id', '=', orgId).executeTakeFirst();
      if (settings?.webhook_url) {
        // Delivered by the intel.webhook job (retried with backoff), so a slow receiver never holds this transaction.
        await tx
          .insertInto('jobs')
          .values({ id: newId(), name: 'intel.webhook', org_id: orgId, payload: JSON.stringify({ url: settings.webhook_url, matches: list.map((m) => ({ id: m.id, value: m.value, sourceKind: m.kind, sourceRef: m.ref })) }), run_at: ctx.clock.now(), max_attempts: 5 })
          .execute();
      }
      await notifyMany(
        tx,
        ctx,
        settings?.email === false ? undefined : opts.mailer,
        list.map((m) => ({
          orgId,
          userIds: members.map((x) => x.user_id),
          kind: 'intel.match',
          title: `Threat intelligence match: ${m.value}`,
          body: `${m.value} from your ${m.kind} ${m.ref} matches threat intelligence shared on the platform.`,
          // An incident's matches are shown on the incident; a watchlist value opens the explorer searching for it.
          link: m.kind === 'incident' ? `/incidents/${m.ref}` : `/intel?q=${encodeURIComponent(m.value)}`,
          email: true,
        })),
      );
    }
  });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
