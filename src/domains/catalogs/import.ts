import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { asSystem, inTx, type Ctx, type Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { sha256 } from '../../core/ids.js';
import { CatalogErrors } from './errors.js';
import { FRAMEWORK_KEY, slugKey, type CatalogRequirementSeed } from './model.js';
import { firstDuplicateRef, oscalRequirements, type OscalCatalogDocument } from './oscal.js';
import { validateOscalCatalog } from './oscal-validate.js';
import { CatalogActions } from './policy.js';
import type { ImportResult } from './schema.js';
import { depths } from './seed-sql.js';
import './tables.js';

export interface CatalogImportProgress {
  phase: 'validate' | 'store';
  done: number;
  total: number;
}

export interface CatalogImportOptions {
  /** Framework key; default: a slug of metadata.title. */
  key?: string;
  onProgress?: (p: CatalogImportProgress) => void;
}

const BATCH = 500;

function kindsOf(reqs: readonly CatalogRequirementSeed[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reqs) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

/**
 * Checks an OSCAL document and converts it, without touching the database.
 * Invalid input throws CATALOG_OSCAL_INVALID whose single error names the
 * JSON path of the first problem (schema, then duplicate ids).
 */
export function prepareOscalCatalog(doc: unknown, key?: string): { key: string; doc: OscalCatalogDocument; requirements: CatalogRequirementSeed[]; schemaVersion: string } {
  const v = validateOscalCatalog(doc);
  if (!v.ok) throw CatalogErrors.CATALOG_OSCAL_INVALID(`Not a valid OSCAL catalog: ${v.problem.path} ${v.problem.message}`, [v.problem]);
  const catalog = doc as OscalCatalogDocument;
  const conv = oscalRequirements(catalog);
  const dup = firstDuplicateRef(conv);
  if (dup) throw CatalogErrors.CATALOG_OSCAL_INVALID(`Not a valid OSCAL catalog: ${dup.path} "${dup.ref}" is used twice`, [{ path: dup.path, message: `"${dup.ref}" is used twice` }]);
  if (conv.requirements.length === 0) throw CatalogErrors.CATALOG_OSCAL_INVALID('The catalog has no groups or controls', [{ path: '$.catalog', message: 'has no groups or controls' }]);
  const k = key ?? slugKey(catalog.catalog.metadata.title);
  if (!FRAMEWORK_KEY.test(k)) throw invalid('key', 'a framework key: lower-case letters, digits, dots and dashes, 2-63 characters');
  return { key: k, doc: catalog, requirements: conv.requirements, schemaVersion: v.schemaVersion };
}

/**
 * Imports an OSCAL 1.x catalog (groups, nested controls and enhancements,
 * params, parts) as platform-wide reference data. All or nothing, in one
 * transaction. Re-importing under the same key replaces that catalog in
 * place: requirements are upserted by ref and those no longer present are
 * removed (with their mappings); the same content again changes nothing
 * (`unchanged`, detected by digest). Shipped keys cannot be overwritten.
 */
export async function importOscalCatalog(ctx: Ctx, doc: unknown, opts: CatalogImportOptions = {}): Promise<ImportResult> {
  authorize(ctx.actor, CatalogActions['catalogs.import']);
  const prepared = prepareOscalCatalog(doc, opts.key);
  const { key, requirements } = prepared;
  const total = requirements.length;
  opts.onProgress?.({ phase: 'validate', done: total, total });
  const md = prepared.doc.catalog.metadata;
  const digest = sha256(JSON.stringify(doc));
  return inTx(ctx, async (tx) => {
    const result = (status: ImportResult['status']): ImportResult => ({ key, name: md.title, status, requirements: total, kinds: kindsOf(requirements), schemaVersion: prepared.schemaVersion });
    const prior = await asSystem(tx, ctx.actor, () => tx.selectFrom('catalog_frameworks').select(['origin', 'digest']).where('key', '=', key).forUpdate().executeTakeFirst());
    if (prior?.origin === 'shipped') throw CatalogErrors.CATALOG_KEY_RESERVED(`${key} is shipped with Muhafiz; import under another --key`);
    if (prior?.digest === digest) {
      opts.onProgress?.({ phase: 'store', done: total, total });
      return result('unchanged');
    }
    const framework = {
      key,
      name: md.title.slice(0, 300),
      version: md.version,
      publisher: md.parties?.find((p) => p.type === 'organization')?.name ?? '',
      description: md.remarks ?? '',
      origin: 'imported' as const,
      source: `OSCAL catalog ${prepared.doc.catalog.uuid}${md.published ? `, published ${md.published}` : ''}${md['last-modified'] ? `, last modified ${md['last-modified']}` : ''}`,
      oscal_version: md['oscal-version'],
      digest,
      requirement_count: total,
      imported_at: ctx.clock.now(),
      imported_by: ctx.actor.userId,
    };
    await asSystem(tx, ctx.actor, () => storeCatalog(tx, framework, requirements, prior !== undefined, (done) => opts.onProgress?.({ phase: 'store', done, total })));
    const status = prior ? 'replaced' : 'created';
    await audit(tx, ctx, { action: 'catalogs.import', entityType: 'catalog', entityId: key, after: { ...framework, imported_at: undefined }, details: { name: framework.name, status, requirements: total, digest } });
    return result(status);
  });
}

async function storeCatalog(
  tx: Tx,
  framework: { key: string; name: string; version: string; publisher: string; description: string; origin: 'imported'; source: string; oscal_version: string; digest: string; requirement_count: number; imported_at: Date; imported_by: string | null },
  requirements: readonly CatalogRequirementSeed[],
  replacing: boolean,
  progress: (done: number) => void,
): Promise<void> {
  const key = framework.key;
  if (replacing) {
    const { key: _k, ...set } = framework;
    await tx.updateTable('catalog_frameworks').set(set).where('key', '=', key).execute();
    // Refs gone from the new version go (their mappings cascade); the rest are updated in place.
    const keep = requirements.map((r) => r.ref);
    await tx.deleteFrom('catalog_requirements').where('framework_key', '=', key).where((eb) => eb.not(eb('ref', '=', eb.fn.any(eb.val(keep))))).execute();
  } else {
    await tx.insertInto('catalog_frameworks').values(framework).execute();
  }
  const depth = depths(requirements);
  for (let i = 0; i < requirements.length; i += BATCH) {
    const rows = requirements.slice(i, i + BATCH).map((r, j) => ({
      framework_key: key,
      ref: r.ref,
      parent_ref: r.parentRef,
      kind: r.kind,
      title: r.title,
      statement: r.statement,
      guidance: r.guidance,
      theme: r.theme,
      is_new: r.isNew,
      attributes: JSON.stringify(r.attributes),
      detail: JSON.stringify(r.detail ?? {}),
      position: i + j + 1,
      depth: depth.get(r.ref) ?? 0,
    }));
    let q = tx.insertInto('catalog_requirements').values(rows);
    if (replacing) {
      q = q.onConflict((oc) =>
        oc.columns(['framework_key', 'ref']).doUpdateSet((eb) => ({
          parent_ref: eb.ref('excluded.parent_ref'),
          kind: eb.ref('excluded.kind'),
          title: eb.ref('excluded.title'),
          statement: eb.ref('excluded.statement'),
          guidance: eb.ref('excluded.guidance'),
          theme: eb.ref('excluded.theme'),
          is_new: eb.ref('excluded.is_new'),
          attributes: eb.ref('excluded.attributes'),
          detail: eb.ref('excluded.detail'),
          position: eb.ref('excluded.position'),
          depth: eb.ref('excluded.depth'),
        })),
      );
    }
    await q.execute();
    progress(Math.min(i + BATCH, requirements.length));
  }
}
