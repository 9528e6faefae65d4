import { z } from 'zod';

/** The impact dimensions a regime can set thresholds on. */
export const CRITERION_KEYS = [
  'customers_affected',
  'transactions_affected',
  'value_affected',
  'downtime_minutes',
  'data_records_exposed',
  'financial_loss',
  'reputational_impact',
  'geographic_spread',
  'critical_services_hit',
] as const;
export const CriterionKey = z.enum(CRITERION_KEYS);
export type CriterionKey = z.infer<typeof CriterionKey>;

export const STAGES = ['initial', 'intermediate', 'final'] as const;
export const StageKey = z.enum(STAGES);
export type StageKey = z.infer<typeof StageKey>;

/** The stored moments a deadline can count from. */
export const Anchor = z.enum(['detected', 'classified', 'initial', 'intermediate']);
export type Anchor = z.infer<typeof Anchor>;

export const Criterion = z.strictObject({
  key: CriterionKey,
  label: z.string().min(1).max(200),
  /** How the value is read: a count, minutes, money, a 0-3 level, or yes/no (1/0). */
  unit: z.enum(['count', 'minutes', 'money', 'level', 'boolean']),
  /** At or above this value the incident must be reported (null: this criterion alone never makes it reportable). */
  reportable: z.number().nonnegative().nullable(),
  /** At or above this value the criterion counts towards "major" (null: never). */
  major: z.number().nonnegative().nullable(),
  /** Meeting this criterion's major threshold is required for "major" (DORA: critical services affected). */
  required: z.boolean().default(false),
});
export type Criterion = z.infer<typeof Criterion>;

/** A clock: `hours` and/or calendar `months` after an anchor moment. */
export const DeadlineRule = z
  .strictObject({
    from: Anchor,
    hours: z.number().int().min(0).max(24 * 400).default(0),
    months: z.number().int().min(0).max(24).default(0),
  })
  .refine((r) => r.hours > 0 || r.months > 0, { message: 'a deadline needs hours or months' });
export type DeadlineRule = z.infer<typeof DeadlineRule>;

export const StageRule = z.strictObject({
  stage: StageKey,
  label: z.string().min(1).max(100),
  /** The stage is due at the EARLIEST of these clocks among those whose anchor has happened. */
  deadlines: z.array(DeadlineRule).min(1).max(4),
});
export type StageRule = z.infer<typeof StageRule>;

/** A reporting regime: what must be reported, what is major, and when each stage is due. */
export const RegimeDefinition = z
  .strictObject({
    name: z.string().trim().min(2).max(200),
    description: z.string().max(4000).default(''),
    criteria: z.array(Criterion).min(1).max(CRITERION_KEYS.length),
    /** How many criteria must meet their major threshold (besides the required ones) for "major". */
    majorMinCriteria: z.number().int().min(1).max(CRITERION_KEYS.length),
    /** Deadlines run only for major incidents (DORA, NIS2 significant incidents) or for every reportable one. */
    deadlinesFor: z.enum(['major', 'reportable']),
    stages: z.array(StageRule).min(1).max(3),
    /** Remind this many hours before each deadline. */
    remindBeforeHours: z.number().int().min(0).max(24 * 14),
  })
  .superRefine((r, ctx) => {
    const keys = r.criteria.map((c) => c.key);
    keys.forEach((k, i) => {
      if (keys.indexOf(k) !== i) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'key'], message: `criterion ${k} is listed twice` });
    });
    const stages = r.stages.map((s) => s.stage);
    r.stages.forEach((s, i) => {
      if (stages.indexOf(s.stage) !== i) ctx.addIssue({ code: 'custom', path: ['stages', i, 'stage'], message: `stage ${s.stage} is listed twice` });
      const order = STAGES.indexOf(s.stage);
      s.deadlines.forEach((d, j) => {
        const anchorStage = (STAGES as readonly string[]).indexOf(d.from);
        if (anchorStage >= 0 && anchorStage >= order) {
          ctx.addIssue({ code: 'custom', path: ['stages', i, 'deadlines', j, 'from'], message: `the ${s.stage} stage cannot count from the ${d.from} stage` });
        }
      });
    });
  });
export type RegimeDefinition = z.infer<typeof RegimeDefinition>;

export const RegimeRow = z.object({
  id: z.string().uuid(),
  orgId: z.string().uuid(),
  key: z.string(),
  definition: RegimeDefinition,
  isDefault: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export type RegimeRow = z.infer<typeof RegimeRow>;

export const RegimeInstallBody = z.strictObject({
  preset: z.enum(['dora', 'nis2', 'local']),
  key: z.string().trim().min(2).max(60).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits, dashes').optional(),
  isDefault: z.boolean().optional(),
});
export const RegimeUpdateBody = z.strictObject({
  definition: RegimeDefinition.optional(),
  isDefault: z.literal(true).optional(),
});

/** A stage's deadline rule in words: `4 h after classified, or 24 h after detected`. */
export function stageRuleText(s: Pick<StageRule, 'deadlines'>): string {
  return s.deadlines.map((d) => `${[d.hours ? `${d.hours} h` : '', d.months ? `${d.months} month${d.months > 1 ? 's' : ''}` : ''].filter(Boolean).join(' ')} after ${d.from}`).join(', or ');
}
