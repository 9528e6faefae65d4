import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { normaliseObservable, OBSERVABLE_TYPES } from './observables.js';
import { CriterionKey, StageKey } from './regimes/schema.js';

export const Tlp = z.enum(['clear', 'green', 'amber', 'amber+strict', 'red']);
export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export const IncidentStatus = z.enum(['draft', 'new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'post_incident', 'closed', 'rejected']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;
const Instant = z.iso.datetime({ offset: true });

export const Observable = z
  .strictObject({ type: z.enum(OBSERVABLE_TYPES), value: z.string().min(1).max(2048), tlp: Tlp.default('amber') })
  .transform((o, ctx) => {
    const value = normaliseObservable(o.type, o.value);
    if (value === null) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `not a valid ${o.type}` });
      return z.NEVER;
    }
    return { ...o, value };
  });
export type Observable = z.infer<typeof Observable>;

/**
 * The report an entity writes. In a draft every field is optional; a stage
 * submission checks what that stage requires (see stageRequirements).
 */
export const ReportDraft = z.strictObject({
  title: z.string().trim().min(3).max(300),
  summary: z.string().trim().min(1).max(20000),
  detectedAt: Instant,
  startedAt: Instant,
  classifiedAt: Instant,
  rsitClass: z.string().max(60),
  rsitType: z.string().max(60),
  severity: Severity,
  major: z.boolean(),
  criteria: z.partialRecord(CriterionKey, z.number().nonnegative().max(1e15)),
  affectedServices: z.array(z.string().trim().min(1).max(200)).max(50),
  assetIds: z.array(z.string().uuid()).max(200),
  impactDescription: z.string().trim().max(20000),
  measures: z.string().trim().max(20000),
  rootCause: z.string().trim().max(20000),
  observables: z.array(Observable).max(1000),
  contact: z.strictObject({ name: z.string().trim().min(1).max(200), email: z.string().trim().toLowerCase().pipe(z.email()), phone: z.string().trim().max(40).optional() }),
}).partial();
export type ReportDraft = z.infer<typeof ReportDraft>;

/** A PATCH of the draft: fields given replace the draft's, `null` clears one. */
export const DraftPatchBody = z.strictObject(
  Object.fromEntries(Object.entries(ReportDraft.shape).map(([k, v]) => [k, (v as z.ZodOptional<z.ZodTypeAny>).unwrap().nullable().optional()])) as {
    [K in keyof typeof ReportDraft.shape]: z.ZodOptional<z.ZodNullable<(typeof ReportDraft.shape)[K] extends z.ZodOptional<infer T> ? T : never>>;
  },
);

export const IncidentCreateBody = z.strictObject({ regimeId: z.string().uuid().optional(), draft: ReportDraft.default({}) });
export const StageSubmitBody = z.strictObject({ stage: StageKey });
export const TransitionBody = z.strictObject({ to: IncidentStatus.exclude(['draft']), reason: z.string().trim().max(2000).default('') });
export const AssignBody = z.strictObject({ assigneeId: z.string().uuid().nullable() });
export const MessageBody = z.strictObject({ body: z.string().trim().min(1).max(20000), tlp: Tlp });
export const NoteBody = z.strictObject({ body: z.string().trim().min(1).max(20000) });
export const JournalBody = z.strictObject({ text: z.string().trim().min(1).max(20000) });
export const TaskBody = z.strictObject({ title: z.string().trim().min(1).max(300), ownerId: z.string().uuid().nullable().optional(), dueAt: Instant.nullable().optional() });
export const TaskPatchBody = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  dueAt: Instant.nullable().optional(),
  status: z.enum(['open', 'in_progress', 'done', 'cancelled']).optional(),
});

export const DeadlineView = z.object({
  stage: StageKey,
  label: z.string(),
  dueAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  state: z.enum(['not_required', 'waiting', 'open', 'due_soon', 'overdue', 'met', 'late']),
  basis: z.string().nullable(),
  /** Milliseconds left (negative when overdue) at the server's now; the UI counts down from it. */
  msRemaining: z.number().nullable(),
});

export const Suggestion = z.object({
  reportable: z.boolean(),
  major: z.boolean(),
  reasons: z.array(z.string()),
  criteria: z.array(z.object({ key: CriterionKey, label: z.string(), value: z.number().nullable(), reportable: z.boolean(), major: z.boolean() })),
});

