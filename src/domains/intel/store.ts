import { sql } from 'kysely';
import type { Ctx, Tx } from '../../core/context.js';
import type { SharingColumns } from '../sharing/service.js';
import { observablesForObjects, type NewObservable } from './observable-rows.js';
import { isScoType, papOf, tlpOfMarkings } from './stix-model.js';
import type { StixObjectsTable } from './tables.js';
import type { Insertable } from 'kysely';

/** Rows per INSERT: 26 parameters a row keeps each statement far below PostgreSQL's 65,535. */
const BATCH = 1000;

export interface StoreOptions {
  source: string;
  importId: string | null;
  /** Sharing for objects that carry no TLP marking of their own (and recipients for all). */
  sharing: SharingColumns;
  /** The CERT may re-share these objects anonymised with the community. */
  allowAnonymisedReshare?: boolean;
  onProgress?: (done: number) => void;
}

export interface StoreResult {
  total: number;
  inserted: number;
  unchanged: number;
  /** Observables of the newly stored latest versions (indicators' patterns, SCOs). */
  observables: NewObservable[];
  /** Ids whose latest version changed: their older observables are re-checked. */
  refreshed: string[];
}

type Row = Insertable<StixObjectsTable>;

function versionOf(o: Record<string, unknown>): string {
  return (o.modified as string | undefined) ?? (o.created as string | undefined) ?? '';
}

function ts(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * Stores validated STIX objects for the acting org in the caller's
 * transaction: each (id, modified) is one version; versions already stored
 * are left alone (re-import changes nothing); the newest version of each id
 * is flagged latest. Objects with a TLP marking keep it (TLP 1.0, 2.0 and
 * OpenCTI ids are read); the others get the import's TLP.
 */
export async function storeObjects(tx: Tx, ctx: Ctx, objects: readonly Record<string, unknown>[], opts: StoreOptions): Promise<StoreResult> {
  const orgId = ctx.actor.orgId;
  const now = ctx.clock.now();
  const statements = new Map<string, string>();
  for (const o of objects) {
    if (o.type === 'marking-definition') {
      const def = o.definition as { statement?: string; tlp?: string } | undefined;
      const s = def?.statement ?? (typeof o.name === 'string' ? o.name : undefined);
      if (s) statements.set(o.id as string, s);
    }
  }
  // created_by_ref identities that stand for platform orgs.
  const identityRefs = [...new Set(objects.map((o) => o.created_by_ref).filter((r): r is string => typeof r === 'string'))];
  const producers = new Map<string, string>();
  for (let i = 0; i < identityRefs.length; i += BATCH) {
    const rows = await tx.selectFrom('intel_identities').select(['identity_id', 'org_id']).where('identity_id', 'in', identityRefs.slice(i, i + BATCH)).execute();
    for (const r of rows) producers.set(r.identity_id, r.org_id);
  }

  // One entry per (id, version): a bundle may carry the same version twice.
  const unique = new Map<string, Record<string, unknown>>();
  for (const o of objects) unique.set(`${o.id as string}\u0000${versionOf(o)}`, o);
  const all = [...unique.values()];

  // The newest version of each id in this bundle: a new id's rows get
  // is_latest at insert, so only ids that already had versions need the
  // UPDATE below (rewriting every freshly inserted jsonb row would double
  // the cost of a large import).
  const bundleLatest = new Map<string, Record<string, unknown>>();
  for (const o of all) {
    const cur = bundleLatest.get(o.id as string);
    if (!cur || newer(o, cur)) bundleLatest.set(o.id as string, o);
  }
  let inserted = 0;
  let unchanged = 0;
  const touched = new Set<string>();
  const fresh = new Set<string>();
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    const ids = [...new Set(batch.map((o) => o.id as string))];
    const existing = await tx.selectFrom('stix_objects').select(['stix_id', 'version']).where('org_id', '=', orgId).where('stix_id', 'in', ids).execute();
    const have = new Set(existing.map((e) => `${e.stix_id}\u0000${e.version}`));
    const known = new Set(existing.map((e) => e.stix_id));
    const rows: Row[] = [];
    for (const o of batch) {
      const key = `${o.id as string}\u0000${versionOf(o)}`;
      if (have.has(key)) {
        unchanged++;
        continue;
      }
      const row = toRow(orgId, o, opts, statements, producers, now);
      if (known.has(o.id as string) || touched.has(o.id as string)) touched.add(o.id as string);
      else {
        row.is_latest = bundleLatest.get(o.id as string) === o;
        fresh.add(o.id as string);
      }
      rows.push(row);
    }
    if (rows.length) await tx.insertInto('stix_objects').values(rows).execute();
    inserted += rows.length;
    opts.onProgress?.(Math.min(i + BATCH, all.length));
  }

  // Re-resolve "latest" only for ids that got a new version.
  const latestIds = new Set<string>();
  const touchedIds = [...touched];
  for (let i = 0; i < touchedIds.length; i += BATCH) {
    const chunk = touchedIds.slice(i, i + BATCH);
    await sql`
      with ranked as (
        select stix_id, version, row_number() over (partition by stix_id order by modified desc nulls last, version desc) as rn
          from stix_objects where org_id = ${orgId} and stix_id = any(${chunk}::text[]))
      update stix_objects s set is_latest = (r.rn = 1)
        from ranked r
       where s.org_id = ${orgId} and s.stix_id = r.stix_id and s.version = r.version and s.is_latest <> (r.rn = 1)`.execute(tx);
    const latest = await tx.selectFrom('stix_objects').select('stix_id').where('org_id', '=', orgId).where('stix_id', 'in', chunk).where('is_latest', '=', true).execute();
    for (const l of latest) latestIds.add(l.stix_id);
  }
  const newLatest = all.filter((o) => (touched.has(o.id as string) && latestIds.has(o.id as string)) || (fresh.has(o.id as string) && !touched.has(o.id as string) && bundleLatest.get(o.id as string) === o));
  const observables = observablesForObjects(newLatest, (o) => sharingOf(o, opts.sharing));
  return { total: objects.length, inserted, unchanged, observables, refreshed: [...new Set(newLatest.map((o) => o.id as string))] };
}

