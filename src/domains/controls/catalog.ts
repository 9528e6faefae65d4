/**
 * The one place the controls and SoA domains read catalog data (frameworks,
 * requirements, attributes, cross-framework mappings), through the catalogs
 * service. Everything else here speaks `{ framework, ref }`.
 */
import type { Tx } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { CSF_KEY, ISO27001_KEY, frameworksIn, mappingsIn, requirementsOf, type RequirementRow } from '../catalogs/service.js';

/** The framework the SoA is kept for. */
export const ISO_27001 = ISO27001_KEY;
export const NIST_CSF = CSF_KEY;

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
  /** The assessable requirements (Annex A controls, CSF subcategories, leaf controls of other catalogs). */
  requirements: CatalogRequirement[];
}

/**
 * Which requirements are assessed: the Annex A controls for ISO/IEC 27001
 * (clauses 4-10 are management-system requirements, not SoA entries), every
 * leaf that is not a mere group for any other catalog (CSF subcategories,
 * OSCAL controls and enhancements).
 */
function assessable(key: string, all: RequirementRow[]): RequirementRow[] {
  if (key === ISO27001_KEY) return all.filter((r) => r.kind === 'control');
  const parents = new Set(all.map((r) => r.parentRef).filter((p): p is string => p !== null));
  return all.filter((r) => !parents.has(r.ref) && r.kind !== 'group');
}

/** The framework with its assessable requirements in catalog order, each with its ancestor groups; an unknown key names `path`. */
export async function loadFramework(tx: Tx, key: string, path = 'framework'): Promise<CatalogFramework> {
  const fw = (await frameworksIn(tx)).find((f) => f.key === key);
  if (!fw) throw invalid(path, `there is no framework with the key ${key}`);
  const all = await requirementsOf(tx, key);
  const byRef = new Map(all.map((r) => [r.ref, r]));
  const groupsOf = (r: RequirementRow): CatalogGroup[] => {
    const out: CatalogGroup[] = [];
    for (let p = r.parentRef; p; p = byRef.get(p)?.parentRef ?? null) {
      const g = byRef.get(p);
      if (!g) break;
      out.unshift({ ref: g.ref, title: g.title });
    }
    return out;
  };
  return {
    key,
    name: fw.name,
    version: fw.version,
    requirements: assessable(key, all).map((r) => ({ ref: r.ref, title: r.title, groups: groupsOf(r), attributes: r.attributes })),
  };
}

/** Mappings from `fromKey` requirements to `toKey` requirements (either direction as stored). */
export async function loadMappings(tx: Tx, fromKey: string, toKey: string): Promise<Array<{ from: string; to: string; relationship: string }>> {
  return (await mappingsIn(tx, fromKey, toKey)).map((m) => ({ from: m.fromRef, to: m.toRef, relationship: m.relationship }));
}

/** Checks every `{ framework, ref }` is an assessable requirement; the first unknown one is reported with its JSON path. */
export async function assertRequirements(tx: Tx, reqs: ReadonlyArray<{ framework: string; ref: string }>, path: string): Promise<void> {
  const cache = new Map<string, Set<string>>();
  for (const [i, r] of reqs.entries()) {
    let refs = cache.get(r.framework);
    if (!refs) {
      const fw = await loadFramework(tx, r.framework, `${path}.${i}.framework`);
      refs = new Set(fw.requirements.map((x) => x.ref));
      cache.set(r.framework, refs);
    }
    if (!refs.has(r.ref)) throw invalid(`${path}.${i}.ref`, `"${r.ref}" is not a control or subcategory of ${r.framework}`);
  }
}
