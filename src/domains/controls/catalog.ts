/**
 * The one place the controls and SoA domains read catalog data (frameworks,
 * requirements, attributes, cross-framework mappings), through the catalogs
 * service. Everything else here speaks `{ framework, ref }`.
 */
import type { Ctx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { ANNEX_A_IDS } from '../risks/annex-a.js';

/** The framework the SoA is kept for. */
export const ISO_27001 = 'iso27001-2022';
export const NIST_CSF = 'nist-csf-2.0';

export interface CatalogGroup {
  ref: string;
  title: string;
}

export interface CatalogRequirement {
  ref: string;
  title: string;
  /** Ancestors from the top, e.g. [{ ref: 'DE', title: 'Detect' }, { ref: 'DE.CM', ... }]. */
  groups: CatalogGroup[];
  /** Typed attributes, e.g. { control_type: ['preventive', 'detective'], ... }. */
  attributes: Record<string, string[]>;
}

export interface CatalogFramework {
  key: string;
  name: string;
  version: string;
  /** The assessable requirements (Annex A controls, CSF subcategories, leaf controls). */
  requirements: CatalogRequirement[];
}

const THEME_TITLES: Record<string, string> = { 'A.5': 'Organizational controls', 'A.6': 'People controls', 'A.7': 'Physical controls', 'A.8': 'Technological controls' };

/** The framework with its assessable requirements in catalog order. */
export async function loadFramework(_ctx: Ctx, key: string, path = 'framework'): Promise<CatalogFramework> {
  if (key !== ISO_27001) throw invalid(path, `unknown framework "${key}"`);
  return {
    key,
    name: 'ISO/IEC 27001:2022',
    version: '2022',
    requirements: ANNEX_A_IDS.map((ref) => {
      const theme = ref.split('.').slice(0, 2).join('.');
      return { ref, title: ref, groups: [{ ref: theme, title: THEME_TITLES[theme]! }], attributes: {} };
    }),
  };
}

/** Mappings from `fromKey` requirements to `toKey` requirements (either direction as stored). */
export async function loadMappings(_ctx: Ctx, _fromKey: string, _toKey: string): Promise<Array<{ from: string; to: string; relationship: string }>> {
  return [];
}

/** Checks every `{ framework, ref }` exists; the first unknown one is reported with its JSON path. */
export async function assertRequirements(ctx: Ctx, reqs: ReadonlyArray<{ framework: string; ref: string }>, path: string): Promise<void> {
  const cache = new Map<string, Set<string>>();
  for (const [i, r] of reqs.entries()) {
    let refs = cache.get(r.framework);
    if (!refs) {
      const fw = await loadFramework(ctx, r.framework, `${path}.${i}.framework`);
      refs = new Set(fw.requirements.map((x) => x.ref));
      cache.set(r.framework, refs);
    }
    if (!refs.has(r.ref)) throw invalid(`${path}.${i}.ref`, `"${r.ref}" is not a requirement of ${r.framework}`);
  }
}
