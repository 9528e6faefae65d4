import { sql, type ColumnType, type Generated } from 'kysely';
import type { Tx } from '../../core/context.js';
import { likePattern } from '../../core/paging.js';
import type { CreatedAt } from '../../db/types.js';
import type { AssetFilter, AssetType } from './schema.js';

/** A `date` column: written as 'YYYY-MM-DD', read back through `::text` (see DATE_COLUMNS). */
type DateCol = ColumnType<string | null, string | null | undefined, string | null>;

export interface AssetsTable {
  org_id: string;
  id: string;
  name: string;
  type: AssetType;
  description: Generated<string>;
  owner_id: string | null;
  custodian_id: string | null;
  location: Generated<string>;
  confidentiality: number;
  integrity: number;
  availability: number;
  criticality: number;
  acquired_on: DateCol;
  review_due_on: DateCol;
  retired_on: DateCol;
  tags: Generated<string[]>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AssetDependenciesTable {
  org_id: string;
  asset_id: string;
  depends_on_id: string;
  created_at: CreatedAt;
}

declare module '../../db/types.js' {
  interface DB {
    assets: AssetsTable;
    asset_dependencies: AssetDependenciesTable;
  }
}

export interface AssetDbRow {
  id: string;
  name: string;
  type: AssetType;
  description: string;
  owner_id: string | null;
  custodian_id: string | null;
  location: string;
  confidentiality: number;
  integrity: number;
  availability: number;
  criticality: number;
  acquired_on: string | null;
  review_due_on: string | null;
  retired_on: string | null;
  tags: string[];
  created_at: Date;
  updated_at: Date;
  owner_name: string | null;
  owner_email: string | null;
  custodian_name: string | null;
  custodian_email: string | null;
}

/** The asset columns with dates as text (node-postgres would turn a `date` into a local-time Date). */
function selectAssets(tx: Tx) {
  return tx
    .selectFrom('assets as a')
    .leftJoin('users as uo', 'uo.id', 'a.owner_id')
    .leftJoin('users as uc', 'uc.id', 'a.custodian_id')
    .select([
      'a.id', 'a.name', 'a.type', 'a.description', 'a.owner_id', 'a.custodian_id', 'a.location',
      'a.confidentiality', 'a.integrity', 'a.availability', 'a.criticality', 'a.tags', 'a.created_at', 'a.updated_at',
      sql<string | null>`a.acquired_on::text`.as('acquired_on'),
      sql<string | null>`a.review_due_on::text`.as('review_due_on'),
      sql<string | null>`a.retired_on::text`.as('retired_on'),
      'uo.display_name as owner_name', 'uo.email as owner_email',
      'uc.display_name as custodian_name', 'uc.email as custodian_email',
    ]);
}

function applyFilter<Q extends ReturnType<typeof selectAssets>>(q: Q, orgId: string, f: Partial<AssetFilter>): Q {
  let out = q.where('a.org_id', '=', orgId) as Q;
  if (f.q) {
    const p = likePattern(f.q);
    out = out.where((eb) => eb.or([eb('a.name', 'ilike', p), eb('a.description', 'ilike', p), eb('a.location', 'ilike', p)])) as Q;
  }
  if (f.type) out = out.where('a.type', '=', f.type) as Q;
  if (f.ownerId) out = out.where('a.owner_id', '=', f.ownerId) as Q;
  if (f.criticality) out = out.where('a.criticality', '=', f.criticality) as Q;
  if (f.minCriticality) out = out.where('a.criticality', '>=', f.minCriticality) as Q;
  if (f.tag) out = out.where(sql<boolean>`${f.tag} = any(a.tags)`) as Q;
  if (f.retired === 'true') out = out.where('a.retired_on', 'is not', null) as Q;
  if (f.retired === 'false') out = out.where('a.retired_on', 'is', null) as Q;
  return out;
}

/** One page of assets matching the filter, with the total. */
export async function findAssets(tx: Tx, orgId: string, f: AssetFilter, page: { limit: number; offset: number }): Promise<{ rows: AssetDbRow[]; total: number }> {
  const base = applyFilter(selectAssets(tx), orgId, f);
  const sortCol = `a.${f.sort}` as const;
  const [rows, total] = await Promise.all([
    base.orderBy(sortCol, f.order).orderBy('a.id').limit(page.limit).offset(page.offset).execute(),
    applyFilter(selectAssets(tx), orgId, f).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Every asset matching the filter, in name order (exports). */
export async function findAllAssets(tx: Tx, orgId: string, f: Partial<AssetFilter>): Promise<AssetDbRow[]> {
  return applyFilter(selectAssets(tx), orgId, f).orderBy('a.name').execute();
}

export async function findAsset(tx: Tx, orgId: string, id: string): Promise<AssetDbRow | undefined> {
  return selectAssets(tx).where('a.org_id', '=', orgId).where('a.id', '=', id).executeTakeFirst();
}

export async function findAssetsByIds(tx: Tx, orgId: string, ids: readonly string[]): Promise<AssetDbRow[]> {
  if (ids.length === 0) return [];
  return selectAssets(tx).where('a.org_id', '=', orgId).where('a.id', 'in', [...ids]).orderBy('a.name').execute();
}

/** Existing assets by lower-cased name: the import key. */
export async function assetIdsByName(tx: Tx, orgId: string, names: readonly string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await tx
    .selectFrom('assets')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where(sql`lower(name)`, 'in', names.map((n) => n.toLowerCase()))
    .execute();
  return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
}

export async function dependencyRefs(tx: Tx, orgId: string, id: string) {
  const cols = ['a.id', 'a.name', 'a.type', 'a.criticality'] as const;
  const [dependsOn, dependents] = await Promise.all([
    tx.selectFrom('asset_dependencies as d').innerJoin('assets as a', (j) => j.onRef('a.org_id', '=', 'd.org_id').onRef('a.id', '=', 'd.depends_on_id'))
      .select(cols).where('d.org_id', '=', orgId).where('d.asset_id', '=', id).orderBy('a.name').execute(),
    tx.selectFrom('asset_dependencies as d').innerJoin('assets as a', (j) => j.onRef('a.org_id', '=', 'd.org_id').onRef('a.id', '=', 'd.asset_id'))
      .select(cols).where('d.org_id', '=', orgId).where('d.depends_on_id', '=', id).orderBy('a.name').execute(),
  ]);
  return { dependsOn, dependents };
}

/** Replaces what `assetId` depends on. */
export async function replaceDependencies(tx: Tx, orgId: string, assetId: string, dependsOn: readonly string[]): Promise<void> {
  await tx.deleteFrom('asset_dependencies').where('org_id', '=', orgId).where('asset_id', '=', assetId).execute();
  const unique = [...new Set(dependsOn)];
  if (unique.length) {
    await tx.insertInto('asset_dependencies').values(unique.map((d) => ({ org_id: orgId, asset_id: assetId, depends_on_id: d }))).execute();
  }
}

export async function allEdges(tx: Tx, orgId: string): Promise<Array<{ asset_id: string; depends_on_id: string }>> {
  return tx.selectFrom('asset_dependencies').select(['asset_id', 'depends_on_id']).where('org_id', '=', orgId).execute();
}

export async function assetRefsByIds(tx: Tx, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return tx.selectFrom('assets').select(['id', 'name', 'type', 'criticality']).where('org_id', '=', orgId).where('id', 'in', [...ids]).orderBy('name').execute();
}

/** Active members of the org by lower-cased email and by id (owners and custodians must be members). */
export async function orgMembers(tx: Tx, orgId: string): Promise<Array<{ id: string; email: string }>> {
  return tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email'])
    .where('m.org_id', '=', orgId)
    .where('m.disabled_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .execute();
}
