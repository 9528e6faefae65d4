import { z } from 'zod';
import { Page } from '../../core/paging.js';

export const ASSET_TYPES = ['information', 'software', 'hardware', 'service', 'people', 'site', 'supplier'] as const;
export const AssetType = z.enum(ASSET_TYPES);
export type AssetType = z.infer<typeof AssetType>;

/** Ratings are 1..5; these labels are accepted on import and shown in exports. */
export const RATING_LABELS = ['very_low', 'low', 'medium', 'high', 'very_high'] as const;
export const Rating = z.number().int().min(1).max(5);

/** A calendar date, YYYY-MM-DD, that exists. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

export const Tag = z.string().trim().min(1).max(50).regex(/^[^;,]+$/, 'no ; or , in a tag');

const assetFields = {
  name: z.string().trim().min(1).max(200),
  type: AssetType,
  description: z.string().max(5000).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  custodianId: z.string().uuid().nullable().optional(),
  location: z.string().trim().max(200).optional(),
  confidentiality: Rating,
  integrity: Rating,
  availability: Rating,
  /** Defaults to the highest of C, I and A. */
  criticality: Rating.optional(),
  acquiredOn: IsoDate.nullable().optional(),
  reviewDueOn: IsoDate.nullable().optional(),
  retiredOn: IsoDate.nullable().optional(),
  tags: z.array(Tag).max(30).optional(),
  dependsOn: z.array(z.string().uuid()).max(200).optional(),
};

export const AssetCreateBody = z.strictObject(assetFields);
export type AssetCreate = z.infer<typeof AssetCreateBody>;

export const AssetUpdateBody = z.strictObject({
  ...assetFields,
  name: assetFields.name.optional(),
  type: assetFields.type.optional(),
  confidentiality: Rating.optional(),
  integrity: Rating.optional(),
  availability: Rating.optional(),
});
export type AssetUpdate = z.infer<typeof AssetUpdateBody>;

export const ASSET_SORTS = ['name', 'type', 'criticality', 'review_due_on', 'created_at', 'updated_at'] as const;

export const AssetFilter = z.object({
  q: z.string().trim().max(200).optional(),
  type: AssetType.optional(),
  ownerId: z.string().uuid().optional(),
  criticality: z.coerce.number().int().min(1).max(5).optional(),
  /** At least this criticality. */
  minCriticality: z.coerce.number().int().min(1).max(5).optional(),
  tag: z.string().trim().max(50).optional(),
  retired: z.enum(['true', 'false']).optional(),
  sort: z.enum(ASSET_SORTS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export const AssetQuery = Page.extend(AssetFilter.shape);
export type AssetQuery = z.infer<typeof AssetQuery>;
export type AssetFilter = z.infer<typeof AssetFilter>;

export const UserRef = z.object({ id: z.string().uuid(), displayName: z.string(), email: z.string() });

export const AssetRow = z.object({
  id: z.string().uuid(),
  name: z.string(),
  type: AssetType,
  description: z.string(),
  owner: UserRef.nullable(),
  custodian: UserRef.nullable(),
  location: z.string(),
  confidentiality: z.number().int(),
  integrity: z.number().int(),
  availability: z.number().int(),
  criticality: z.number().int(),
  acquiredOn: z.string().nullable(),
  reviewDueOn: z.string().nullable(),
  retiredOn: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export type AssetRow = z.infer<typeof AssetRow>;

export const AssetRef = z.object({ id: z.string().uuid(), name: z.string(), type: AssetType, criticality: z.number().int() });
export type AssetRef = z.infer<typeof AssetRef>;

export const AssetDetail = AssetRow.extend({ dependsOn: z.array(AssetRef), dependents: z.array(AssetRef) });
export type AssetDetail = z.infer<typeof AssetDetail>;

export const DependenciesBody = z.strictObject({ dependsOn: z.array(z.string().uuid()).max(200) });

export const GraphQuery = z.object({
  /** Only the neighbourhood of this asset (both directions) up to `depth` hops. */
  root: z.string().uuid().optional(),
  depth: z.coerce.number().int().min(1).max(10).default(3),
});
export type GraphQuery = z.infer<typeof GraphQuery>;
export const AssetGraph = z.object({
  nodes: z.array(AssetRef.extend({ inCycle: z.boolean() })),
  edges: z.array(z.object({ from: z.string().uuid(), to: z.string().uuid(), inCycle: z.boolean() })),
  /** Each dependency cycle as the asset ids it runs through. */
  cycles: z.array(z.array(z.string().uuid())),
});
export type AssetGraph = z.infer<typeof AssetGraph>;

export const ImportFormat = z.enum(['csv', 'xlsx']);
export type ImportFormat = z.infer<typeof ImportFormat>;
export const ImportBody = z.strictObject({
  format: ImportFormat,
  /** The file, base64-encoded. */
  content: z.string().min(1).max(14_000_000),
  dryRun: z.boolean().default(false),
});

export const ImportProblem = z.object({ line: z.number().int(), column: z.string(), message: z.string() });
export type ImportProblem = z.infer<typeof ImportProblem>;
export const ImportReport = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  /** Every bad cell of every bad row; empty when the file is good. */
  errors: z.array(ImportProblem),
  committed: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const ExportQuery = AssetFilter.extend({ format: z.enum(['csv', 'xlsx']).default('csv') });
