import type { FieldProblem } from '../../core/errors.js';
import { IntelErrors } from './errors.js';
import { validateStixObject, type StixProblem } from './validate.js';

/** At most this many problems are reported for one bundle (the rest are counted). */
const MAX_PROBLEMS = 50;

/** Parses bundle text; malformed JSON is refused with the position JSON.parse names. */
export function parseBundleText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    throw IntelErrors.STIX_BUNDLE_INVALID(`The file is not valid JSON: ${msg}`, [{ path: /position (\d+)/.exec(msg)?.[0] ?? '$', message: msg }]);
  }
}

/** The objects of a STIX bundle (or of a bare array of objects), or STIX_BUNDLE_INVALID. */
export function bundleObjects(bundle: unknown): Record<string, unknown>[] {
  if (Array.isArray(bundle)) return bundle as Record<string, unknown>[];
  if (!bundle || typeof bundle !== 'object') throw IntelErrors.STIX_BUNDLE_INVALID('A STIX bundle must be a JSON object', [{ path: '$', message: 'not an object' }]);
  const b = bundle as Record<string, unknown>;
  if (b.type !== 'bundle') throw IntelErrors.STIX_BUNDLE_INVALID("A STIX bundle has type 'bundle'", [{ path: 'type', message: "must be 'bundle'" }]);
  if (typeof b.id !== 'string' || !/^bundle--[0-9a-fA-F-]{36}$/.test(b.id)) throw IntelErrors.STIX_BUNDLE_INVALID('The bundle id must be bundle--<uuid>', [{ path: 'id', message: 'must be bundle--<uuid>' }]);
  if (b.objects === undefined) return [];
  if (!Array.isArray(b.objects)) throw IntelErrors.STIX_BUNDLE_INVALID('objects must be an array', [{ path: 'objects', message: 'must be an array' }]);
  return b.objects as Record<string, unknown>[];
}

/**
 * Validates every object; throws STIX_BUNDLE_INVALID listing the problems
 * (id, path, reason) when any object is invalid, so a bundle is imported
 * whole or not at all. `onProgress` is called every 1,000 objects.
 */
export function validateObjects(objects: readonly unknown[], onProgress?: (done: number) => void): void {
  const problems: StixProblem[] = [];
  let count = 0;
  for (let i = 0; i < objects.length; i++) {
    const p = validateStixObject(objects[i], `objects[${i}]`);
    if (p) {
      count++;
      if (problems.length < MAX_PROBLEMS) problems.push(p);
    }
    if (onProgress && (i + 1) % 1000 === 0) onProgress(i + 1);
  }
  if (problems.length) {
    const first = problems[0]!;
    const errors: FieldProblem[] = problems.map((p) => ({ path: p.path, message: `${p.id ?? '(no id)'}: ${p.reason}` }));
    throw IntelErrors.STIX_BUNDLE_INVALID(
      `${count} invalid object${count === 1 ? '' : 's'}; nothing was imported. First: ${first.id ?? '(no id)'} at ${first.path}: ${first.reason}`,
      errors,
    );
  }
}
