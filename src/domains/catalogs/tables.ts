import type { Json, Timestamp } from '../../db/types.js';

export interface CatalogFrameworksTable {
  key: string;
  name: string;
  version: string;
  publisher: string;
  description: string;
  origin: 'shipped' | 'imported';
  source: string;
  oscal_version: string | null;
  digest: string | null;
  requirement_count: number;
  imported_at: Timestamp;
  imported_by: string | null;
}

export interface CatalogRequirementsTable {
  framework_key: string;
  ref: string;
  parent_ref: string | null;
  kind: string;
  title: string;
  statement: string;
  guidance: string;
  theme: string | null;
  is_new: boolean;
  attributes: Json<Record<string, string[]>>;
  detail: Json<Record<string, unknown>>;
  position: number;
  depth: number;
}

export interface CatalogMappingsTable {
  from_framework: string;
  from_ref: string;
  to_framework: string;
  to_ref: string;
  relationship: 'equal' | 'subset' | 'superset' | 'intersect';
  source: string;
  note: string;
}

declare module '../../db/types.js' {
  interface DB {
    catalog_frameworks: CatalogFrameworksTable;
    catalog_requirements: CatalogRequirementsTable;
    catalog_mappings: CatalogMappingsTable;
  }
}
