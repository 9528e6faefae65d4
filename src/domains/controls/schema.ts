import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { IsoDate } from '../assets/schema.js';

export const IMPLEMENTATION_STATUSES = ['not_started', 'partial', 'implemented'] as const;
export const ImplementationStatus = z.enum(IMPLEMENTATION_STATUSES);
export type ImplementationStatus = z.infer<typeof ImplementationStatus>;

/** How often a recurring control is checked, and the step in months (weekly: none, 7 days). */
export const FREQUENCIES = ['weekly', 'monthly', 'quarterly', 'semiannual', 'annual'] as const;
export const Frequency = z.enum(FREQUENCIES);
export type Frequency = z.infer<typeof Frequency>;

/** A requirement of a catalog framework: `{ framework: 'iso27001-2022', ref: 'A.8.7' }`. */
export const RequirementRef = z.strictObject({
  framework: z.string().trim().min(1).max(100),
  ref: z.string().trim().min(1).max(100),
});
export type RequirementRef = z.infer<typeof RequirementRef>;

const ControlRef = z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');

export const ControlCreateBody = z.strictObject({
  /** Your own reference (e.g. "C-012"); assigned when absent. */
  ref: ControlRef.optional(),
  name: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  status: ImplementationStatus.default('not_started'),
  /** Recurring checks; the first is due one period after today unless nextCheckOn is given. */
  frequency: Frequency.nullable().optional(),
  nextCheckOn: IsoDate.optional(),
  requirements: z.array(RequirementRef).max(200).default([]),
});
export type ControlCreate = z.infer<typeof ControlCreateBody>;

export const ControlUpdateBody = z.strictObject({
  ref: ControlRef.optional(),
  name: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(10_000).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  status: ImplementationStatus.optional(),
  frequency: Frequency.nullable().optional(),
  nextCheckOn: IsoDate.optional(),
  /** Replaces every mapping. */
  requirements: z.array(RequirementRef).max(200).optional(),
});
export type ControlUpdate = z.infer<typeof ControlUpdateBody>;

export const ControlQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  status: ImplementationStatus.optional(),
  ownerId: z.string().uuid().optional(),
  /** Controls mapped to this framework (and `ref`, when given). */
  framework: z.string().trim().max(100).optional(),
  ref: z.string().trim().max(100).optional(),
  checkDue: z.enum(['true', 'false']).optional(),
  sort: z.enum(['ref', 'name', 'status', 'next_check_on', 'updated_at']).default('ref'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type ControlQuery = z.infer<typeof ControlQuery>;

const UserRef = z.object({ id: z.string().uuid(), displayName: z.string() });

export const ControlRow = z.object({
  id: z.string().uuid(),
  ref: z.string(),
  name: z.string(),
  description: z.string(),
  owner: UserRef.nullable(),
  status: ImplementationStatus,
  frequency: Frequency.nullable(),
  nextCheckOn: z.string().nullable(),
  checkOverdue: z.boolean(),
  requirements: z.array(z.object({ framework: z.string(), ref: z.string() })),
  evidence: z.object({ total: z.number().int(), valid: z.number().int(), expired: z.number().int() }),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export type ControlRow = z.infer<typeof ControlRow>;

export const CheckRow = z.object({
  id: z.string().uuid(),
  controlId: z.string().uuid(),
  controlRef: z.string(),
  controlName: z.string(),
  dueOn: z.string(),
  overdue: z.boolean(),
  result: z.enum(['pass', 'fail', 'partial']).nullable(),
  note: z.string(),
  evidenceId: z.string().uuid().nullable(),
  performedBy: UserRef.nullable(),
  performedAt: z.string().nullable(),
});
export type CheckRow = z.infer<typeof CheckRow>;

export const EvidenceRow = z.object({
  id: z.string().uuid(),
  ref: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(['file', 'link']),
  file: z.object({ sha256: z.string(), name: z.string(), mediaType: z.string(), size: z.number().int() }).nullable(),
  url: z.string().nullable(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  /** valid: in its period and not rejected; expired: past valid_until; pending: not yet valid; rejected: review rejected it. */
  state: z.enum(['valid', 'expired', 'pending', 'rejected']),
  review: z.object({ outcome: z.enum(['accepted', 'rejected']), note: z.string(), by: UserRef, at: z.string() }).nullable(),
  controls: z.array(z.object({ id: z.string().uuid(), ref: z.string(), name: z.string() })),
  createdBy: UserRef.nullable(),
  createdAt: z.string(),
  actions: z.array(z.string()),
});
export type EvidenceRow = z.infer<typeof EvidenceRow>;

export const ControlDetail = ControlRow.extend({
  checks: z.array(CheckRow),
  evidenceItems: z.array(EvidenceRow),
});
export type ControlDetail = z.infer<typeof ControlDetail>;

const evidenceFields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000).optional(),
  validFrom: IsoDate.optional(),
  validUntil: IsoDate.nullable().optional(),
  controlIds: z.array(z.string().uuid()).min(1).max(100),
};

/** Link evidence (JSON). */
export const EvidenceLinkBody = z.strictObject({ ...evidenceFields, kind: z.literal('link'), url: z.string().trim().url().max(2000).refine((u) => /^https?:\/\//i.test(u), 'only http(s) links') });
export type EvidenceLink = z.infer<typeof EvidenceLinkBody>;

/** The text fields sent with an uploaded evidence file (multipart/form-data; controlIds comma-separated). */
export const EvidenceFileFields = z.strictObject({
  title: evidenceFields.title,
  description: evidenceFields.description,
  validFrom: IsoDate.optional(),
  validUntil: IsoDate.optional(),
  controlIds: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(evidenceFields.controlIds),
});
export type EvidenceFileInput = z.infer<typeof EvidenceFileFields>;



export const EvidenceUpdateBody = z.strictObject({
  title: evidenceFields.title.optional(),
  description: evidenceFields.description,
  validFrom: IsoDate.optional(),
  validUntil: IsoDate.nullable().optional(),
  controlIds: evidenceFields.controlIds.optional(),
});
export type EvidenceUpdate = z.infer<typeof EvidenceUpdateBody>;

export const EvidenceReviewBody = z.strictObject({ outcome: z.enum(['accepted', 'rejected']), note: z.string().max(2000).optional() });

export const EvidenceQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  controlId: z.string().uuid().optional(),
  state: z.enum(['valid', 'expired', 'pending', 'rejected', 'expiring', 'unreviewed']).optional(),
  kind: z.enum(['file', 'link']).optional(),
  sort: z.enum(['ref', 'title', 'valid_until', 'created_at']).default('ref'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type EvidenceQuery = z.infer<typeof EvidenceQuery>;

export const CheckQuery = Page.extend({
  controlId: z.string().uuid().optional(),
  state: z.enum(['open', 'overdue', 'done']).optional(),
});
export type CheckQuery = z.infer<typeof CheckQuery>;

export const CheckRecordBody = z.strictObject({
  result: z.enum(['pass', 'fail', 'partial']),
  note: z.string().max(5000).optional(),
  evidenceId: z.string().uuid().nullable().optional(),
});
export type CheckRecord = z.infer<typeof CheckRecordBody>;
