import { sql, type SelectQueryBuilder } from 'kysely';
import type { Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { likePattern } from '../../core/paging.js';
import type { DB } from '../../db/types.js';
import { inverseRelationship } from './model.js';
import type { FrameworkRow, MappingRow, RequirementFilter, RequirementRow } from './schema.js';
import type { CatalogFrameworksTable, CatalogRequirementsTable } from './tables.js';
import './tables.js';

type FrameworkDb = Omit<CatalogFrameworksTable, 'imported_at'> & { imported_at: Date };

export function toFrameworkRow(r: FrameworkDb): FrameworkRow {
  return {
    key: r.key,
    name: r.name,
    version: r.version,
    publisher: r.publisher,
    description: r.description,
    origin: r.origin,
    source: r.source,
    oscalVersion: r.oscal_version,
    requirementCount: r.requirement_count,
    importedAt: new Date(r.imported_at).toISOString(),
  };
}

const REQ_COLUMNS = ['framework_key', 'ref', 'parent_ref', 'kind', 'title', 'statement', 'guidance', 'theme', 'is_new', 'attributes', 'position', 'depth'] as const;
type ReqDb = Omit<Pick<CatalogRequirementsTable, (typeof REQ_COLUMNS)[number]>, 'attributes'> & { attributes: Record<string, string[]> | string; label: string | null };

export function toRequirementRow(r: ReqDb): RequirementRow {
  return {
    frameworkKey: r.framework_key,
    ref: r.ref,
    label: r.label,
    parentRef: r.parent_ref,
    kind: r.kind,
    title: r.title,
    statement: r.statement,
    guidance: r.guidance,
    theme: r.theme,
    isNew: r.is_new,
    attributes: (typeof r.attributes === 'string' ? JSON.parse(r.attributes) : r.attributes) as Record<string, string[]>,
    position: r.position,
    depth: r.depth,
  };
}

export async function selectFrameworks(tx: Tx, key?: string): Promise<FrameworkDb[]> {
  let q = tx.selectFrom('catalog_frameworks').selectAll();
  if (key !== undefined) q = q.where('key', '=', key);
  return q.orderBy(sql`origin = 'shipped'`, 'desc').orderBy('name').execute();
}

/** `type:value` pairs grouped by type; a malformed one names its position in `field`. */
export function parseAttributeFilters(attr: readonly string[], field: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  attr.forEach((a, i) => {
    const at = a.indexOf(':');
    if (at <= 0 || at === a.length - 1) throw invalid(`${field}.${i}`, `"${a}" must look like type:value, e.g. control_type:detective`);
    const type = a.slice(0, at).trim();
    const value = a.slice(at + 1).trim();
    out.set(type, [...(out.get(type) ?? []), value]);
  });
  return out;
}

type ReqQuery = SelectQueryBuilder<DB, 'catalog_requirements', object>;

function filtered(tx: Tx, key: string, f: Partial<RequirementFilter>): ReqQuery {
  let q: ReqQuery = tx.selectFrom('catalog_requirements').where('framework_key', '=', key);
  if (f.q) {
    const pat = likePattern(f.q);
    q = q.where((eb) =>
      eb.or([eb('ref', 'ilike', pat), eb('title', 'ilike', pat), eb('statement', 'ilike', pat), eb('guidance', 'ilike', pat), eb(sql<string>`detail->>'label'`, 'ilike', pat)]),
    );
  }
  if (f.kind?.length) q = q.where('kind', 'in', f.kind);
  if (f.theme?.length) q = q.where('theme', 'in', f.theme);
  if (f.parent !== undefined) q = f.parent === 'root' ? q.where('parent_ref', 'is', null) : q.where('parent_ref', '=', f.parent);
  if (f.refs?.length) q = q.where('ref', 'in', f.refs);
  if (f.isNew !== undefined) q = q.where('is_new', '=', f.isNew);
  if (f.attr?.length) {
    for (const [type, values] of parseAttributeFilters(f.attr, 'query.attr')) {
      // jsonb containment uses the GIN index; values of one type are ORed.
      q = q.where((eb) => eb.or(values.map((v) => eb(sql`attributes`, '@>', sql`${JSON.stringify({ [type]: [v] })}::jsonb`))));
    }
  }
  return q;
}

/** Requirements of a framework in tree order, filtered; `limit` undefined = all. */
export async function selectRequirements(tx: Tx, key: string, f: Partial<RequirementFilter>, page?: { limit: number; offset: number }): Promise<RequirementRow[]> {
  let q = filtered(tx, key, f)
    .select([...REQ_COLUMNS])
    .select(sql<string | null>`detail->>'label'`.as('label'))
    .orderBy('position');
  if (page) q = q.limit(page.limit).offset(page.offset);
  return (await q.execute()).map(toRequirementRow);
}

export async function countRequirements(tx: Tx, key: string, f: Partial<RequirementFilter>): Promise<number> {
  const r = await filtered(tx, key, f).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Mappings between two frameworks, whichever direction they were stored in:
 * rows stored as to->from are turned around (subset <-> superset). Ordered
 * by the position of the `from` requirement, then the `to` requirement.
 */
export async function selectMappings(tx: Tx, from: string, to: string, refs?: readonly string[]): Promise<MappingRow[]> {
  // `a` is the side asked about (from), `b` the other; a stored row is read as-is (forward) or turned around.
  const side = (forward: boolean) => {
    const q = tx
      .selectFrom('catalog_mappings as m')
      .innerJoin('catalog_requirements as f', (j) => j.onRef('f.framework_key', '=', 'm.from_framework').onRef('f.ref', '=', 'm.from_ref'))
      .innerJoin('catalog_requirements as t', (j) => j.onRef('t.framework_key', '=', 'm.to_framework').onRef('t.ref', '=', 'm.to_ref'))
      .select(['m.relationship', 'm.source', 'm.note'])
      .where('m.from_framework', '=', forward ? from : to)
      .where('m.to_framework', '=', forward ? to : from);
    return forward
      ? q.select(['m.from_ref as a_ref', 'm.to_ref as b_ref', 'f.position as a_pos', 't.position as b_pos', 't.title as b_title'])
      : q.select(['m.to_ref as a_ref', 'm.from_ref as b_ref', 't.position as a_pos', 'f.position as b_pos', 'f.title as b_title']);
  };
  const forward = side(true);
  const backward = side(false);
  // One connection per transaction: run the two directions one after the other.
  const fw = await (refs ? forward.where('m.from_ref', 'in', refs.length ? refs : ['\u0000']) : forward).execute();
  const bw = await (refs ? backward.where('m.to_ref', 'in', refs.length ? refs : ['\u0000']) : backward).execute();
  const rows = [...fw.map((r) => ({ ...r, inverse: false })), ...bw.map((r) => ({ ...r, inverse: true }))];
  rows.sort((x, y) => x.a_pos - y.a_pos || x.b_pos - y.b_pos);
  return rows.map((r) => ({
    fromFramework: from,
    fromRef: r.a_ref,
    toFramework: to,
    toRef: r.b_ref,
    relationship: r.inverse ? inverseRelationship(r.relationship) : r.relationship,
    source: r.source,
    note: r.note,
    toTitle: r.b_title,
  }));
}

/** Keys of the frameworks `key` has mappings with, either direction. */
export async function mappedFrameworks(tx: Tx, key: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('catalog_mappings')
    .select('to_framework as k')
    .where('from_framework', '=', key)
    .union(tx.selectFrom('catalog_mappings').select('from_framework as k').where('to_framework', '=', key))
    .execute();
  return rows.map((r) => r.k).sort();
}

/** attribute type -> [{value, count}] over a framework, most common first. */
export async function attributeFacets(tx: Tx, key: string): Promise<Record<string, Array<{ value: string; count: number }>>> {
  const rows = await sql<{ type: string; value: string; n: string }>`
    SELECT a.key AS type, v.value AS value, count(*) AS n
      FROM catalog_requirements r, jsonb_each(r.attributes) a, jsonb_array_elements_text(a.value) v
     WHERE r.framework_key = ${key} AND jsonb_typeof(a.value) = 'array'
     GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`.execute(tx);
  const out: Record<string, Array<{ value: string; count: number }>> = {};
  for (const r of rows.rows) (out[r.type] ??= []).push({ value: r.value, count: Number(r.n) });
  return out;
}

export async function kindCounts(tx: Tx, key: string): Promise<{ kinds: Record<string, number>; themes: Array<{ value: string; count: number }> }> {
  const kinds = await tx.selectFrom('catalog_requirements').select(['kind', (eb) => eb.fn.countAll<string>().as('n')]).where('framework_key', '=', key).groupBy('kind').execute();
  const themes = await tx
    .selectFrom('catalog_requirements')
    .select(['theme', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('position').as('first')])
    .where('framework_key', '=', key)
    .where('theme', 'is not', null)
    .groupBy('theme')
    .orderBy('first')
    .execute();
  return {
    kinds: Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)])),
    themes: themes.map((t) => ({ value: t.theme!, count: Number(t.n) })),
  };
}
