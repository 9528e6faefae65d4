import { STAGES, type Anchor, type DeadlineRule, type RegimeDefinition, type StageKey } from './schema.js';

/** The stored facts a regulatory clock is computed from. Nothing else: no timers. */
export interface ClockFacts {
  detectedAt: Date | null;
  /** When the entity classified the incident as major (null while not major). */
  classifiedAt: Date | null;
  major: boolean;
  reportable: boolean;
  /** The FIRST submission of each stage (later corrections do not move a deadline). */
  submitted: Partial<Record<StageKey, Date>>;
  /** Rejected as not an incident: no duty to report remains. */
  stopped: boolean;
}

export type DeadlineState = 'not_required' | 'waiting' | 'open' | 'due_soon' | 'overdue' | 'met' | 'late';

export interface StageDeadline {
  stage: StageKey;
  label: string;
  /** Null while the clock has not started (its anchor has not happened) or the stage is not required. */
  dueAt: Date | null;
  submittedAt: Date | null;
  state: DeadlineState;
  /** Which rule set the due time, e.g. `4 h after classified`. */
  basis: string | null;
}

/** Adds calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsUtc(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
}

function anchorTime(facts: ClockFacts, a: Anchor): Date | null {
  switch (a) {
    case 'detected':
      return facts.detectedAt;
    case 'classified':
      return facts.classifiedAt;
    case 'initial':
    case 'intermediate':
      return facts.submitted[a] ?? null;
  }
}

function ruleDue(rule: DeadlineRule, at: Date): Date {
  const afterMonths = rule.months ? addMonthsUtc(at, rule.months) : at;
  return new Date(afterMonths.getTime() + rule.hours * 3_600_000);
}

function describe(rule: DeadlineRule): string {
  const parts = [rule.months ? `${rule.months} month${rule.months > 1 ? 's' : ''}` : '', rule.hours ? `${rule.hours} h` : ''].filter(Boolean);
  return `${parts.join(' ')} after ${rule.from}`;
}

/**
 * Every stage's deadline and its state at `now`, computed only from stored
 * timestamps, so it is the same on every node and after any restart. A stage
 * is due at the earliest of its clocks whose anchor has happened.
 */
export function computeDeadlines(def: RegimeDefinition, facts: ClockFacts, now: Date): StageDeadline[] {
  const required = !facts.stopped && (def.deadlinesFor === 'major' ? facts.major : facts.major || facts.reportable);
  const remindMs = def.remindBeforeHours * 3_600_000;
  const ordered = [...def.stages].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  return ordered.map((s) => {
    const submittedAt = facts.submitted[s.stage] ?? null;
    let dueAt: Date | null = null;
    let basis: string | null = null;
    if (required) {
      for (const rule of s.deadlines) {
        const at = anchorTime(facts, rule.from);
        if (!at) continue;
        const due = ruleDue(rule, at);
        if (!dueAt || due < dueAt) {
          dueAt = due;
          basis = describe(rule);
        }
      }
    }
    let state: DeadlineState;
    if (submittedAt) state = !dueAt || submittedAt <= dueAt ? 'met' : 'late';
    else if (!required) state = 'not_required';
    else if (!dueAt) state = 'waiting';
    else if (now > dueAt) state = 'overdue';
    else if (now.getTime() >= dueAt.getTime() - remindMs) state = 'due_soon';
    else state = 'open';
    return { stage: s.stage, label: s.label, dueAt, submittedAt, state, basis };
  });
}

/** The earliest deadline still to be met (open, due soon or overdue), for the queue's sort and the reminder job. */
export function nextDeadline(deadlines: readonly StageDeadline[]): StageDeadline | null {
  let best: StageDeadline | null = null;
  for (const d of deadlines) {
    if (!d.dueAt || d.submittedAt || d.state === 'not_required') continue;
    if (!best || d.dueAt < best.dueAt!) best = d;
  }
  return best;
}