/** Whether `a` is a newer version than `b` (modified, then the version text), as the UPDATE orders them. */
function newer(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ma = Date.parse((a.modified ?? a.created ?? '') as string);
  const mb = Date.parse((b.modified ?? b.created ?? '') as string);
  if (Number.isNaN(ma) !== Number.isNaN(mb)) return !Number.isNaN(ma);
  if (ma !== mb) return ma > mb;
  return versionOf(a) > versionOf(b);
}

/** The sharing an object is stored with: its own TLP marking if it has one, else the import's. */
export function sharingOf(o: Record<string, unknown>, fallback: SharingColumns): SharingColumns {
  const own = tlpOfMarkings(o.object_marking_refs as string[] | undefined);
  const tlp = own ?? fallback.tlp;
  const broad = tlp === 'clear' || tlp === 'green';
  return {
    tlp,
    recipient_orgs: broad ? [] : fallback.recipient_orgs,
    recipient_users: tlp === 'red' ? fallback.recipient_users : [],
    sharing_groups: broad || tlp === 'amber+strict' || tlp === 'red' ? [] : fallback.sharing_groups,
  };
}

function toRow(orgId: string, o: Record<string, unknown>, opts: StoreOptions, statements: ReadonlyMap<string, string>, producers: ReadonlyMap<string, string>, now: Date): Row {
  const share = sharingOf(o, opts.sharing);
  const labels = Array.isArray(o.labels) ? (o.labels as unknown[]).filter((l): l is string => typeof l === 'string') : [];
  const name = typeof o.name === 'string' ? o.name : typeof o.value === 'string' ? o.value : null;
  return {
    org_id: orgId,
    stix_id: o.id as string,
    version: versionOf(o),
    type: o.type as string,
    spec_version: typeof o.spec_version === 'string' ? o.spec_version : isScoType(o.type as string) ? null : '2.1',
    created: ts(o.created),
    modified: ts(o.modified) ?? ts(o.created),
    created_by_ref: typeof o.created_by_ref === 'string' ? o.created_by_ref : null,
    producer_org_id: typeof o.created_by_ref === 'string' ? (producers.get(o.created_by_ref) ?? null) : null,
    revoked: o.revoked === true,
    deprecated: o.x_mitre_deprecated === true,
    labels,
    name: name ? name.slice(0, 1000) : null,
    confidence: typeof o.confidence === 'number' ? o.confidence : null,
    pattern_type: typeof o.pattern_type === 'string' ? o.pattern_type : null,
    pap: papOf(o, statements),
    object_marking_refs: Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as string[]) : [],
    tlp: share.tlp,
    recipient_orgs: share.recipient_orgs,
    recipient_users: share.recipient_users,
    sharing_groups: share.sharing_groups,
    source: opts.source,
    import_id: opts.importId,
    allow_anonymised_reshare: opts.allowAnonymisedReshare ?? false,
    is_latest: false,
    added_at: now,
    doc: JSON.stringify(o),
  };
}
