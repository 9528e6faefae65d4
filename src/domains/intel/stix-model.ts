import { canonicalJson } from '../../core/canonical-json.js';
import { nameId } from '../../core/ids.js';

/**
 * The STIX 2.1 model as data (STYLE 8): object kinds, the marking-definition
 * ids the platform understands, and the properties that make an SCO's id.
 */

export const SDO_TYPES = [
  'attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure',
  'intrusion-set', 'location', 'malware', 'malware-analysis', 'note', 'observed-data', 'opinion', 'report', 'threat-actor',
  'tool', 'vulnerability',
] as const;
export const SRO_TYPES = ['relationship', 'sighting'] as const;
export const SCO_TYPES = [
  'artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr',
  'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate',
] as const;
export const META_TYPES = ['marking-definition', 'language-content', 'extension-definition'] as const;

const SCO_SET = new Set<string>(SCO_TYPES);
export function isScoType(type: string): boolean {
  return SCO_SET.has(type);
}

import { TLP_LEVELS, type Tlp } from '../sharing/schema.js';
export { TLP_LEVELS, type Tlp };

/** TLP 2.0 marking-definition ids (OASIS cti-stix-common-objects): what the platform emits. */
export const TLP2_IDS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** Every marking id read as a TLP level: TLP 2.0, TLP 1.0 (STIX 2.1 spec, MISP) and OpenCTI's AMBER+STRICT. */
export const TLP_BY_MARKING: Record<string, Tlp> = {
  ...Object.fromEntries(Object.entries(TLP2_IDS).map(([k, v]) => [v, k as Tlp])),
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear', // TLP 1.0 WHITE
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
  'marking-definition--826578e1-40ad-459f-bc73-ede076f81f37': 'amber+strict', // OpenCTI
};

const TLP_RANK: Record<Tlp, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };

/** The most restrictive TLP among an object's markings (an object marked twice obeys the stricter one). */
export function tlpOfMarkings(refs: readonly string[] | undefined): Tlp | null {
  let best: Tlp | null = null;
  for (const r of refs ?? []) {
    const t = TLP_BY_MARKING[r];
    if (t && (best === null || TLP_RANK[t] > TLP_RANK[best])) best = t;
  }
  return best;
}

/** PAP as carried by labels or a marking statement ("PAP:AMBER"), kept as written, upper-cased. */
export function papOf(obj: Record<string, unknown>, markingStatements: ReadonlyMap<string, string>): string | null {
  const labels = Array.isArray(obj.labels) ? (obj.labels as unknown[]) : [];
  for (const l of labels) if (typeof l === 'string' && /^pap:(clear|white|green|amber|red)$/i.test(l)) return l.toUpperCase();
  for (const r of (obj.object_marking_refs as string[] | undefined) ?? []) {
    const s = markingStatements.get(r);
    if (s && /^pap:(clear|white|green|amber|red)$/i.test(s)) return s.toUpperCase();
  }
  return null;
}

/** The namespace STIX 2.1 fixes for deterministic SCO ids. */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** Id-contributing properties per SCO type (STIX 2.1, section 6). */
const ID_PROPERTIES: Record<string, readonly string[]> = {
  artifact: ['hashes', 'payload_bin'],
  'autonomous-system': ['number'],
  directory: ['path'],
  'domain-name': ['value'],
  'email-addr': ['value'],
  'email-message': ['from_ref', 'subject', 'body'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'mac-addr': ['value'],
  mutex: ['name'],
  'network-traffic': ['start', 'end', 'src_ref', 'dst_ref', 'src_port', 'dst_port', 'protocols', 'extensions'],
  software: ['name', 'cpe', 'swid', 'vendor', 'version'],
  url: ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
};
const HASH_PREFERENCE = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512'];

/**
 * The deterministic id of a cyber-observable: UUIDv5 in the STIX namespace
 * over the canonical JSON of its id-contributing properties (one hash, by
 * preference MD5, SHA-1, SHA-256, SHA-512). For the string, integer and
 * nested-object values these properties hold, the platform's canonical JSON
 * (sorted keys, no whitespace) is exactly RFC 8785. Returns null for types
 * without contributing properties (process), whose ids are random.
 */
export function scoId(obj: Record<string, unknown>): string | null {
  const type = obj.type as string;
  const props = ID_PROPERTIES[type];
  if (!props) return null;
  const picked: Record<string, unknown> = {};
  for (const p of props) {
    const v = obj[p];
    if (v === undefined) continue;
    if (p === 'hashes' && v && typeof v === 'object') {
      const h = v as Record<string, unknown>;
      const alg = HASH_PREFERENCE.find((a) => h[a] !== undefined) ?? Object.keys(h).sort()[0];
      if (alg) picked.hashes = { [alg]: h[alg] };
    } else picked[p] = v;
  }
  if (Object.keys(picked).length === 0) return null;
  return `${type}--${nameId(canonicalJson(picked), SCO_NAMESPACE)}`;
}
