import type { CriterionKey, RegimeDefinition } from './schema.js';

export type CriteriaValues = Partial<Record<CriterionKey, number>>;

export interface CriterionResult {
  key: CriterionKey;
  label: string;
  value: number | null;
  reportable: boolean;
  major: boolean;
}

/** The system's suggestion: reportable / major, with the reasons a person can check. */
export interface Classification {
  reportable: boolean;
  major: boolean;
  reasons: string[];
  criteria: CriterionResult[];
}

const meets = (value: number | null, threshold: number | null): boolean => value !== null && threshold !== null && value >= threshold;

/**
 * Applies a regime's thresholds to the values entered. Major needs every
 * `required` criterion at its major threshold plus `majorMinCriteria` others
 * (when none is required, any `majorMinCriteria` criteria). Pure: the same
 * values always give the same answer, so the suggestion can be re-derived later.
 */
export function classify(def: RegimeDefinition, values: CriteriaValues): Classification {
  const criteria: CriterionResult[] = def.criteria.map((c) => {
    const raw = values[c.key];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    return { key: c.key, label: c.label, value, reportable: meets(value, c.reportable) || meets(value, c.major), major: meets(value, c.major) };
  });
  const required = def.criteria.filter((c) => c.required);
  const byKey = new Map(criteria.map((c) => [c.key, c]));
  const requiredMet = required.every((c) => byKey.get(c.key)!.major);
  const others = criteria.filter((c) => !required.some((r) => r.key === c.key) && c.major);
  const major = requiredMet && others.length >= def.majorMinCriteria;
  const reportable = major || criteria.some((c) => c.reportable);

  const reasons: string[] = [];
  for (const c of criteria.filter((x) => x.major)) reasons.push(`${c.label}: ${c.value} meets the major threshold ${def.criteria.find((d) => d.key === c.key)!.major}`);
  for (const r of required) if (!byKey.get(r.key)!.major) reasons.push(`${r.label} is required for a major incident and is not met`);
  if (requiredMet && !major) reasons.push(`${others.length} of the required ${def.majorMinCriteria} further criteria meet their major threshold`);
  if (major) reasons.push(`major: ${required.length ? 'the required criteria and ' : ''}${others.length} criteria (at least ${def.majorMinCriteria}) meet their major thresholds`);
  else if (reportable) reasons.push('reportable: at least one criterion meets its reporting threshold');
  else reasons.push('no criterion meets its reporting threshold');
  return { reportable, major, reasons, criteria };
}
