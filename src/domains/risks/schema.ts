import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { IsoDate } from '../assets/schema.js';

const ScaleLevel = z.strictObject({
  value: z.number().int().min(1).max(5),
  name: z.string().trim().min(1).max(60),
  description: z.string().trim().min(1).max(500),
});
const Scale = z.array(ScaleLevel).min(3).max(5);
const LevelKey = z.string().trim().regex(/^[a-z][a-z0-9_]{0,29}$/, 'lower-case letters, digits, underscore');

export const RiskMethodInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  likelihood: Scale,
  impact: Scale,
  levels: z.array(z.strictObject({ key: LevelKey, name: z.string().trim().min(1).max(40), colour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #c62828') })).min(2).max(6),
  /** matrix[likelihood-1][impact-1] = level key */
  matrix: z.array(z.array(LevelKey).min(3).max(5)).min(3).max(5),
  /** The highest level accepted without treatment. */
  appetiteLevel: LevelKey,
  /** The highest level tolerated while treatment is under way. */
  toleranceLevel: LevelKey,
});
export type RiskMethodInput = z.infer<typeof RiskMethodInput>;

export const RiskMethod = RiskMethodInput.extend({
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  /** False while the org uses the default preset and never saved a method. */
  saved: z.boolean(),
  actions: z.array(z.string()),
});
export type RiskMethod = z.infer<typeof RiskMethod>;

export const PresetBody = z.strictObject({ preset: z.enum(['iso27005-5x5', 'simple-3x3']) });
export const MethodChangeResult = z.object({ method: RiskMethod, rescored: z.number().int() });

const LI = z.number().int().min(1).max(5);
export const TREATMENTS = ['modify', 'retain', 'avoid', 'share'] as const;
export const Treatment = z.enum(TREATMENTS);
const Cia = z.array(z.enum(['C', 'I', 'A'])).max(3);

const riskFields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).optional(),
  threat: z.string().max(2000).optional(),
  vulnerability: z.string().max(2000).optional(),
  /** Which security properties the scenario harms. */
  cia: Cia.optional(),
  ownerId: z.string().uuid(),
  assetIds: z.array(z.string().uuid()).max(200).optional(),
  inherent: z.strictObject({ likelihood: LI, impact: LI }),
  /** Defaults to the inherent rating (no controls credited yet). */
  current: z.strictObject({ likelihood: LI, impact: LI }).optional(),
  /** The target after treatment. */
  residual: z.strictObject({ likelihood: LI, impact: LI }).nullable().optional(),
  treatment: Treatment.nullable().optional(),
  treatmentNote: z.string().max(5000).optional(),
  reviewDueOn: IsoDate.nullable().optional(),
};
export const RiskCreateBody = z.strictObject(riskFields);
export type RiskCreate = z.infer<typeof RiskCreateBody>;
export const RiskUpdateBody = z.strictObject({
  ...riskFields,
  title: riskFields.title.optional(),
  ownerId: riskFields.ownerId.optional(),
  inherent: riskFields.inherent.optional(),
  status: z.enum(['open', 'closed']).optional(),
});
export type RiskUpdate = z.infer<typeof RiskUpdateBody>;

export const Score = z.object({ likelihood: z.number().int(), impact: z.number().int(), score: z.number().int(), level: z.string(), colour: z.string() });
export const UserRef = z.object({ id: z.string().uuid(), displayName: z.string() });