export const IncidentRow = z.object({
  id: z.string().uuid(),
  orgId: z.string().uuid(),
  orgName: z.string(),
  ref: z.string(),
  title: z.string(),
  status: IncidentStatus,
  severity: Severity.nullable(),
  rsitClass: z.string().nullable(),
  rsitType: z.string().nullable(),
  major: z.boolean(),
  detectedAt: z.string().nullable(),
  firstReportedAt: z.string().nullable(),
  lastStage: StageKey.nullable(),
  nextDueAt: z.string().nullable(),
  nextDueStage: z.string().nullable(),
  overdue: z.boolean(),
  assigneeId: z.string().uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IncidentRow = z.infer<typeof IncidentRow>;

export const IncidentDetail = IncidentRow.extend({
  side: z.enum(['entity', 'cert']),
  certOrgId: z.string().uuid(),
  regime: z.object({ id: z.string().uuid(), key: z.string(), name: z.string() }),
  /** The working copy: only the reporting entity sees it. */
  draft: ReportDraft.nullable(),
  /** The latest submitted report (what the CERT reads). */
  report: z.record(z.string(), z.unknown()).nullable(),
  suggestion: Suggestion,
  deadlines: z.array(DeadlineView),
  stateEntered: z.record(z.string(), z.string()),
  assetIds: z.array(z.string()),
  lessonsLearned: z.string().nullable(),
  serverNow: z.string(),
  actions: z.array(z.string()),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  status: IncidentStatus.optional(),
  severity: Severity.optional(),
  rsitClass: z.string().max(60).optional(),
  orgId: z.string().uuid().optional(),
  assigneeId: z.string().uuid().optional(),
  major: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** due: a deadline within the next 24 h; missed: a deadline passed without submission. */
  deadline: z.enum(['due', 'missed']).optional(),
  sort: z.enum(['deadline', 'created', 'severity']).default('created'),
});
export type IncidentQuery = z.infer<typeof IncidentQuery>;

/** A file attached to an incident report (content-addressed: sha256 names the bytes). */
export const AttachmentRow = z.object({
  id: z.string().uuid(),
  sha256: z.string(),
  size: z.number().int(),
  mediaType: z.string(),
  filename: z.string(),
  description: z.string(),
  createdAt: z.string(),
  /** Taken off the working copy; stages submitted before still list it. */
  removedAt: z.string().nullable(),
});
export type AttachmentRow = z.infer<typeof AttachmentRow>;
/** How a submitted stage's snapshot lists an attachment (report.attachments). */
export type StageAttachment = Pick<AttachmentRow, 'id' | 'sha256' | 'size' | 'mediaType' | 'filename' | 'description'>;
/** Text fields sent with an attachment (multipart). */
export const AttachmentFields = z.strictObject({ description: z.string().trim().max(500).optional() });

export const StageRow = z.object({
  id: z.string().uuid(),
  seq: z.number().int(),
  stage: StageKey,
  submittedAt: z.string(),
  sha256: z.string(),
  snapshot: z.record(z.string(), z.unknown()),
});
export const StageDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(z.object({ path: z.string(), kind: z.enum(['changed', 'added', 'removed']), before: z.unknown().optional(), after: z.unknown().optional() })),
});
export const MessageRow = z.object({ id: z.string().uuid(), authorOrgId: z.string().uuid(), fromCert: z.boolean(), authorUserId: z.string().uuid().nullable(), authorName: z.string().nullable(), tlp: Tlp, body: z.string(), createdAt: z.string() });
export const NoteRow = z.object({ id: z.string().uuid(), authorUserId: z.string().uuid().nullable(), body: z.string(), createdAt: z.string() });
export const TaskRow = z.object({ id: z.string().uuid(), title: z.string(), ownerId: z.string().uuid().nullable(), dueAt: z.string().nullable(), status: z.enum(['open', 'in_progress', 'done', 'cancelled']), createdAt: z.string(), updatedAt: z.string() });
export const TimelineEntry = z.object({ at: z.string(), kind: z.string(), text: z.string(), byOrgId: z.string().uuid().nullable() });
export const Correlation = z.object({ type: z.string(), value: z.string(), incidents: z.array(z.object({ id: z.string().uuid(), ref: z.string(), orgId: z.string().uuid(), orgName: z.string(), title: z.string() })) });
export const LessonsBody = z.strictObject({
  lessonsLearned: z.string().trim().min(1).max(20000),
  correctiveActions: z.array(z.strictObject({ title: z.string().trim().min(3).max(300), description: z.string().trim().max(20000).default(''), ownerId: z.string().uuid().nullable().optional(), dueDate: z.iso.date().nullable().optional() })).max(50).default([]),
  /** Risks of the entity's own register to review because of this incident (the CERT never sees them). */
  riskReviews: z.array(z.strictObject({ riskId: z.string().uuid(), note: z.string().trim().max(5000).default('') })).max(50).default([]),
});
export const RiskReviewOpened = z.object({ reviewId: z.string().uuid(), riskId: z.string().uuid() });
