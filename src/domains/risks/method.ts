import type { FieldProblem } from '../../core/errors.js';
import type { RiskMethod, RiskMethodInput } from './schema.js';

/**
 * The two shipped methods. The 5x5 follows the ISO/IEC 27005 style of
 * qualitative likelihood and consequence scales; the wording is ours.
 */
export const PRESETS: Record<'iso27005-5x5' | 'simple-3x3', RiskMethodInput> = {
  'iso27005-5x5': {
    name: 'ISO/IEC 27005-style 5x5',
    likelihood: [
      { value: 1, name: 'Rare', description: 'Not expected in the next five years; would need several unlikely failures at once.' },
      { value: 2, name: 'Unlikely', description: 'Could happen within five years; known in the sector but not here.' },
      { value: 3, name: 'Possible', description: 'Could happen within a year; has happened here or to peers.' },
      { value: 4, name: 'Likely', description: 'Expected within a year; attempts are seen regularly.' },
      { value: 5, name: 'Almost certain', description: 'Expected within months or already occurring.' },
    ],
    impact: [
      { value: 1, name: 'Negligible', description: 'No customer effect; handled in routine work.' },
      { value: 2, name: 'Minor', description: 'Short disruption or small data exposure; no regulatory report.' },
      { value: 3, name: 'Moderate', description: 'Service degraded for hours, limited personal data exposed, a regulator may ask.' },
      { value: 4, name: 'Major', description: 'Critical service down for a day, significant data breach, mandatory report, fines possible.' },
      { value: 5, name: 'Severe', description: 'Prolonged outage of critical services, large breach, licence or solvency at stake.' },
    ],
    levels: [
      { key: 'low', name: 'Low', colour: '#2e7d32' },
      { key: 'medium', name: 'Medium', colour: '#f9a825' },
      { key: 'high', name: 'High', colour: '#ef6c00' },
      { key: 'critical', name: 'Critical', colour: '#c62828' },
    ],
    // Rows are likelihood 1..5, columns impact 1..5.
    matrix: [
      ['low', 'low', 'low', 'medium', 'medium'],
      ['low', 'low', 'medium', 'medium', 'high'],
      ['low', 'medium', 'medium', 'high', 'high'],
      ['medium', 'medium', 'high', 'high', 'critical'],
      ['medium', 'high', 'high', 'critical', 'critical'],
    ],
    appetiteLevel: 'medium',
    toleranceLevel: 'high',
  },
  'simple-3x3': {
    name: 'Simple 3x3',
    likelihood: [
      { value: 1, name: 'Low', description: 'Not expected within a year.' },
      { value: 2, name: 'Medium', description: 'Could happen within a year.' },
      { value: 3, name: 'High', description: 'Expected within a year.' },
    ],
    impact: [
      { value: 1, name: 'Low', description: 'Little effect on customers or operations.' },
      { value: 2, name: 'Medium', description: 'Noticeable disruption or exposure; recoverable.' },
      { value: 3, name: 'High', description: 'Serious harm to customers, operations or compliance.' },
    ],
    levels: [
      { key: 'low', name: 'Low', colour: '#2e7d32' },
      { key: 'medium', name: 'Medium', colour: '#f9a825' },
      { key: 'high', name: 'High', colour: '#c62828' },
    ],
    matrix: [
      ['low', 'low', 'medium'],
      ['low', 'medium', 'high'],
      ['medium', 'high', 'high'],
    ],
    appetiteLevel: 'low',
    toleranceLevel: 'medium',
  },
};
export type PresetName = keyof typeof PRESETS;

/** Problems with a method as field paths under `body`; empty when it is consistent. */
export function methodProblems(m: RiskMethodInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const scale of ['likelihood', 'impact'] as const) {
    m[scale].forEach((lvl, i) => {
      if (lvl.value !== i + 1) out.push({ path: `body.${scale}.${i}.value`, message: `levels must be numbered 1..${m[scale].length} in order` });
    });
  }
  const keys = m.levels.map((l) => l.key);
  if (new Set(keys).size !== keys.length) out.push({ path: 'body.levels', message: 'level keys must be unique' });
  if (m.matrix.length !== m.likelihood.length) out.push({ path: 'body.matrix', message: `needs one row per likelihood level (${m.likelihood.length})` });
  m.matrix.forEach((row, l) => {
    if (row.length !== m.impact.length) out.push({ path: `body.matrix.${l}`, message: `needs one cell per impact level (${m.impact.length})` });
    row.forEach((cell, i) => {
      if (!keys.includes(cell)) out.push({ path: `body.matrix.${l}.${i}`, message: `"${cell}" is not one of the levels ${keys.join(', ')}` });
    });
  });
  if (!keys.includes(m.appetiteLevel)) out.push({ path: 'body.appetiteLevel', message: 'must be one of the levels' });
  if (!keys.includes(m.toleranceLevel)) out.push({ path: 'body.toleranceLevel', message: 'must be one of the levels' });
  if (keys.indexOf(m.toleranceLevel) < keys.indexOf(m.appetiteLevel)) out.push({ path: 'body.toleranceLevel', message: 'tolerance cannot be below appetite' });
  return out;
}

export interface Scored {
  l: number;
  i: number;
  score: number;
  level: string;
}

/** Score = likelihood x impact; the level comes from the matrix. */
export function score(m: Pick<RiskMethod, 'matrix'>, l: number, i: number): Scored {
  const level = m.matrix[l - 1]?.[i - 1];
  if (!level) throw new Error(`(${l}, ${i}) is outside the method's matrix`);
  return { l, i, score: l * i, level };
}

/**
 * Carries a rating from a scale of `from` levels onto one of `to` levels,
 * keeping its relative position (5-level 4 -> 3-level 3; 3-level 2 -> 5-level 4).
 * Used when a method change resizes a scale, so every risk gets a valid score.
 */
export function rescale(value: number, from: number, to: number): number {
  if (from === to) return value;
  return Math.min(to, Math.max(1, Math.ceil((value / from) * to)));
}

/** Whether `level` is above the appetite (needs treatment or a signed acceptance). */
export function aboveAppetite(m: Pick<RiskMethod, 'levels' | 'appetiteLevel'>, level: string): boolean {
  const keys = m.levels.map((l) => l.key);
  return keys.indexOf(level) > keys.indexOf(m.appetiteLevel);
}
