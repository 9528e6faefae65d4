import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { CatalogActions } from './policy.js';
import * as repo from './repo.js';
import { frameworkIn, mappingsIn } from './service.js';

export const CATALOG_CSV_HEADER = ['framework', 'ref', 'label', 'parent', 'kind', 'depth', 'title', 'theme', 'is_new', 'attributes', 'statement', 'guidance'];

/** Quoted CSV cell; a leading = + - @ is neutralised so spreadsheets do not run it as a formula. */
function cell(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"`;
}

/** `type=v1|v2; type2=v3`: attributes in one CSV cell, easy to split again. */
export function attributesCell(attrs: Record<string, string[]>): string {
  return Object.entries(attrs)
    .map(([k, vs]) => `${k}=${vs.join('|')}`)
    .join('; ');
}

/**
 * A framework for automation: CSV (one row per requirement, tree order) or
 * JSON (framework, requirements, and its mappings to every other framework).
 */
export async function exportCatalog(ctx: Ctx, key: string, format: 'csv' | 'json'): Promise<{ filename: string; contentType: string; body: string }> {
  authorize(ctx.actor, CatalogActions['catalogs.read']);
  return inTx(ctx, async (tx) => {
    const framework = await frameworkIn(tx, key);
    const requirements = await repo.selectRequirements(tx, key, {});
    if (format === 'csv') {
      const lines = [CATALOG_CSV_HEADER.join(',')];
      for (const r of requirements) {
        lines.push([key, r.ref, r.label, r.parentRef, r.kind, r.depth, r.title, r.theme, r.isNew, attributesCell(r.attributes), r.statement, r.guidance].map(cell).join(','));
      }
      return { filename: `${key}.csv`, contentType: 'text/csv; charset=utf-8', body: `${lines.join('\r\n')}\r\n` };
    }
    const mappings = [];
    for (const other of await repo.mappedFrameworks(tx, key)) mappings.push(...(await mappingsIn(tx, key, other)).map(({ toTitle: _t, ...m }) => m));
    return { filename: `${key}.json`, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify({ framework, requirements, mappings }, null, 1)}\n` };
  });
}
