/**
 * The catalogs contract other domains build on (the Statement of
 * Applicability, applied controls, compliance, risk treatment).
 *
 * Catalogs are reference data, the same for every organisation and readable
 * by every signed-in role. Two flavours of each read:
 *
 * - `(tx, ...)` functions run inside the caller's transaction and do no
 *   authorisation (the caller already authorised its own action);
 * - `(ctx, ...)` functions authorise `catalogs.read` and open their own
 *   transaction (routes, CLI).
 *
 * Framework keys: `iso27001-2022`, `nist-csf-2.0`, and for imported OSCAL
 * catalogs the key given on import or a slug of the catalog title.
 * Requirement refs: `A.8.7`, `6.1.3`, `A.5` (theme) for ISO; `GV`,
 * `GV.OC`, `GV.OC-01` for CSF; the OSCAL id (`ac-2.1`) for imports.
 */
import { allowedActions, authorize } from '../../core/access/index.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import type { PagedResult } from '../../core/paging.js';
import { ISO27001_KEY } from './data/iso27001-2022.js';
import { CatalogErrors } from './errors.js';
import { CatalogActions } from './policy.js';
import * as repo from './repo.js';
import type { FrameworkDetail, FrameworkRow, MappingRow, RequirementDetail, RequirementFilter, RequirementRow } from './schema.js';

export { ISO27001_KEY } from './data/iso27001-2022.js';
export { CSF_KEY } from './shipped.js';
export type { FrameworkRow, MappingRow, RequirementRow } from './schema.js';
export type { Relationship } from './model.js';

/** Options for {@link requirementsOf}. */
export interface RequirementOptions {
  /** Only these refs (exact). */
  refs?: readonly string[];
  /** Only these kinds, e.g. ['control'] or ['subcategory']. */
  kinds?: readonly string[];
  /** Attribute filters `type:value` (types ANDed, values of one type ORed). */
  attr?: readonly string[];
  theme?: readonly string[];
  isNew?: boolean;
}

// ---------------------------------------------------------------- in a transaction

/** Every framework (shipped first, then by name). */
export async function frameworksIn(tx: Tx): Promise<FrameworkRow[]> {
  return (await repo.selectFrameworks(tx)).map(repo.toFrameworkRow);
}

/** One framework, or CATALOG_NOT_FOUND. */
export async function frameworkIn(tx: Tx, key: string): Promise<FrameworkRow> {
  const row = (await repo.selectFrameworks(tx, key))[0];
  if (!row) throw CatalogErrors.CATALOG_NOT_FOUND(`No framework has the key ${key}`);
  return repo.toFrameworkRow(row);
}

/**
 * Requirements of a framework in tree order (parents before children), each
 * with kind, title, statement, guidance, theme, parent ref, is-new flag and
 * attributes. Unknown refs in `opts.refs` are simply absent from the answer.
 */
export async function requirementsOf(tx: Tx, key: string, opts: RequirementOptions = {}): Promise<RequirementRow[]> {
  return repo.selectRequirements(tx, key, {
    ...(opts.refs ? { refs: [...opts.refs] } : {}),
    ...(opts.kinds ? { kind: [...opts.kinds] } : {}),
    ...(opts.attr ? { attr: [...opts.attr] } : {}),
    ...(opts.theme ? { theme: [...opts.theme] } : {}),
    ...(opts.isNew !== undefined ? { isNew: opts.isNew } : {}),
  });
}

/** The 93 ISO/IEC 27001:2022 Annex A controls in order (A.5.1 ... A.8.34) with title, theme, attributes and is-new flag. */
export async function annexAControlsIn(tx: Tx): Promise<RequirementRow[]> {
  return requirementsOf(tx, ISO27001_KEY, { kinds: ['control'] });
}

/**
 * Mappings between requirements of two frameworks, usable in both
 * directions: `mappingsIn(tx, 'nist-csf-2.0', 'iso27001-2022')` and
 * `mappingsIn(tx, 'iso27001-2022', 'nist-csf-2.0')` answer the same pairs
 * turned around (subset and superset swap). `fromRefs` limits the `from` side.
 */
export async function mappingsIn(tx: Tx, from: string, to: string, fromRefs?: readonly string[]): Promise<MappingRow[]> {
  return repo.selectMappings(tx, from, to, fromRefs);
}

