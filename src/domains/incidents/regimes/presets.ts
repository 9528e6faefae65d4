import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../core/paths.js';
import { RegimeDefinition } from './schema.js';

export const PRESET_KEYS = ['dora', 'nis2', 'local'] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];

const cache = new Map<PresetKey, RegimeDefinition>();

/** A shipped regime preset (committed JSON under regimes/presets), validated by the same schema as an edit. */
export function loadPreset(key: PresetKey): RegimeDefinition {
  let def = cache.get(key);
  if (!def) {
    def = RegimeDefinition.parse(JSON.parse(readFileSync(fromRoot('src/domains/incidents/regimes/presets', `${key}.json`), 'utf8')));
    cache.set(key, def);
  }
  return structuredClone(def);
}
