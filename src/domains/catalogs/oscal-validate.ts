import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fromRoot } from '../../core/paths.js';

/** The schema releases shipped in oscal-schemas/ (see its README). */
export const OSCAL_SCHEMA_VERSIONS = ['1.1.2', '1.2.1'] as const;
export type OscalSchemaVersion = (typeof OSCAL_SCHEMA_VERSIONS)[number];

export interface OscalProblem {
  /** JSON path of the offending value, e.g. `$.catalog.groups[3].controls[0].id`. */
  path: string;
  message: string;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
const compiled = new Map<OscalSchemaVersion, ValidateFunction>();

/**
 * The NIST schemas are JSON Schema draft-07: plain Ajv, `strict: false`
 * (they carry keywords Ajv does not know), ajv-formats; compiled once per
 * process and version. `allErrors: false`: the first problem is enough and
 * it keeps big catalogs fast.
 */
function validator(version: OscalSchemaVersion): ValidateFunction {
  let v = compiled.get(version);
  if (!v) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(fromRoot(`src/domains/catalogs/oscal-schemas/v${version}/oscal_catalog_schema.json`), 'utf8')) as object;
    v = ajv.compile(schema);
    compiled.set(version, v);
  }
  return v;
}

/** Which schema checks a catalog: 1.0.x and 1.1.x -> v1.1.2, 1.2.x and later 1.x -> v1.2.1; undefined when not OSCAL 1.x. */
export function schemaVersionFor(oscalVersion: unknown): OscalSchemaVersion | undefined {
  if (typeof oscalVersion !== 'string') return undefined;
  const m = /^v?1\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(oscalVersion.trim());
  if (!m) return undefined;
  return Number(m[1]) >= 2 ? '1.2.1' : '1.1.2';
}

/** `/catalog/groups/3/id` -> `$.catalog.groups[3].id` */
export function jsonPath(pointer: string): string {
  let out = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_][\w-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(e: ErrorObject): OscalProblem {
  const at = jsonPath(e.instancePath);
  if (e.keyword === 'required') return { path: `${at === '$' ? '$' : at}.${String((e.params as { missingProperty: string }).missingProperty)}`, message: 'is required' };
  if (e.keyword === 'additionalProperties') return { path: `${at}.${String((e.params as { additionalProperty: string }).additionalProperty)}`, message: 'is not allowed here' };
  return { path: at, message: e.message ?? 'is not valid' };
}

/**
 * Checks a parsed document against the NIST OSCAL catalog schema chosen by
 * its metadata.oscal-version. Returns the first problem, or the schema
 * version used.
 */
export function validateOscalCatalog(doc: unknown): { ok: true; schemaVersion: OscalSchemaVersion } | { ok: false; problem: OscalProblem } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, problem: { path: '$', message: 'must be a JSON object with a "catalog" member' } };
  const catalog = (doc as { catalog?: unknown }).catalog;
  if (typeof catalog !== 'object' || catalog === null) return { ok: false, problem: { path: '$.catalog', message: 'is required: only OSCAL catalogs can be imported (not profiles, SSPs or other models)' } };
  const meta = (catalog as { metadata?: unknown }).metadata;
  const ov = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['oscal-version'] : undefined;
  const version = schemaVersionFor(ov);
  if (!version) return { ok: false, problem: { path: '$.catalog.metadata.oscal-version', message: `must be an OSCAL 1.x version (got ${JSON.stringify(ov ?? null)})` } };
  const v = validator(version);
  if (v(doc)) return { ok: true, schemaVersion: version };
  const first = v.errors?.[0];
  return { ok: false, problem: first ? describe(first) : { path: '$', message: 'is not a valid OSCAL catalog' } };
}
