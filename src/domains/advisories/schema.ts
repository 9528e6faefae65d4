import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { Observable, Severity, Tlp } from '../incidents/schema.js';

export const CveId = z.string().trim().toUpperCase().regex(/^CVE-\d{4}-\d{4,7}$/, 'a CVE id looks like CVE-2024-12345');
export const Product = z.strictObject({ vendor: z.string().trim().min(1).max(200), product: z.string().trim().min(1).max(200), versions: z.string().trim().max(500).default('') });
export const Audience = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('sector'), sector: z.string().trim().min(1).max(100) }),
  z.strictObject({ kind: z.literal('orgs'), orgIds: z.array(z.string().uuid()).min(1).max(1000) }),
]);

const Fields = {
  title: z.string().trim().min(3).max(300),
  tlp: Tlp,
  severity: Severity,
  products: z.array(Product).max(200),
  cveIds: z.array(CveId).max(500),
  description: z.string().trim().min(1).max(50000),
  recommendedActions: z.string().trim().min(1).max(50000),
  indicators: z.array(Observable).max(5000),
  /** Existing STIX indicators (visible to the CERT) the advisory carries. */
  stixIndicatorIds: z.array(z.string().regex(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a STIX indicator id looks like indicator--<uuid>')).max(1000),
  /** On publishing, turn the observables into STIX indicators owned by the CERT, under the advisory's TLP and recipients. */
  stixFromObservables: z.boolean(),
  validFrom: z.iso.datetime({ offset: true }).nullable(),
  validUntil: z.iso.datetime({ offset: true }).nullable(),
  audience: Audience,
};

export const AdvisoryCreateBody = z.strictObject({ ...Fields, products: Fields.products.default([]), cveIds: Fields.cveIds.default([]), indicators: Fields.indicators.default([]), stixIndicatorIds: Fields.stixIndicatorIds.default([]), stixFromObservables: Fields.stixFromObservables.default(false), validFrom: Fields.validFrom.default(null), validUntil: Fields.validUntil.default(null) });
export type AdvisoryCreate = z.infer<typeof AdvisoryCreateBody>;
export const AdvisoryPatchBody = z.strictObject(Fields).partial();
export type AdvisoryPatch = z.infer<typeof AdvisoryPatchBody>;

export const RecipientState = z.object({
  orgId: z.string().uuid(),
  orgName: z.string(),
  deliveredAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  applicability: z.enum(['unknown', 'affected', 'not_affected']),
  remediationStatus: z.enum(['not_started', 'in_progress', 'remediated', 'not_applicable']),
  remediationDate: z.string().nullable(),
  note: z.string(),
  remindersSent: z.number().int(),
});
export type RecipientState = z.infer<typeof RecipientState>;

export const AdvisoryRow = z.object({
  id: z.string().uuid(),
  certOrgId: z.string().uuid(),
  ref: z.string(),
  title: z.string(),
  tlp: Tlp,
  severity: Severity,
  products: z.array(Product),
  cveIds: z.array(z.string()),
  description: z.string(),
  recommendedActions: z.string(),
  indicators: z.array(z.object({ type: z.string(), value: z.string(), tlp: z.string() })),
  stixFromObservables: z.boolean(),
  /**
   * The advisory's STIX indicators the reader may see (by the intel sharing
   * rules, read as the reader); on the single-advisory read only.
   */
  stixIndicators: z.array(z.object({ id: z.string(), name: z.string().nullable(), pattern: z.string().nullable(), tlp: z.string().nullable() })).optional(),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  audience: z.unknown(),
  status: z.enum(['draft', 'published', 'withdrawn']),
  publishedAt: z.string().nullable(),
  createdAt: z.string(),
  /** The acting recipient's own answer (null for the CERT). */
  myResponse: RecipientState.nullable(),
  actions: z.array(z.string()),
});
export type AdvisoryRow = z.infer<typeof AdvisoryRow>;

export const AdvisoryQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  status: z.enum(['draft', 'published', 'withdrawn']).optional(),
  severity: Severity.optional(),
  cve: z.string().trim().max(30).optional(),
  acknowledged: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type AdvisoryQuery = z.infer<typeof AdvisoryQuery>;

export const ResponseBody = z.strictObject({
  acknowledge: z.literal(true).optional(),
  applicability: z.enum(['unknown', 'affected', 'not_affected']).optional(),
  remediationStatus: z.enum(['not_started', 'in_progress', 'remediated', 'not_applicable']).optional(),
  remediationDate: z.iso.date().nullable().optional(),
  note: z.string().trim().max(5000).optional(),
});
export type ResponseInput = z.infer<typeof ResponseBody>;

export const Progress = z.object({
  advisoryId: z.string().uuid(),
  recipients: z.number().int(),
  acknowledged: z.number().int(),
  affected: z.number().int(),
  notAffected: z.number().int(),
  remediated: z.number().int(),
  items: z.array(RecipientState),
});
