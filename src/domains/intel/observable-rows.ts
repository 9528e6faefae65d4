import type { SharingColumns } from '../sharing/service.js';
import type { NormalisedObservable } from './normalise.js';
import { observablesOfPattern, observablesOfSco } from './pattern/observables.js';
import { parsePattern } from './pattern/parser.js';
import { isScoType } from './stix-model.js';

/** An observable about to be stored for correlation, with where it came from and who may see it. */
export interface NewObservable extends NormalisedObservable {
  sourceKind: 'stix' | 'incident' | 'watchlist';
  sourceRef: string;
  sharing: SharingColumns;
}

/**
 * The observables STIX objects contribute: the values a `stix` indicator's
 * pattern compares with = or IN, and the values of cyber-observables.
 * Indicators in other pattern languages (sigma, yara, snort, ...) are stored
 * and searchable but contribute none.
 */
export function observablesForObjects(objects: readonly Record<string, unknown>[], sharingOf: (o: Record<string, unknown>) => SharingColumns): NewObservable[] {
  const out: NewObservable[] = [];
  for (const o of objects) {
    let found: NormalisedObservable[] = [];
    if (o.type === 'indicator' && o.pattern_type === 'stix' && typeof o.pattern === 'string') {
      found = observablesOfPattern(parsePattern(o.pattern));
    } else if (isScoType(o.type as string)) {
      found = observablesOfSco(o);
    }
    if (!found.length || o.revoked === true) continue;
    const sharing = sharingOf(o);
    for (const f of found) out.push({ ...f, sourceKind: 'stix', sourceRef: o.id as string, sharing });
  }
  return out;
}
