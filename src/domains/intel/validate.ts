import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { fromRoot } from '../../core/paths.js';
import { parsePattern, PatternError } from './pattern/parser.js';
import { isScoType } from './stix-model.js';

/** Why one object of a bundle was refused: its id, where in the input, and what is wrong. */
export interface StixProblem {
  id: string | null;
  /** JSON path from the bundle, e.g. `objects[12].modified`. */
  path: string;
  reason: string;
}

const SCHEMA_DIR = fromRoot('src/domains/intel/stix-schemas');
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

let ajv: Ajv2020 | undefined;
const byType = new Map<string, ValidateFunction>();
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

/**
 * The OASIS schemas are JSON Schema 2020-12. Compiled once per process and
 * per type: `strict: false` (they use keywords ajv does not know),
 * `unicodeRegExp: false` (core.json has `\-` in a pattern), and a lenient
 * idn-hostname (ajv-formats has none).
 */
function schemas(): Ajv2020 {
  if (ajv) return ajv;
  const a = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: false });
  addFormats(a);
  a.addFormat('idn-hostname', true);
  a.addFormat('idn-email', true);
  for (const dir of ['common', 'observables', 'sdos', 'sros']) {
    for (const f of readdirSync(join(SCHEMA_DIR, dir))) {
      if (f.endsWith('.json')) a.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, dir, f), 'utf8')) as object);
    }
  }
  ajv = a;
  return a;
}

const SCHEMA_OF: Record<string, string> = {
  relationship: 'sros/relationship.json',
  sighting: 'sros/sighting.json',
  'marking-definition': 'common/marking-definition.json',
  'language-content': 'common/language-content.json',
  'extension-definition': 'common/extension-definition.json',
};

function validatorFor(type: string, obj: Record<string, unknown>): ValidateFunction {
  const known = SCHEMA_OF[type] ?? (isScoType(type) ? `observables/${type}.json` : existsSdo(type) ? `sdos/${type}.json` : undefined);
  // Custom object types have no schema of their own: they must satisfy the
  // common core (SDO-like, with created/modified) or the cyber-observable core.
  const key = known ?? (obj.created !== undefined ? 'common/core.json' : 'common/cyber-observable-core.json');
  let v = byType.get(key);
  if (!v) {
    v = schemas().getSchema(BASE + key);
    if (!v) throw new Error(`STIX schema ${key} missing`);
    byType.set(key, v);
  }
  return v;
}

const SDO = new Set(['attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure', 'intrusion-set', 'location', 'malware', 'malware-analysis', 'note', 'observed-data', 'opinion', 'report', 'threat-actor', 'tool', 'vulnerability']);
function existsSdo(type: string): boolean {
  return SDO.has(type);
}

/** Which object types a reference property may point at (rules the schemas do not express). */
const REF_TYPES: Record<string, readonly string[]> = {
  created_by_ref: ['identity'],
  object_marking_refs: ['marking-definition'],
  'granular_markings.marking_ref': ['marking-definition'],
  where_sighted_refs: ['identity', 'location'],
  observed_data_refs: ['observed-data'],
  sample_refs: [...['artifact', 'file']],
  sample_ref: ['artifact', 'file'],
};
const NOT_ENDPOINTS = new Set(['relationship', 'sighting', 'marking-definition', 'language-content', 'extension-definition', 'bundle']);
const ID = /^([a-z][a-z0-9-]*)--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function refType(ref: unknown): string | null {
  return typeof ref === 'string' ? (ID.exec(ref)?.[1] ?? null) : null;
}

/**
 * Validates one STIX object: its type's OASIS schema, then what the schema
 * cannot say (id prefix = type, modified >= created, reference target types,
 * a `stix` indicator's pattern). Returns the first problem, or null.
 */
export function validateStixObject(obj: unknown, path: string): StixProblem | null {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { id: null, path, reason: 'a STIX object must be a JSON object' };
  const o = obj as Record<string, unknown>;
  const id = typeof o.id === 'string' ? o.id : null;
  if (typeof o.type !== 'string') return { id, path: `${path}.type`, reason: 'type is required' };
  if (typeof o.id !== 'string') return { id, path: `${path}.id`, reason: 'id is required' };
  const m = ID.exec(o.id);
  if (!m) return { id, path: `${path}.id`, reason: `id ${o.id} is not <type>--<uuid>` };
  if (m[1] !== o.type) return { id, path: `${path}.id`, reason: `id prefix ${m[1]} does not match type ${o.type}` };
  const v = validatorFor(o.type, o);
  if (!v(o)) return { id, path: path + jsonPath(v.errors?.[0]), reason: describeError(v.errors?.[0]) };
  if (typeof o.created === 'string' && typeof o.modified === 'string' && Date.parse(o.modified) < Date.parse(o.created)) {
    return { id, path: `${path}.modified`, reason: `modified ${o.modified} is earlier than created ${o.created}` };
  }
  for (const [prop, types] of Object.entries(REF_TYPES)) {
    if (prop.includes('.')) continue;
    const val = o[prop];
    const refs = Array.isArray(val) ? val : val === undefined ? [] : [val];
    for (const [i, r] of refs.entries()) {
      const t = refType(r);
      if (t && !types.includes(t)) return { id, path: `${path}.${prop}${Array.isArray(val) ? `[${i}]` : ''}`, reason: `${prop} must reference ${types.join(' or ')}, not ${t}` };
    }
  }
  if (Array.isArray(o.granular_markings)) {
    for (const [i, g] of (o.granular_markings as Array<Record<string, unknown>>).entries()) {
      const t = refType(g?.marking_ref);
      if (t && t !== 'marking-definition') return { id, path: `${path}.granular_markings[${i}].marking_ref`, reason: `marking_ref must reference marking-definition, not ${t}` };
    }
  }
  if (o.type === 'relationship') {
    for (const p of ['source_ref', 'target_ref']) {
      const t = refType(o[p]);
      if (t && NOT_ENDPOINTS.has(t)) return { id, path: `${path}.${p}`, reason: `a relationship cannot point at a ${t}` };
    }
  }
  if (o.type === 'sighting') {
    const t = refType(o.sighting_of_ref);
    if (t && (NOT_ENDPOINTS.has(t) || isScoType(t))) return { id, path: `${path}.sighting_of_ref`, reason: `sighting_of_ref must reference an SDO, not ${t}` };
  }
  if (o.type === 'indicator' && o.pattern_type === 'stix' && typeof o.pattern === 'string') {
    try {
      parsePattern(o.pattern);
    } catch (e) {
      if (e instanceof PatternError) return { id, path: `${path}.pattern`, reason: `invalid STIX pattern: ${e.message}` };
      throw e;
    }
  }
  return null;
}

function jsonPath(e: ErrorObject | undefined): string {
  if (!e) return '';
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  if (e.keyword === 'required') out += `.${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === 'additionalProperties') out += `.${(e.params as { additionalProperty: string }).additionalProperty}`;
  return out;
}

function describeError(e: ErrorObject | undefined): string {
  if (!e) return 'does not match the STIX 2.1 schema';
  const title = (e.parentSchema as { title?: string } | undefined)?.title;
  const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  return `${e.message ?? 'is not valid'}${extra}${title ? ` [schema: ${title}]` : ''}`;
}
