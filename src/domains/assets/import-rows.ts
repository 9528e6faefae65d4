import { ASSET_TYPES, IsoDate, RATING_LABELS, Tag, type AssetType, type ImportProblem } from './schema.js';
import type { Sheet } from './tabular.js';

/** The columns an import file may carry; `name` and `type` are required, C/I/A default to 3 (medium). */
export const IMPORT_COLUMNS = [
  'name', 'type', 'description', 'owner', 'custodian', 'location',
  'confidentiality', 'integrity', 'availability', 'criticality',
  'acquired_on', 'review_due_on', 'retired_on', 'tags', 'depends_on',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export interface ImportValues {
  name: string;
  type: AssetType;
  description: string;
  ownerId: string | null;
  custodianId: string | null;
  location: string;
  confidentiality: number;
  integrity: number;
  availability: number;
  criticality: number;
  acquiredOn: string | null;
  reviewDueOn: string | null;
  retiredOn: string | null;
  tags: string[];
}

export interface ValidRow {
  line: number;
  values: ImportValues;
  /** Names this asset depends on; undefined when the file has no depends_on column (keep what exists). */
  dependsOn: string[] | undefined;
  /** Which optional columns the file carries: an update only touches those. */
  present: ReadonlySet<Column>;
}

/** Parses a rating: 1..5 or its label (`very low`, `High`, `very_high`). */
export function parseRating(s: string): number | undefined {
  if (/^[1-5]$/.test(s)) return Number(s);
  const i = RATING_LABELS.indexOf(s.trim().toLowerCase().replace(/[\s-]+/g, '_') as (typeof RATING_LABELS)[number]);
  return i >= 0 ? i + 1 : undefined;
}

const list = (s: string) => s.split(/[;,]/).map((x) => x.trim()).filter(Boolean);

/**
 * Checks every row of a sheet and reports every problem with its line and
 * column, so one dry run shows everything to fix. Owners and custodians are
 * member emails; depends_on names other rows of the file or existing assets.
 */
export function validateSheet(
  sheet: Sheet,
  members: ReadonlyMap<string, string>,
  existingNames: ReadonlySet<string>,
): { rows: ValidRow[]; errors: ImportProblem[] } {
  const errors: ImportProblem[] = [];
  const known = new Set<string>(IMPORT_COLUMNS);
  const seenHeader = new Set<string>();
  sheet.headers.forEach((h, i) => {
    if (h === '') errors.push({ line: 1, column: `#${i + 1}`, message: 'empty column header' });
    else if (!known.has(h)) errors.push({ line: 1, column: h, message: `unknown column; expected some of ${IMPORT_COLUMNS.join(', ')}` });
    else if (seenHeader.has(h)) errors.push({ line: 1, column: h, message: 'column appears twice' });
    seenHeader.add(h);
  });
  for (const required of ['name', 'type'] as const) {
    if (!seenHeader.has(required)) errors.push({ line: 1, column: required, message: 'required column is missing' });
  }
  if (errors.length) return { rows: [], errors };
  if (sheet.rows.length === 0) return { rows: [], errors: [{ line: 2, column: 'name', message: 'the file has a header but no rows' }] };

  const present = new Set(sheet.headers) as Set<Column>;
  const fileNames = new Map<string, number>();
  for (const r of sheet.rows) {
    const n = r.cells.get('name')?.toLowerCase();
    if (n && !fileNames.has(n)) fileNames.set(n, r.line);
  }
  const rows: ValidRow[] = [];
  for (const r of sheet.rows) {
    const before = errors.length;
    const at = (column: string, message: string) => errors.push({ line: r.line, column, message });
    const get = (c: Column) => r.cells.get(c) ?? '';

    const name = get('name');
    if (!name) at('name', 'required');
    else if (name.length > 200) at('name', 'at most 200 characters');
    else if (fileNames.get(name.toLowerCase()) !== r.line) at('name', `duplicate of line ${fileNames.get(name.toLowerCase())}`);

    const type = get('type').toLowerCase();
    if (!type) at('type', 'required');
    else if (!(ASSET_TYPES as readonly string[]).includes(type)) at('type', `must be one of ${ASSET_TYPES.join(', ')}`);

    const person = (c: 'owner' | 'custodian'): string | null => {
      const v = get(c).toLowerCase();
      if (!v) return null;
      const id = members.get(v);
      if (!id) at(c, `${v} is not a member of this organisation`);
      return id ?? null;
    };
    const ownerId = person('owner');
    const custodianId = person('custodian');

    const rating = (c: 'confidentiality' | 'integrity' | 'availability' | 'criticality', fallback: number | undefined): number | undefined => {
      const v = get(c);
      if (!v) return fallback;
      const n = parseRating(v);
      if (n === undefined) at(c, `"${v}" is not a rating: use 1-5 or ${RATING_LABELS.join(', ')}`);
      return n;
    };
    const c = rating('confidentiality', 3);
    const i = rating('integrity', 3);
    const a = rating('availability', 3);
    const crit = rating('criticality', undefined);

    const date = (col: 'acquired_on' | 'review_due_on' | 'retired_on'): string | null => {
      const v = get(col);
      if (!v) return null;
      if (!IsoDate.safeParse(v).success) at(col, `"${v}" is not a date YYYY-MM-DD`);
      return v;
    };
    const acquiredOn = date('acquired_on');
    const reviewDueOn = date('review_due_on');
    const retiredOn = date('retired_on');

    const tags = list(get('tags'));
    for (const t of tags) if (!Tag.safeParse(t).success) at('tags', `"${t}" is not a valid tag (1-50 characters)`);
    if (tags.length > 30) at('tags', 'at most 30 tags');

    let dependsOn: string[] | undefined;
    if (present.has('depends_on')) {
      dependsOn = list(get('depends_on'));
      for (const d of dependsOn) {
        const k = d.toLowerCase();
        if (k === name.toLowerCase()) at('depends_on', 'an asset cannot depend on itself');
        else if (!fileNames.has(k) && !existingNames.has(k)) at('depends_on', `no asset named "${d}" in the file or the inventory`);
      }
    }
    const description = get('description');
    if (description.length > 5000) at('description', 'at most 5000 characters');
    const location = get('location');
    if (location.length > 200) at('location', 'at most 200 characters');

    if (errors.length === before) {
      rows.push({
        line: r.line,
        present,
        dependsOn,
        values: {
          name, type: type as AssetType, description, ownerId, custodianId, location,
          confidentiality: c!, integrity: i!, availability: a!, criticality: crit ?? Math.max(c!, i!, a!),
          acquiredOn, reviewDueOn, retiredOn, tags: [...new Set(tags)],
        },
      });
    }
  }
  return { rows, errors };
}
