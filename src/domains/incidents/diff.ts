import { canonicalJson } from '../../core/canonical-json.js';

export interface Change {
  path: string;
  kind: 'changed' | 'added' | 'removed';
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What changed between two stage snapshots, field by field. Arrays are
 * compared as sets (an observable added or removed), objects recursively.
 */
export function diffSnapshots(a: unknown, b: unknown, path = ''): Change[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a) || a[k] === undefined) return b[k] === undefined ? [] : [{ path: p, kind: 'added' as const, after: b[k] }];
      if (!(k in b) || b[k] === undefined) return [{ path: p, kind: 'removed' as const, before: a[k] }];
      return diffSnapshots(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = new Map(a.map((x) => [canonicalJson(x), x]));
    const kb = new Map(b.map((x) => [canonicalJson(x), x]));
    const out: Change[] = [];
    for (const [k, v] of kb) if (!ka.has(k)) out.push({ path: `${path}[]`, kind: 'added', after: v });
    for (const [k, v] of ka) if (!kb.has(k)) out.push({ path: `${path}[]`, kind: 'removed', before: v });
    return out;
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [{ path, kind: 'changed', before: a, after: b }];
}
