import { readFileSync } from 'node:fs';
import { fromRoot } from '../../core/paths.js';

/** One RSIT incident type within a class. */
export interface RsitType {
  key: string;
  label: string;
  description: string;
}

/** One RSIT class with its types. */
export interface RsitClass {
  key: string;
  label: string;
  types: RsitType[];
}

export interface RsitTaxonomy {
  name: string;
  version: string;
  source: string;
  classes: RsitClass[];
}

// The taxonomy ships as data (src/domains/incidents/rsit.json, read from the package root so dist/ finds it too) so a new RSIT
// revision is a data change, not a code change.
export const RSIT: RsitTaxonomy = JSON.parse(readFileSync(fromRoot('src/domains/incidents/rsit.json'), 'utf8')) as RsitTaxonomy;

const index = new Map(RSIT.classes.map((c) => [c.key, new Set(c.types.map((t) => t.key))]));

/** Whether `type` is a type of RSIT class `cls`. */
export function isRsitPair(cls: string, type: string): boolean {
  return index.get(cls)?.has(type) ?? false;
}

/** Whether `cls` is an RSIT class key. */
export function isRsitClass(cls: string): boolean {
  return index.has(cls);
}
