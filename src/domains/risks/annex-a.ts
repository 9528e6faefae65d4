/**
 * The 93 ISO/IEC 27001:2022 Annex A control ids (A.5.1-A.5.37, A.6.1-A.6.8,
 * A.7.1-A.7.14, A.8.1-A.8.34). Treatment tasks are validated against this
 * list until the catalogs domain (built on another branch) lands; then this
 * check should ask the catalogs service instead, so custom frameworks work.
 */
const THEMES: Array<[number, number]> = [[5, 37], [6, 8], [7, 14], [8, 34]];

export const ANNEX_A_IDS: readonly string[] = THEMES.flatMap(([theme, n]) => Array.from({ length: n }, (_, i) => `A.${theme}.${i + 1}`));

const PATTERN = /^A\.([5-8])\.(\d{1,2})$/;
const KNOWN = new Set(ANNEX_A_IDS);

/** Normalises "a.8.7" / "8.7" / "A.8.7" to "A.8.7"; undefined when it is not an Annex A control. */
export function normaliseControlId(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  const id = /^\d/.test(s) ? `A.${s}` : s;
  return PATTERN.test(id) && KNOWN.has(id) ? id : undefined;
}