/** Refs among `refs` that the framework does not have (of the given kinds, when given). Order kept, duplicates once. */
export async function unknownRefsIn(tx: Tx, key: string, refs: readonly string[], kinds?: readonly string[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const found = new Set((await requirementsOf(tx, key, { refs, ...(kinds ? { kinds } : {}) })).map((r) => r.ref));
  return [...new Set(refs)].filter((r) => !found.has(r));
}

/**
 * Resolves user-typed refs to the framework's own refs, case-insensitively
 * (`a.8.7` -> `A.8.7`), optionally only of some kinds. The first unknown
 * one throws VALIDATION_FAILED naming `${field}.${index}`; an unknown
 * framework names `field` itself. Duplicates are dropped, order kept.
 */
export async function resolveRefsIn(tx: Tx, key: string, refs: readonly string[], opts: { field: string; kinds?: readonly string[]; describe?: string }): Promise<string[]> {
  const fw = (await repo.selectFrameworks(tx, key))[0];
  if (!fw) throw invalid(opts.field, `there is no framework with the key ${key}`);
  const wanted = refs.map((r) => r.trim().toLowerCase());
  let q = tx.selectFrom('catalog_requirements').select(['ref']).where('framework_key', '=', key);
  if (opts.kinds?.length) q = q.where('kind', 'in', [...opts.kinds]);
  const rows = wanted.length ? await q.where((eb) => eb(eb.fn('lower', ['ref']), 'in', wanted)).execute() : [];
  const byLower = new Map(rows.map((r) => [r.ref.toLowerCase(), r.ref]));
  const out: string[] = [];
  wanted.forEach((w, i) => {
    const ref = byLower.get(w);
    if (!ref) throw invalid(`${opts.field}.${i}`, `"${refs[i]}" is not ${opts.describe ?? `a requirement of ${fw.name}`}`);
    out.push(ref);
  });
  return [...new Set(out)];
}

/**
 * Throws VALIDATION_FAILED naming `${field}.${index}` for the first ref the
 * framework does not have (exact match; of the given kinds when given).
 */
export async function assertRefsIn(tx: Tx, key: string, refs: readonly string[], opts: { field: string; kinds?: readonly string[] }): Promise<void> {
  const fw = (await repo.selectFrameworks(tx, key))[0];
  if (!fw) throw invalid(opts.field, `there is no framework with the key ${key}`);
  const unknown = new Set(await unknownRefsIn(tx, key, refs, opts.kinds));
  const i = refs.findIndex((r) => unknown.has(r));
  if (i >= 0) throw invalid(`${opts.field}.${i}`, `"${refs[i]}" is not a requirement of ${fw.name}`);
}

// ---------------------------------------------------------------- as an actor

/** Every framework. */
export async function listFrameworks(ctx: Ctx): Promise<FrameworkRow[]> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, (tx) => frameworksIn(tx));
}

/** A framework with counts per kind, themes, attribute values (for filters) and the frameworks it maps to. */
export async function getFramework(ctx: Ctx, key: string): Promise<FrameworkDetail> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    const fw = await frameworkIn(tx, key);
    const { kinds, themes } = await repo.kindCounts(tx, key);
    return {
      ...fw,
      kinds,
      themes,
      attributes: await repo.attributeFacets(tx, key),
      mappedFrameworks: await repo.mappedFrameworks(tx, key),
      actions: allowedActions(ctx.actor, fw.origin === 'imported' ? [CatalogActions['catalogs.import']] : []),
    };
  });
}

/** Requirements of a framework (see {@link requirementsOf}); CATALOG_NOT_FOUND for an unknown key. */
export async function getRequirements(ctx: Ctx, key: string, opts: RequirementOptions = {}): Promise<RequirementRow[]> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    await frameworkIn(tx, key);
    return requirementsOf(tx, key, opts);
  });
}

/** The 93 Annex A controls in order. */
export async function listAnnexAControls(ctx: Ctx): Promise<RequirementRow[]> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, (tx) => annexAControlsIn(tx));
}

/** Mappings between two frameworks, either direction (see {@link mappingsIn}). */
export async function getMappings(ctx: Ctx, from: string, to: string, fromRefs?: readonly string[]): Promise<MappingRow[]> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    await frameworkIn(tx, from);
    await frameworkIn(tx, to);
    return mappingsIn(tx, from, to, fromRefs);
  });
}

/** Validation for other domains' inputs: see {@link assertRefsIn}. */
export async function checkRefs(ctx: Ctx, key: string, refs: readonly string[], opts: { field: string; kinds?: readonly string[] }): Promise<void> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, (tx) => assertRefsIn(tx, key, refs, opts));
}

/** Searchable, filterable, paginated requirements (the catalog browser); `f` is a parsed RequirementQuery. */
export async function searchRequirements(ctx: Ctx, key: string, f: RequirementFilter): Promise<PagedResult<RequirementRow>> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    await frameworkIn(tx, key);
    const total = await repo.countRequirements(tx, key, f);
    const items = await repo.selectRequirements(tx, key, f, { limit: f.limit, offset: f.offset });
    return { items, total, limit: f.limit, offset: f.offset };
  });
}

/** One requirement with its detail, parents, children and mappings to every other framework. */
export async function getRequirement(ctx: Ctx, key: string, ref: string): Promise<RequirementDetail> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    await frameworkIn(tx, key);
    const [row] = await requirementsOf(tx, key, { refs: [ref] });
    if (!row) throw CatalogErrors.CATALOG_REQUIREMENT_NOT_FOUND(`${key} has no requirement ${ref}`);
    const detail = await tx.selectFrom('catalog_requirements').select('detail').where('framework_key', '=', key).where('ref', '=', ref).executeTakeFirstOrThrow();
    const children = await tx.selectFrom('catalog_requirements').select(['ref', 'title', 'kind']).where('framework_key', '=', key).where('parent_ref', '=', ref).orderBy('position').execute();
    const parents: Array<{ ref: string; title: string; kind: string }> = [];
    for (let p = row.parentRef; p; ) {
      const up = await tx.selectFrom('catalog_requirements').select(['ref', 'title', 'kind', 'parent_ref']).where('framework_key', '=', key).where('ref', '=', p).executeTakeFirst();
      if (!up) break;
      parents.unshift({ ref: up.ref, title: up.title, kind: up.kind });
      p = up.parent_ref;
    }
    const mappings: MappingRow[] = [];
    for (const other of await repo.mappedFrameworks(tx, key)) mappings.push(...(await mappingsIn(tx, key, other, [ref])));
    return { ...row, detail: (typeof detail.detail === 'string' ? JSON.parse(detail.detail) : detail.detail) as Record<string, unknown>, children, parents, mappings };
  });
}
