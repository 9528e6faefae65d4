import { z } from 'zod';
import { ROLES } from '../../core/access/index.js';
import { Page } from '../../core/paging.js';
import { IsoDate } from '../assets/schema.js';

export const DOC_KINDS = ['policy', 'standard', 'procedure', 'guideline', 'plan', 'record', 'other'] as const;
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export const VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

const Content = z.string().max(500_000);

export const DocumentCreateBody = z.strictObject({
  title: z.string().trim().min(1).max(300),
  kind: z.enum(DOC_KINDS),
  classification: z.enum(CLASSIFICATIONS),
  ownerId: z.string().uuid(),
  reviewCycleMonths: z.number().int().min(1).max(60).default(12),
  /** Markdown. */
  content: Content.default(''),
  changeNote: z.string().max(2000).optional(),
});
export type DocumentCreate = z.infer<typeof DocumentCreateBody>;

export const DocumentUpdateBody = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  kind: z.enum(DOC_KINDS).optional(),
  classification: z.enum(CLASSIFICATIONS).optional(),
  ownerId: z.string().uuid().optional(),
  reviewCycleMonths: z.number().int().min(1).max(60).optional(),
  nextReviewOn: IsoDate.nullable().optional(),
});
export type DocumentUpdate = z.infer<typeof DocumentUpdateBody>;

export const DraftBody = z.strictObject({ content: Content, changeNote: z.string().max(2000).optional() });

export const TRANSITIONS = ['submit', 'approve', 'reject', 'publish', 'retire'] as const;
export const TransitionBody = z.strictObject({ action: z.enum(TRANSITIONS), note: z.string().max(2000).optional() });
export type Transition = (typeof TRANSITIONS)[number];

const UserRef = z.object({ id: z.string().uuid(), displayName: z.string() });

/** An uploaded file that is a version's content (download it from /api/documents/:id/versions/:version/file). */
export const VersionFile = z.object({ id: z.string().uuid(), filename: z.string(), size: z.number().int(), mediaType: z.string(), sha256: z.string() });
export type VersionFile = z.infer<typeof VersionFile>;

/** Text fields sent with an uploaded file version (multipart). */
export const UploadFields = z.strictObject({ changeNote: z.string().max(2000).optional() });

export const VersionRow = z.object({
  version: z.number().int(),
  status: z.enum(VERSION_STATUSES),
  changeNote: z.string(),
  author: UserRef,
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  approvedBy: UserRef.nullable(),
  approvedAt: z.string().nullable(),
  decisionNote: z.string(),
  publishedAt: z.string().nullable(),
  /** Set when the version is an uploaded file rather than markdown. */
  file: VersionFile.nullable(),
});
export type VersionRow = z.infer<typeof VersionRow>;

export const DocumentRow = z.object({
  id: z.string().uuid(),
  title: z.string(),
  kind: z.enum(DOC_KINDS),
  classification: z.enum(CLASSIFICATIONS),
  owner: UserRef,
  reviewCycleMonths: z.number().int(),
  nextReviewOn: z.string().nullable(),
  reviewOverdue: z.boolean(),
  /** draft: never published; published; retired. */
  status: z.enum(['draft', 'published', 'retired']),
  publishedVersion: z.number().int().nullable(),
  latest: VersionRow,
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export type DocumentRow = z.infer<typeof DocumentRow>;

export const DocumentDetail = DocumentRow.extend({
  versions: z.array(VersionRow),
  /** The text shown: the latest version for editors, the published one for readers. */
  content: z.object({ version: z.number().int(), status: z.enum(VERSION_STATUSES), markdown: z.string(), file: VersionFile.nullable() }).nullable(),
  /** Whether the acting user acknowledged the published version. */
  acknowledged: z.boolean(),
});
export type DocumentDetail = z.infer<typeof DocumentDetail>;

export const DocumentQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  kind: z.enum(DOC_KINDS).optional(),
  classification: z.enum(CLASSIFICATIONS).optional(),
  status: z.enum(['draft', 'published', 'retired']).optional(),
  /** Latest version in this workflow state (e.g. in_review: waiting for an approver). */
  versionStatus: z.enum(VERSION_STATUSES).optional(),
  ownerId: z.string().uuid().optional(),
  reviewDue: z.enum(['true', 'false']).optional(),
  sort: z.enum(['title', 'next_review_on', 'updated_at']).default('title'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type DocumentQuery = z.infer<typeof DocumentQuery>;

export const CampaignCreateBody = z.strictObject({
  dueOn: IsoDate,
  /** Members with any of these roles; empty or absent: every active member. */
  roles: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
});

export const CampaignRow = z.object({
  id: z.string().uuid(),
  documentId: z.string().uuid(),
  documentTitle: z.string(),
  version: z.number().int(),
  dueOn: z.string(),
  audience: z.array(z.string()),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  targets: z.number().int(),
  acknowledged: z.number().int(),
  percent: z.number(),
  overdue: z.boolean(),
});
export type CampaignRow = z.infer<typeof CampaignRow>;

export const CampaignTargetQuery = Page.extend({
  status: z.enum(['pending', 'acknowledged']).optional(),
  q: z.string().trim().max(200).optional(),
});
export const CampaignTargetRow = z.object({
  userId: z.string().uuid(),
  displayName: z.string(),
  email: z.string(),
  acknowledgedAt: z.string().nullable(),
  lastRemindedAt: z.string().nullable(),
});

export const PendingAck = z.object({ documentId: z.string().uuid(), title: z.string(), version: z.number().int(), campaignId: z.string().uuid(), dueOn: z.string(), overdue: z.boolean() });
