import { describe, expect, it } from 'vitest';
import { addMonthsUtc, computeDeadlines, nextDeadline, type ClockFacts } from './deadlines.js';
import { classify } from './classify.js';
import { loadPreset } from './presets.js';
import { RegimeDefinition } from './schema.js';

const H = 3_600_000;
const t0 = new Date('2026-03-10T08:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * H);
const facts = (f: Partial<ClockFacts>): ClockFacts => ({ detectedAt: t0, classifiedAt: null, major: true, reportable: true, submitted: {}, stopped: false, ...f });
const byStage = (d: ReturnType<typeof computeDeadlines>) => Object.fromEntries(d.map((x) => [x.stage, x]));

describe('addMonthsUtc', () => {
  it.each([
    ['2026-01-31T10:00:00Z', 1, '2026-02-28T10:00:00.000Z'],
    ['2028-01-31T10:00:00Z', 1, '2028-02-29T10:00:00.000Z'],
    ['2026-03-15T23:30:00Z', 1, '2026-04-15T23:30:00.000Z'],
    ['2026-12-20T00:00:00Z', 1, '2027-01-20T00:00:00.000Z'],
    ['2026-05-31T12:00:00Z', 1, '2026-06-30T12:00:00.000Z'],
    ['2026-08-31T12:00:00Z', 6, '2027-02-28T12:00:00.000Z'],
  ])('%s + %i month(s) = %s', (from, m, expected) => {
    expect(addMonthsUtc(new Date(from), m).toISOString()).toBe(expected);
  });
});

describe('DORA-like deadlines', () => {
  const dora = loadPreset('dora');

  it('initial is due 4 h after classification when that is before detection + 24 h', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: at(2) }), at(4)));
    expect(d.initial!.dueAt).toEqual(at(6));
    expect(d.initial!.basis).toBe('4 h after classified');
    expect(d.initial!.state).toBe('due_soon');
    expect(d.intermediate!.state).toBe('waiting');
    expect(d.intermediate!.dueAt).toBeNull();
  });

  it('initial is capped at detection + 24 h when classified late', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: at(22) }), at(22)));
    expect(d.initial!.dueAt).toEqual(at(24));
    expect(d.initial!.basis).toBe('24 h after detected');
  });

  it('classification after the 24 h cap leaves the initial report already overdue', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: at(30) }), at(30)));
    expect(d.initial!.dueAt).toEqual(at(24));
    expect(d.initial!.state).toBe('overdue');
  });

  it('is open well before the reminder window and due soon inside it', () => {
    const f = facts({ classifiedAt: at(0) });
    expect(byStage(computeDeadlines(dora, f, at(1))).initial!.state).toBe('open');
    expect(byStage(computeDeadlines(dora, f, at(2))).initial!.state).toBe('due_soon');
    expect(byStage(computeDeadlines(dora, f, at(4))).initial!.state).toBe('due_soon');
    expect(byStage(computeDeadlines(dora, f, new Date(at(4).getTime() + 1))).initial!.state).toBe('overdue');
  });

  it('intermediate runs 72 h from the first initial submission, final one month from the intermediate', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: at(1), submitted: { initial: at(3), intermediate: at(50) } }), at(60)));
    expect(d.initial!.state).toBe('met');
    expect(d.intermediate!.dueAt).toEqual(at(75));
    expect(d.intermediate!.state).toBe('met');
    expect(d.final!.dueAt!.toISOString()).toBe('2026-04-12T10:00:00.000Z');
    expect(d.final!.state).toBe('open');
  });

  it('a stage submitted after its due time is late, not met', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: at(1), submitted: { initial: at(6) } }), at(7)));
    expect(d.initial!.state).toBe('late');
    expect(d.intermediate!.dueAt).toEqual(at(78));
  });

  it('a minor incident has no DORA deadlines', () => {
    const d = computeDeadlines(dora, facts({ major: false, reportable: true }), at(100));
    expect(d.map((x) => x.state)).toEqual(['not_required', 'not_required', 'not_required']);
    expect(nextDeadline(d)).toBeNull();
  });

  it('a rejected incident stops every clock', () => {
    const d = computeDeadlines(dora, facts({ classifiedAt: at(0), stopped: true }), at(100));
    expect(d.every((x) => x.state === 'not_required')).toBe(true);
  });

  it('without classification time only detection + 24 h applies', () => {
    const d = byStage(computeDeadlines(dora, facts({ classifiedAt: null }), at(1)));
    expect(d.initial!.dueAt).toEqual(at(24));
  });

  it('without a detection time the clock waits', () => {
    const d = byStage(computeDeadlines(dora, facts({ detectedAt: null, classifiedAt: null }), at(1)));
    expect(d.initial!.state).toBe('waiting');
  });

  it('nextDeadline picks the earliest unmet stage', () => {
    const d = computeDeadlines(dora, facts({ classifiedAt: at(1), submitted: { initial: at(2) } }), at(3));
    expect(nextDeadline(d)!.stage).toBe('intermediate');
    expect(nextDeadline(d)!.dueAt).toEqual(at(74));
  });
});

