/**
 * Conversion of the shipped third-party catalogs into the catalog model:
 * NIST CSF 2.0 (OSCAL) and NIST's CSF 2.0 -> ISO/IEC 27001:2022 informative
 * references. Pure functions; scripts/catalogs/build-seed.ts runs them over
 * ../shared/data and commits the results (data/*.json and the SQL seed
 * migration).
 */
import { ISO27001_KEY, iso27001Requirements } from './data/iso27001-2022.js';
import type { CatalogMappingSeed, CatalogRequirementSeed, CatalogSeed } from './model.js';
import { oscalRequirements, type OscalCatalogDocument } from './oscal.js';

export const CSF_KEY = 'nist-csf-2.0';

export const CSF_MAPPING_SOURCE = 'NIST CSF 2.0 informative references (CSF 2.0 Reference Tool export 2025-06-02, csf2.xlsx)';

/**
 * CSF 2.0 from NIST's OSCAL catalog. The file also carries CSF 1.1 content
 * that 2.0 withdrew: 12 categories with an empty statement (ID.BE, ID.GV,
 * ...) with their subcategories, and 26 subcategories of kept categories
 * that have only the 1.1 statement and no implementation examples (ID.AM-06,
 * PR.AT-03, ...). Both are dropped, leaving 6 functions, 22 categories and
 * 106 subcategories.
 */
export function convertCsf(doc: OscalCatalogDocument): CatalogSeed {
  const { requirements } = oscalRequirements(doc);
  const hasExamples = (r: CatalogRequirementSeed) => Array.isArray(r.detail?.parts) && (r.detail.parts as Array<{ name: string }>).some((p) => p.name === 'example');
  const kept = new Set<string>();
  const out: CatalogRequirementSeed[] = [];
  for (const r of requirements) {
    if (r.parentRef && !kept.has(r.parentRef)) continue;
    if (r.kind === 'category' && !r.statement.trim()) continue;
    if (r.kind === 'subcategory' && !hasExamples(r)) continue;
    kept.add(r.ref);
    const title = r.kind === 'function' ? r.title.charAt(0) + r.title.slice(1).toLowerCase() : r.kind === 'subcategory' ? r.statement : r.title;
    out.push({ ...r, title, theme: r.ref.slice(0, 2) });
  }
  const md = doc.catalog.metadata;
  return {
    framework: {
      key: CSF_KEY,
      name: 'NIST Cybersecurity Framework 2.0',
      version: '2.0',
      publisher: 'NIST',
      description: 'The CSF 2.0 Core: 6 functions, 22 categories and 106 subcategories with implementation examples (public domain).',
      source: `${md.title} ${md.version}, OSCAL ${md['oscal-version']} (usnistgov/oscal-content), withdrawn CSF 1.1 categories and subcategories dropped`,
      oscalVersion: md['oscal-version'],
    },
    requirements: out,
  };
}

export interface DerivedMappingRow {
  csf_level: string;
  csf_id: string;
  iso27001_2022_kind: string;
  iso27001_2022_ref: string;
  source_text: string;
}

/** NIST's typos in the informative references: "6.11" (GV.RM-07) and "6.13" (ID.RA-06) are 6.1.1 and 6.1.3. */
const TYPOS: Record<string, string> = { '6.11': '6.1.1', '6.13': '6.1.3' };

/**
 * CSF 2.0 -> ISO/IEC 27001:2022 mappings from NIST's informative references.
 * NIST states no set relationship, only that the ISO text informs the CSF
 * outcome, so every row is `intersect`. Fixes: the two typos above; list
 * items "4.2(a)"/"4.2(b)" become clause 4.2 (the note keeps the item);
 * "All applicable controls" (A.*, on the PROTECT function) is expanded to
 * every Annex A control whose ISO/IEC 27002 cybersecurity concept includes
 * Protect, the attribute that states exactly that relationship.
 */
export function convertCsfIsoMapping(rows: readonly DerivedMappingRow[], csf: CatalogSeed): CatalogMappingSeed[] {
  const iso = iso27001Requirements();
  const isoRefs = new Set(iso.map((r) => r.ref));
  const csfRefs = new Set(csf.requirements.map((r) => r.ref));
  const protect = iso.filter((r) => r.kind === 'control' && r.attributes.cybersecurity_concepts?.includes('protect')).map((r) => r.ref);
  const out = new Map<string, CatalogMappingSeed>();
  const add = (fromRef: string, toRef: string, note: string) => {
    if (!csfRefs.has(fromRef)) throw new Error(`mapping names unknown CSF 2.0 id ${fromRef}`);
    if (!isoRefs.has(toRef)) throw new Error(`mapping names unknown ISO/IEC 27001:2022 ref ${toRef} (from ${fromRef})`);
    const key = `${fromRef}>${toRef}`;
    const prior = out.get(key);
    if (prior) {
      if (note && !prior.note.includes(note)) prior.note = prior.note ? `${prior.note}; ${note}` : note;
      return;
    }
    out.set(key, { fromFramework: CSF_KEY, fromRef, toFramework: ISO27001_KEY, toRef, relationship: 'intersect', source: CSF_MAPPING_SOURCE, note });
  };
  for (const r of rows) {
    const raw = r.iso27001_2022_ref;
    if (raw === 'A.*') {
      for (const ref of protect) add(r.csf_id, ref, 'NIST lists "All applicable controls"; expanded to the Annex A controls with the ISO/IEC 27002 cybersecurity concept Protect');
      continue;
    }
    const typo = TYPOS[raw];
    if (typo) {
      add(r.csf_id, typo, `NIST wrote "${raw}"; corrected to ${typo}`);
      continue;
    }
    const item = /^(\d+\.\d+)\(([a-z])\)$/.exec(raw);
    if (item) {
      add(r.csf_id, item[1]!, `NIST cites ${raw}, item ${item[2]} of clause ${item[1]}`);
      continue;
    }
    add(r.csf_id, raw, '');
  }
  return [...out.values()];
}
