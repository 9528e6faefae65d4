import { z } from 'zod';
import { TlpLevel } from '../sharing/schema.js';

/** The kinds of observable values the platform correlates. */
export const OBSERVABLE_KINDS = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'sha512', 'mac'] as const;
export type ObservableKind = (typeof OBSERVABLE_KINDS)[number];

const csv = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined));
const uuidList = z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.string().uuid()).max(500).default([]));

/** Sharing of an import, given as query parameters (the body is the bundle itself). */
export const ImportQuery = z.object({
  tlp: TlpLevel.default('amber'),
  recipientOrgs: uuidList,
  recipientUsers: uuidList,
  sharingGroups: uuidList,
  source: z.string().trim().min(1).max(200).default('upload'),
  /** Allow the CERT to re-share these objects anonymised with the community. */
  allowAnonymisedReshare: z.enum(['true', 'false']).default('false'),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export const ImportRow = z.object({
  id: z.string().uuid(),
  source: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  total: z.number().int(),
  processed: z.number().int(),
  inserted: z.number().int(),
  unchanged: z.number().int(),
  /** 0..1, for the progress bar. */
  progress: z.number(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ImportRow = z.infer<typeof ImportRow>;

export const ObjectQuery = z.object({
  q: z.string().trim().max(200).optional(),
  type: csv,
  tlp: csv,
  source: z.string().max(200).optional(),
  producerOrgId: z.string().uuid().optional(),
  modifiedAfter: z.string().datetime({ offset: true }).optional(),
  modifiedBefore: z.string().datetime({ offset: true }).optional(),
  sighted: z.enum(['true', 'false']).optional(),
  includeRevoked: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ObjectQuery = z.infer<typeof ObjectQuery>;

export const ObjectSummary = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().nullable(),
  version: z.string(),
  created: z.string().nullable(),
  modified: z.string().nullable(),
  tlp: z.string().nullable(),
  pap: z.string().nullable(),
  revoked: z.boolean(),
  deprecated: z.boolean(),
  source: z.string(),
  ownerOrgId: z.string().uuid(),
  producerOrgId: z.string().uuid().nullable(),
  createdByRef: z.string().nullable(),
  patternType: z.string().nullable(),
  /** An indicator's pattern (null for other types), so a picker can show what it detects. */
  pattern: z.string().nullable(),
  labels: z.array(z.string()),
  addedAt: z.string(),
});
export type ObjectSummary = z.infer<typeof ObjectSummary>;

export const ObjectDetail = z.object({
  summary: ObjectSummary,
  object: z.record(z.string(), z.unknown()),
  sightings: z.object({ seen: z.number().int(), falsePositive: z.number().int(), orgs: z.number().int() }),
});

export const GraphResponse = z.object({
  nodes: z.array(z.object({ id: z.string(), type: z.string(), name: z.string().nullable() })),
  edges: z.array(z.object({ id: z.string(), type: z.string(), relationshipType: z.string().nullable(), source: z.string(), target: z.string() })),
});

export const ObservableBody = z.strictObject({
  kind: z.enum([...OBSERVABLE_KINDS, 'ip'] as [ObservableKind | 'ip', ...Array<ObservableKind | 'ip'>]),
  value: z.string().min(1).max(2000),
});

export const LookupBody = z.strictObject({
  observables: z.array(ObservableBody).min(1).max(1000),
  /** A source to leave out of the answer (the incident being looked at). */
  excludeRef: z.string().max(300).optional(),
});

export const LookupHit = z.object({
  sourceKind: z.string(),
  sourceRef: z.string(),
  value: z.string(),
  tlp: z.string().nullable(),
  /** The STIX object (indicator, SCO) behind a `stix` hit, when the reader may see it. */
  object: z.object({ id: z.string(), type: z.string(), name: z.string().nullable() }).nullable(),
});
export const LookupRow = z.object({ kind: z.string(), value: z.string(), warning: z.string().nullable(), hits: z.array(LookupHit) });
export type LookupRow = z.infer<typeof LookupRow>;

export const WatchlistBody = z.strictObject({
  name: z.string().trim().min(1).max(200).default('watchlist'),
  observables: z.array(ObservableBody).min(1).max(10_000),
});

export const MatchRow = z.object({
  id: z.string().uuid(),
  kind: z.string(),
  value: z.string(),
  warning: z.string().nullable(),
  createdAt: z.string(),
  mine: z.object({ sourceKind: z.string(), sourceRef: z.string() }).nullable(),
  sides: z.array(z.object({ orgId: z.string().uuid(), sourceKind: z.string(), sourceRef: z.string(), value: z.string() })),
});
export type MatchRow = z.infer<typeof MatchRow>;

export const MatchQuery = z.object({
  ref: z.string().max(300).optional(),
  includeWarnings: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const SightingBody = z.strictObject({
  kind: z.enum(['seen', 'false_positive']).default('seen'),
  count: z.number().int().min(1).max(1_000_000).default(1),
  firstSeen: z.string().datetime({ offset: true }).optional(),
  lastSeen: z.string().datetime({ offset: true }).optional(),
  note: z.string().max(2000).default(''),
  tlp: TlpLevel.default('amber'),
  recipientOrgs: z.array(z.string().uuid()).max(500).default([]),
  recipientUsers: z.array(z.string().uuid()).max(500).default([]),
  sharingGroups: z.array(z.string().uuid()).max(50).default([]),
});

export const SightingCounts = z.object({ seen: z.number().int(), falsePositive: z.number().int(), orgs: z.number().int() });
