import { authorize, can } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { AssetErrors } from './errors.js';
import { findCycles, neighbourhood } from './graph.js';
import { AssetActions } from './policy.js';
import * as repo from './repo.js';
import type { AssetCreate, AssetDetail, AssetGraph, AssetQuery, AssetRef, AssetRow, AssetUpdate, GraphQuery } from './schema.js';

/** Maps a database row to the API shape, with what the actor may do with it. */
export function toAssetRow(ctx: Ctx, r: repo.AssetDbRow): AssetRow {
  const user = (id: string | null, name: string | null, email: string | null) => (id ? { id, displayName: name ?? '', email: email ?? '' } : null);
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    description: r.description,
    owner: user(r.owner_id, r.owner_name, r.owner_email),
    custodian: user(r.custodian_id, r.custodian_name, r.custodian_email),
    location: r.location,
    confidentiality: r.confidentiality,
    integrity: r.integrity,
    availability: r.availability,
    criticality: r.criticality,
    acquiredOn: r.acquired_on,
    reviewDueOn: r.review_due_on,
    retiredOn: r.retired_on,
    tags: r.tags,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    actions: can(ctx.actor, AssetActions['assets.manage']) ? ['update', 'delete'] : [],
  };
}

/** The inventory: search, filter by type/owner/criticality/tag, sort, paginate. */
export async function listAssets(ctx: Ctx, q: AssetQuery): Promise<PagedResult<AssetRow>> {
  authorize(ctx.actor, AssetActions['assets.read']);
  return inTx(ctx, async (tx) => {
    const { rows, total } = await repo.findAssets(tx, ctx.actor.orgId, q, q);
    return { items: rows.map((r) => toAssetRow(ctx, r)), total, limit: q.limit, offset: q.offset };
  });
}

/** One asset with what it depends on and what depends on it. */
export async function getAsset(ctx: Ctx, id: string): Promise<AssetDetail> {
  authorize(ctx.actor, AssetActions['assets.read']);
  return inTx(ctx, async (tx) => {
    const row = await repo.findAsset(tx, ctx.actor.orgId, id);
    if (!row) throw AssetErrors.ASSET_NOT_FOUND();
    const deps = await repo.dependencyRefs(tx, ctx.actor.orgId, id);
    return { ...toAssetRow(ctx, row), ...deps };
  });
}

/**
 * For other domains (risks, incidents): the acting org's assets among `ids`,
 * as short references. Ids of other orgs are simply absent.
 */
export async function getAssetsByIds(ctx: Ctx, ids: readonly string[]): Promise<AssetRef[]> {
  authorize(ctx.actor, AssetActions['assets.read']);
  return inTx(ctx, (tx) => repo.assetRefsByIds(tx, ctx.actor.orgId, ids));
}

/**
 * For other domains' writes, inside their transaction: throws ASSET_NOT_FOUND
 * (naming `path`) unless every id is an asset of the acting org.
 */
export async function assertAssetsExist(tx: Tx, ctx: Ctx, ids: readonly string[], path = 'body.assetIds'): Promise<AssetRef[]> {
  const unique = [...new Set(ids)];
  const found = await repo.assetRefsByIds(tx, ctx.actor.orgId, unique);
  if (found.length !== unique.length) {
    const have = new Set(found.map((f) => f.id));
    const missing = unique.filter((id) => !have.has(id));
    throw AssetErrors.ASSET_NOT_FOUND(`Asset not found: ${missing.join(', ')}`, missing.map((id) => ({ path, message: `asset ${id} not found` })));
  }
  return found;
}

async function assertMembers(tx: Tx, ctx: Ctx, input: { ownerId?: string | null | undefined; custodianId?: string | null | undefined }): Promise<void> {
  const wanted = [['body.ownerId', input.ownerId], ['body.custodianId', input.custodianId]] as const;
  if (!wanted.some(([, id]) => id)) return;
  const members = new Set((await repo.orgMembers(tx, ctx.actor.orgId)).map((m) => m.id));
  for (const [path, id] of wanted) if (id && !members.has(id)) throw invalid(path, 'not a member of this organisation');
}

async function assertNameFree(tx: Tx, ctx: Ctx, name: string, self?: string): Promise<void> {
  const clash = (await repo.assetIdsByName(tx, ctx.actor.orgId, [name])).get(name.toLowerCase());
  if (clash && clash !== self) throw AssetErrors.ASSET_EXISTS(`An asset named "${name}" exists`, [{ path: 'body.name', message: 'already used by another asset' }]);
}

async function checkDependencies(tx: Tx, ctx: Ctx, assetId: string, dependsOn: readonly string[]): Promise<void> {
  if (dependsOn.includes(assetId)) throw invalid('body.dependsOn', 'an asset cannot depend on itself');
  await assertAssetsExist(tx, ctx, dependsOn, 'body.dependsOn');
}

