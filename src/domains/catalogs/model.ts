/**
 * The catalog model shared by the shipped data, the OSCAL converter and the
 * database layer: frameworks are data, a tree of requirements with typed
 * attributes, and mappings between requirements of two frameworks.
 */

export const RELATIONSHIPS = ['equal', 'subset', 'superset', 'intersect'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** The relationship read in the other direction (A subset of B = B superset of A). */
export function inverseRelationship(r: Relationship): Relationship {
  return r === 'subset' ? 'superset' : r === 'superset' ? 'subset' : r;
}

export interface CatalogFrameworkSeed {
  key: string;
  name: string;
  version: string;
  publisher: string;
  description: string;
  source: string;
  oscalVersion?: string | null;
}

export interface CatalogRequirementSeed {
  ref: string;
  parentRef: string | null;
  /** clause, theme, control, enhancement, function, category, subcategory, group, ... */
  kind: string;
  title: string;
  /** The publisher's requirement text where it may be shipped (public domain: NIST); empty for ISO. */
  statement: string;
  /** Our own explanation (ISO), or the catalog's guidance part (OSCAL). */
  guidance: string;
  theme: string | null;
  isNew: boolean;
  /** attribute type -> values, e.g. control_type: ['preventive']. */
  attributes: Record<string, string[]>;
  /** Anything else worth keeping (OSCAL label, params, other parts, links). */
  detail?: Record<string, unknown>;
}

export interface CatalogMappingSeed {
  fromFramework: string;
  fromRef: string;
  toFramework: string;
  toRef: string;
  relationship: Relationship;
  source: string;
  note: string;
}

export interface CatalogSeed {
  framework: CatalogFrameworkSeed;
  requirements: CatalogRequirementSeed[];
}

/** A framework key from free text: lower-case, dashes, at most 63 characters ("NIST SP 800-53 Rev 5" -> "nist-sp-800-53-rev-5"). */
export function slugKey(text: string): string {
  const s = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 63)
    .replace(/[-.]+$/, '');
  return s.length >= 2 ? s : `catalog-${s || 'x'}`;
}

export const FRAMEWORK_KEY = /^[a-z0-9][a-z0-9.-]{1,62}$/;