describe('NIS2-like deadlines', () => {
  const nis2 = loadPreset('nis2');
  it('early warning 24 h and notification 72 h after detection, final one month after the notification', () => {
    const d = byStage(computeDeadlines(nis2, facts({ submitted: { initial: at(10), intermediate: at(70) } }), at(71)));
    expect(d.initial!.dueAt).toEqual(at(24));
    expect(d.intermediate!.dueAt).toEqual(at(72));
    expect(d.intermediate!.state).toBe('met');
    expect(d.final!.dueAt!.toISOString()).toBe('2026-04-13T06:00:00.000Z');
  });
  it('notification is due 72 h after detection even before the early warning is sent', () => {
    const d = byStage(computeDeadlines(nis2, facts({}), at(80)));
    expect(d.initial!.state).toBe('overdue');
    expect(d.intermediate!.state).toBe('overdue');
    expect(d.final!.state).toBe('waiting');
  });
});

describe('local default', () => {
  const local = loadPreset('local');
  it('runs for every reportable incident, major or not', () => {
    const d = byStage(computeDeadlines(local, facts({ major: false, reportable: true }), at(1)));
    expect(d.initial!.dueAt).toEqual(at(24));
    expect(d.initial!.state).toBe('open');
  });
  it('an incident below every threshold has no deadlines', () => {
    const d = computeDeadlines(local, facts({ major: false, reportable: false }), at(1));
    expect(d.every((x) => x.state === 'not_required')).toBe(true);
  });
  it('a stage submitted although not required counts as met', () => {
    const d = byStage(computeDeadlines(local, facts({ major: false, reportable: false, submitted: { initial: at(1) } }), at(2)));
    expect(d.initial!.state).toBe('met');
  });
});

describe('classify', () => {
  const dora = loadPreset('dora');
  it('DORA: critical services plus two criteria is major, with reasons', () => {
    const c = classify(dora, { critical_services_hit: 1, customers_affected: 60000, downtime_minutes: 180 });
    expect(c.major).toBe(true);
    expect(c.reportable).toBe(true);
    expect(c.reasons.join('\n')).toContain('major');
  });
  it('DORA: two criteria without critical services is not major but reportable', () => {
    const c = classify(dora, { critical_services_hit: 0, customers_affected: 60000, downtime_minutes: 180 });
    expect(c.major).toBe(false);
    expect(c.reportable).toBe(true);
    expect(c.reasons.join('\n')).toContain('required for a major incident');
  });
  it('DORA: critical services plus one criterion is not major', () => {
    expect(classify(dora, { critical_services_hit: 1, customers_affected: 60000 }).major).toBe(false);
  });
  it('thresholds are inclusive', () => {
    expect(classify(dora, { critical_services_hit: 1, customers_affected: 50000, downtime_minutes: 120 }).major).toBe(true);
  });
  it('nothing entered: neither reportable nor major', () => {
    const c = classify(dora, {});
    expect(c).toMatchObject({ major: false, reportable: false });
  });
  it('NIS2: any one major criterion is significant', () => {
    expect(classify(loadPreset('nis2'), { financial_loss: 600000 }).major).toBe(true);
  });
});

describe('regime validation', () => {
  it('rejects a stage counting from itself or a later stage, and duplicate criteria', () => {
    const def = loadPreset('dora');
    def.stages[1]!.deadlines = [{ from: 'intermediate', hours: 5, months: 0 }];
    def.criteria[1] = { ...def.criteria[1]!, key: def.criteria[0]!.key };
    const r = RegimeDefinition.safeParse(def);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('stages.1.deadlines.0.from');
    expect(paths).toContain('criteria.1.key');
  });
  it('every preset parses', () => {
    for (const k of ['dora', 'nis2', 'local'] as const) expect(loadPreset(k).stages).toHaveLength(3);
  });
});