/** Adds an asset; criticality defaults to the highest of its C, I and A ratings. */
export async function createAsset(ctx: Ctx, input: AssetCreate): Promise<AssetDetail> {
  authorize(ctx.actor, AssetActions['assets.manage']);
  const id = newId();
  await inTx(ctx, async (tx) => {
    await assertNameFree(tx, ctx, input.name);
    await assertMembers(tx, ctx, input);
    await checkDependencies(tx, ctx, id, input.dependsOn ?? []);
    const now = ctx.clock.now();
    const values = {
      org_id: ctx.actor.orgId,
      id,
      name: input.name,
      type: input.type,
      description: input.description ?? '',
      owner_id: input.ownerId ?? null,
      custodian_id: input.custodianId ?? null,
      location: input.location ?? '',
      confidentiality: input.confidentiality,
      integrity: input.integrity,
      availability: input.availability,
      criticality: input.criticality ?? Math.max(input.confidentiality, input.integrity, input.availability),
      acquired_on: input.acquiredOn ?? null,
      review_due_on: input.reviewDueOn ?? null,
      retired_on: input.retiredOn ?? null,
      tags: [...new Set(input.tags ?? [])],
      created_at: now,
      updated_at: now,
    };
    await tx.insertInto('assets').values(values).execute();
    if (input.dependsOn?.length) await repo.replaceDependencies(tx, ctx.actor.orgId, id, input.dependsOn);
    await audit(tx, ctx, { action: 'assets.create', entityType: 'asset', entityId: id, after: { ...values, dependsOn: input.dependsOn ?? [] }, details: { name: input.name } });
  });
  return getAsset(ctx, id);
}

/** Changes an asset; only the fields given change. `dependsOn` replaces the dependencies. */
export async function updateAsset(ctx: Ctx, id: string, patch: AssetUpdate): Promise<AssetDetail> {
  authorize(ctx.actor, AssetActions['assets.manage']);
  await inTx(ctx, async (tx) => {
    const before = await repo.findAsset(tx, ctx.actor.orgId, id);
    if (!before) throw AssetErrors.ASSET_NOT_FOUND();
    if (patch.name !== undefined) await assertNameFree(tx, ctx, patch.name, id);
    await assertMembers(tx, ctx, patch);
    if (patch.dependsOn) await checkDependencies(tx, ctx, id, patch.dependsOn);
    const set: Record<string, unknown> = { updated_at: ctx.clock.now() };
    const map: Record<string, string> = {
      name: 'name', type: 'type', description: 'description', ownerId: 'owner_id', custodianId: 'custodian_id', location: 'location',
      confidentiality: 'confidentiality', integrity: 'integrity', availability: 'availability', criticality: 'criticality',
      acquiredOn: 'acquired_on', reviewDueOn: 'review_due_on', retiredOn: 'retired_on', tags: 'tags',
    };
    for (const [k, col] of Object.entries(map)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v !== undefined) set[col] = k === 'tags' ? [...new Set(v as string[])] : v;
    }
    await tx.updateTable('assets').set(set).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
    if (patch.dependsOn) await repo.replaceDependencies(tx, ctx.actor.orgId, id, patch.dependsOn);
    const after = await repo.findAsset(tx, ctx.actor.orgId, id);
    await audit(tx, ctx, { action: 'assets.update', entityType: 'asset', entityId: id, before, after: { ...after, dependsOn: patch.dependsOn }, details: { fields: Object.keys(patch) } });
  });
  return getAsset(ctx, id);
}

/** Replaces what an asset depends on. */
export async function setDependencies(ctx: Ctx, id: string, dependsOn: string[]): Promise<AssetDetail> {
  return updateAsset(ctx, id, { dependsOn });
}

/** Deletes an asset; refused with ASSET_IN_USE while risks or incidents reference it. */
export async function deleteAsset(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, AssetActions['assets.manage']);
  try {
    await inTx(ctx, async (tx) => {
      const before = await repo.findAsset(tx, ctx.actor.orgId, id);
      if (!before) throw AssetErrors.ASSET_NOT_FOUND();
      await tx.deleteFrom('assets').where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
      await audit(tx, ctx, { action: 'assets.delete', entityType: 'asset', entityId: id, before, details: { name: before.name } });
    });
  } catch (err) {
    // 23503: a foreign key from another domain's table (risk_assets, incident assets) still points here.
    if ((err as { code?: string }).code === '23503') throw AssetErrors.ASSET_IN_USE();
    throw err;
  }
}

/** Nodes and edges for the dependency graph, whole inventory or around one asset; cycles are flagged. */
export async function assetGraph(ctx: Ctx, q: GraphQuery): Promise<AssetGraph> {
  authorize(ctx.actor, AssetActions['assets.read']);
  return inTx(ctx, async (tx) => {
    let edges = (await repo.allEdges(tx, ctx.actor.orgId)).map((e) => ({ from: e.asset_id, to: e.depends_on_id }));
    let ids: string[];
    if (q.root) {
      if (!(await repo.findAsset(tx, ctx.actor.orgId, q.root))) throw AssetErrors.ASSET_NOT_FOUND();
      const keep = neighbourhood(q.root, edges, q.depth);
      edges = edges.filter((e) => keep.has(e.from) && keep.has(e.to));
      ids = [...keep];
    } else {
      ids = (await tx.selectFrom('assets').select('id').where('org_id', '=', ctx.actor.orgId).execute()).map((r) => r.id);
    }
    const cycles = findCycles(ids, edges);
    const comp = new Map<string, number>();
    cycles.forEach((c, i) => c.forEach((id) => comp.set(id, i)));
    const refs = await repo.assetRefsByIds(tx, ctx.actor.orgId, ids);
    return {
      nodes: refs.map((r) => ({ ...r, inCycle: comp.has(r.id) })),
      edges: edges.map((e) => ({ ...e, inCycle: comp.has(e.from) && comp.get(e.from) === comp.get(e.to) })),
      cycles,
    };
  });
}
