import { describe, expect, it } from 'vitest';
import { loadPreset } from '../regimes/presets.js';
import { deadlineColumns } from './clock.js';

const H = 3_600_000;
const t0 = new Date('2026-03-10T08:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * H);
const iso = (hours: number) => at(hours).toISOString();
/** A DORA-major incident detected at t0, classified 1 h later, initial report after 3 h. */
const inc = (over: Record<string, unknown> = {}) => ({
  detected_at: t0,
  classified_at: at(1),
  is_major: true,
  is_reportable: true,
  stage_first_at: { initial: iso(3) } as Record<string, string>,
  status: 'triage' as const,
  ...over,
});

describe('deadlineColumns (what an incident stores about its clocks)', () => {
  const dora = loadPreset('dora');

  it("stores each stage's due time by the regime's rules and its first submission; the next deadline is the earliest unmet one", () => {
    const c = deadlineColumns(dora, inc(), at(10));
    expect(c).toMatchObject({
      initial_due_at: at(5),
      initial_submitted_at: at(3),
      intermediate_due_at: at(75),
      intermediate_submitted_at: null,
      final_due_at: null,
      final_submitted_at: null,
      next_due_at: at(75),
      next_due_stage: 'intermediate',
      deadlines_stored: true,
    });
  });

  it('does not depend on the time of the write (overdue is decided when counting, not stored)', () => {
    expect(deadlineColumns(dora, inc(), at(10))).toEqual(deadlineColumns(dora, inc(), at(1000)));
  });

  it('a late submission keeps its due time, so it counts as late', () => {
    const c = deadlineColumns(dora, inc({ stage_first_at: { initial: iso(3), intermediate: iso(80) } }), at(100));
    expect(c.intermediate_due_at).toEqual(at(75));
    expect(c.intermediate_submitted_at).toEqual(at(80));
    // The final report counts a calendar month from the intermediate one.
    expect(c.final_due_at).toEqual(new Date('2026-04-13T16:00:00.000Z'));
  });

  it('a closed incident keeps its stage deadlines (for adherence) but has no next deadline', () => {
    const c = deadlineColumns(dora, inc({ status: 'closed' }), at(10));
    expect(c.intermediate_due_at).toEqual(at(75));
    expect(c).toMatchObject({ next_due_at: null, next_due_stage: null });
  });

  it('a rejected or non-major incident owes nothing: no due times, submissions still recorded', () => {
    for (const over of [{ status: 'rejected' }, { is_major: false, classified_at: null }]) {
      const c = deadlineColumns(dora, inc(over), at(10));
      expect([c.initial_due_at, c.intermediate_due_at, c.final_due_at, c.next_due_at]).toEqual([null, null, null, null]);
      expect(c.initial_submitted_at).toEqual(at(3));
    }
  });
});
