import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { FRAMEWORK_KEY, RELATIONSHIPS } from './model.js';

export const FrameworkKey = z.string().regex(FRAMEWORK_KEY, 'a framework key: lower-case letters, digits, dots and dashes, 2-63 characters');

export const FrameworkRow = z.object({
  key: z.string(),
  name: z.string(),
  version: z.string(),
  publisher: z.string(),
  description: z.string(),
  origin: z.enum(['shipped', 'imported']),
  source: z.string(),
  oscalVersion: z.string().nullable(),
  requirementCount: z.number().int(),
  importedAt: z.string(),
});
export type FrameworkRow = z.infer<typeof FrameworkRow>;

/** One value of an attribute type and how many requirements carry it. */
export const Facet = z.object({ value: z.string(), count: z.number().int() });

export const FrameworkDetail = FrameworkRow.extend({
  /** Requirements per kind (clause, control, subcategory, ...). */
  kinds: z.record(z.string(), z.number().int()),
  themes: z.array(Facet),
  /** attribute type -> values with counts, for filters. */
  attributes: z.record(z.string(), z.array(Facet)),
  /** Frameworks this one has mappings with (either direction). */
  mappedFrameworks: z.array(z.string()),
  actions: z.array(z.string()),
});
export type FrameworkDetail = z.infer<typeof FrameworkDetail>;

export const RequirementRow = z.object({
  frameworkKey: z.string(),
  ref: z.string(),
  /** The publisher's display label where it differs from the ref (OSCAL `label`, e.g. AC-2(1)). */
  label: z.string().nullable(),
  parentRef: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
  statement: z.string(),
  guidance: z.string(),
  theme: z.string().nullable(),
  isNew: z.boolean(),
  attributes: z.record(z.string(), z.array(z.string())),
  position: z.number().int(),
  depth: z.number().int(),
});
export type RequirementRow = z.infer<typeof RequirementRow>;

export const RequirementDetail = RequirementRow.extend({
  detail: z.record(z.string(), z.unknown()),
  children: z.array(z.object({ ref: z.string(), title: z.string(), kind: z.string() })),
  parents: z.array(z.object({ ref: z.string(), title: z.string(), kind: z.string() })),
  mappings: z.lazy(() => z.array(MappingRow)),
});
export type RequirementDetail = z.infer<typeof RequirementDetail>;

const csv = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const RequirementQuery = Page.extend({
  /** Free text over ref, label, title, statement and guidance. */
  q: z.string().trim().max(200).optional(),
  kind: csv.optional(),
  theme: csv.optional(),
  /** Direct children of this ref; `root` for the top level. */
  parent: z.string().max(100).optional(),
  refs: csv.optional(),
  isNew: Bool.optional(),
  /**
   * Attribute filters `type:value`, e.g. `control_type:detective,cybersecurity_concepts:respond`.
   * Different types are ANDed; several values of one type are ORed.
   */
  attr: csv.optional(),
});
export type RequirementQuery = z.input<typeof RequirementQuery>;
export type RequirementFilter = z.output<typeof RequirementQuery>;

export const MappingRow = z.object({
  fromFramework: z.string(),
  fromRef: z.string(),
  toFramework: z.string(),
  toRef: z.string(),
  relationship: z.enum(RELATIONSHIPS),
  source: z.string(),
  note: z.string(),
  /** Title of the requirement on the `to` side, for side-by-side display. */
  toTitle: z.string(),
});
export type MappingRow = z.infer<typeof MappingRow>;

export const MappingQuery = z.object({
  to: FrameworkKey,
  /** Only mappings from these refs (comma-separated). */
  refs: csv.optional(),
});

export const ImportQuery = z.object({
  /** The framework key; default: a slug of the catalog title. */
  key: FrameworkKey.optional(),
});

export const ImportResult = z.object({
  key: z.string(),
  name: z.string(),
  status: z.enum(['created', 'replaced', 'unchanged']),
  requirements: z.number().int(),
  /** Requirements per kind, e.g. { group: 20, control: 322, enhancement: 867 }. */
  kinds: z.record(z.string(), z.number().int()),
  schemaVersion: z.string(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ExportQuery = z.object({ format: z.enum(['csv', 'json']).default('csv') });