export const RiskRow = z.object({
  id: z.string().uuid(),
  ref: z.string(),
  title: z.string(),
  description: z.string(),
  threat: z.string(),
  vulnerability: z.string(),
  cia: z.array(z.enum(['C', 'I', 'A'])),
  owner: UserRef,
  status: z.enum(['open', 'closed']),
  inherent: Score,
  current: Score,
  residual: Score.nullable(),
  aboveAppetite: z.boolean(),
  treatment: Treatment.nullable(),
  treatmentNote: z.string(),
  reviewDueOn: z.string().nullable(),
  lastReviewedAt: z.string().nullable(),
  methodVersion: z.number().int(),
  acceptance: z.object({ id: z.string().uuid(), acceptedBy: UserRef, acceptedAt: z.string(), rationale: z.string(), expiresOn: z.string(), level: z.string(), expired: z.boolean() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export type RiskRow = z.infer<typeof RiskRow>;

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export const TaskRow = z.object({
  id: z.string().uuid(),
  riskId: z.string().uuid(),
  title: z.string(),
  controlIds: z.array(z.string()),
  owner: UserRef.nullable(),
  dueOn: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  overdue: z.boolean(),
  completedAt: z.string().nullable(),
});
export type TaskRow = z.infer<typeof TaskRow>;

export const RiskDetail = RiskRow.extend({
  assets: z.array(z.object({ id: z.string().uuid(), name: z.string(), type: z.string(), criticality: z.number().int() })),
  tasks: z.array(TaskRow),
  reviews: z.array(z.object({ id: z.string().uuid(), sourceType: z.string(), sourceId: z.string().nullable(), note: z.string(), openedAt: z.string(), completedAt: z.string().nullable(), outcome: z.string() })),
});
export type RiskDetail = z.infer<typeof RiskDetail>;

export const RISK_SORTS = ['ref', 'title', 'inherent_score', 'current_score', 'residual_score', 'review_due_on', 'updated_at'] as const;
export const RiskFilter = z.object({
  q: z.string().trim().max(200).optional(),
  ownerId: z.string().uuid().optional(),
  level: z.string().trim().max(30).optional(),
  treatment: Treatment.optional(),
  status: z.enum(['open', 'closed']).optional(),
  assetId: z.string().uuid().optional(),
  controlId: z.string().trim().max(20).optional(),
  aboveAppetite: z.enum(['true', 'false']).optional(),
  sort: z.enum(RISK_SORTS).default('ref'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type RiskFilter = z.infer<typeof RiskFilter>;
export const RiskQuery = Page.extend(RiskFilter.shape);
export type RiskQuery = z.infer<typeof RiskQuery>;

export const TaskCreateBody = z.strictObject({
  title: z.string().trim().min(1).max(300),
  controlIds: z.array(z.string().trim().max(20)).max(20).default([]),
  ownerId: z.string().uuid().nullable().optional(),
  dueOn: IsoDate.nullable().optional(),
});
export type TaskCreate = z.infer<typeof TaskCreateBody>;
export const TaskUpdateBody = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  controlIds: z.array(z.string().trim().max(20)).max(20).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  dueOn: IsoDate.nullable().optional(),
  status: z.enum(TASK_STATUSES).optional(),
});
export type TaskUpdate = z.infer<typeof TaskUpdateBody>;

export const AcceptanceBody = z.strictObject({
  rationale: z.string().trim().min(10).max(5000),
  expiresOn: IsoDate,
});

export const ReviewBody = z.strictObject({
  outcome: z.string().trim().min(1).max(5000),
  current: z.strictObject({ likelihood: LI, impact: LI }).optional(),
  residual: z.strictObject({ likelihood: LI, impact: LI }).nullable().optional(),
  nextReviewOn: IsoDate.nullable().optional(),
});
export type ReviewInput = z.infer<typeof ReviewBody>;

export const HistoryRow = z.object({ at: z.string(), reason: z.string(), methodVersion: z.number().int(), actor: z.string(), scores: z.record(z.string(), z.unknown()) });

export const HeatMap = z.object({
  likelihood: z.array(z.object({ value: z.number().int(), name: z.string() })),
  impact: z.array(z.object({ value: z.number().int(), name: z.string() })),
  cells: z.array(z.object({ likelihood: z.number().int(), impact: z.number().int(), level: z.string(), colour: z.string(), inherent: z.number().int(), current: z.number().int(), residual: z.number().int() })),
  totals: z.object({ risks: z.number().int(), withResidual: z.number().int() }),
});
export type HeatMap = z.infer<typeof HeatMap>;

export const RegisterExportQuery = RiskFilter.extend({ format: z.enum(['xlsx', 'pdf']).default('xlsx') });
