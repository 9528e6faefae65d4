import { nameId } from '../../core/ids.js';
import { normaliseObservable } from '../intel/normalise.js';
import { TLP2_IDS, TLP_BY_MARKING, type Tlp } from '../intel/stix-model.js';

/**
 * MISP event JSON <-> STIX 2.1, as data tables (STYLE 8). An event becomes a
 * report; each attribute of a correlatable type becomes an indicator whose
 * id reuses the attribute's uuid (re-import is idempotent); `tlp:` tags
 * become TLP 2.0 markings; the event's distribution gives the TLP when no
 * tag does. Attributes of other types are kept inside the report as
 * x_misp_attributes, so nothing is lost on the way back.
 */

export interface MispAttribute {
  uuid: string;
  type: string;
  category?: string;
  value: string;
  to_ids?: boolean;
  comment?: string;
  timestamp?: string;
  Tag?: Array<{ name: string }>;
}

export interface MispObject {
  uuid: string;
  name: string;
  Attribute?: MispAttribute[];
}

export interface MispEvent {
  uuid: string;
  info: string;
  date?: string;
  timestamp?: string;
  publish_timestamp?: string;
  published?: boolean;
  threat_level_id?: string;
  analysis?: string;
  distribution?: string;
  sharing_group_id?: string;
  SharingGroup?: { uuid?: string; name?: string };
  Orgc?: { name?: string; uuid?: string };
  Tag?: Array<{ name: string }>;
  Attribute?: MispAttribute[];
  Object?: MispObject[];
  Galaxy?: Array<{ name: string; GalaxyCluster?: Array<{ value: string; type?: string }> }>;
}

/** MISP attribute type -> STIX pattern path (a `|` type carries two values, e.g. domain|ip). */
const PATTERN_OF: Record<string, (v: string) => string | null> = {
  'ip-dst': ipPath,
  'ip-src': ipPath,
  domain: (v) => `domain-name:value = ${lit(v)}`,
  hostname: (v) => `domain-name:value = ${lit(v)}`,
  url: (v) => `url:value = ${lit(v)}`,
  link: (v) => `url:value = ${lit(v)}`,
  uri: (v) => `url:value = ${lit(v)}`,
  'email-src': (v) => `email-addr:value = ${lit(v)}`,
  'email-dst': (v) => `email-addr:value = ${lit(v)}`,
  email: (v) => `email-addr:value = ${lit(v)}`,
  md5: (v) => `file:hashes.MD5 = ${lit(v)}`,
  sha1: (v) => `file:hashes.'SHA-1' = ${lit(v)}`,
  sha256: (v) => `file:hashes.'SHA-256' = ${lit(v)}`,
  sha512: (v) => `file:hashes.'SHA-512' = ${lit(v)}`,
  'mac-address': (v) => `mac-addr:value = ${lit(v)}`,
};

/** STIX path -> MISP attribute type, for export. */
const TYPE_OF_KIND: Record<string, string> = { ipv4: 'ip-dst', ipv6: 'ip-dst', domain: 'domain', url: 'url', email: 'email-src', md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha512: 'sha512', mac: 'mac-address' };
const CATEGORY_OF: Record<string, string> = { 'ip-dst': 'Network activity', domain: 'Network activity', url: 'Network activity', 'email-src': 'Payload delivery', md5: 'Payload delivery', sha1: 'Payload delivery', sha256: 'Payload delivery', sha512: 'Payload delivery', 'mac-address': 'Network activity' };

function lit(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function ipPath(v: string): string | null {
  const n = normaliseObservable('ip', v);
  if (!n) return null;
  return `${n.kind === 'ipv4' ? 'ipv4-addr' : 'ipv6-addr'}:value = ${lit(v)}`;
}

/** MISP distribution -> TLP: 0 your organisation only, 1 this community, 2 connected communities, 3 all, 4 a sharing group. */
const TLP_OF_DISTRIBUTION: Record<string, Tlp> = { '0': 'amber', '1': 'green', '2': 'green', '3': 'clear', '4': 'amber' };

/** The TLP an event carries: its `tlp:` tag if any, else its distribution. */
export function tlpOfEvent(e: MispEvent): Tlp {
  const tag = e.Tag?.map((t) => t.name.toLowerCase()).find((t) => t.startsWith('tlp:'));
  if (tag) {
    const level = tag.slice(4).replace('white', 'clear');
    if (level === 'amber+strict' || level === 'clear' || level === 'green' || level === 'amber' || level === 'red') return level;
  }
  return TLP_OF_DISTRIBUTION[e.distribution ?? '0'] ?? 'amber';
}

function stixTime(misp: string | undefined, fallback: string): string {
  if (misp && /^\d+$/.test(misp)) return new Date(Number(misp) * 1000).toISOString();
  if (misp && !Number.isNaN(Date.parse(misp))) return new Date(misp).toISOString();
  return fallback;
}

/**
 * One MISP event as STIX objects: a report for the event and an indicator
 * per attribute of a type with a STIX pattern (in objects too). The TLP is
 * carried as a TLP 2.0 marking on every object.
 */
export function eventToStix(e: MispEvent): { objects: Record<string, unknown>[]; tlp: Tlp } {
  const tlp = tlpOfEvent(e);
  const marking = TLP2_IDS[tlp];
  const created = stixTime(e.date, '1970-01-01T00:00:00.000Z');
  const modified = stixTime(e.timestamp, created);
  const indicators: Record<string, unknown>[] = [];
  const other: MispAttribute[] = [];
  const attrs = [...(e.Attribute ?? []), ...(e.Object ?? []).flatMap((o) => o.Attribute ?? [])];
  for (const a of attrs) {
    const values = a.type.includes('|') ? a.value.split('|') : [a.value];
    const types = a.type.includes('|') ? a.type.split('|') : [a.type];
    const parts = types.map((t, i) => PATTERN_OF[t === 'hostname' ? 'domain' : t]?.(values[i] ?? '') ?? null);
    if (parts.some((p) => p === null) || !parts.length) {
      other.push(a);
      continue;
    }
    const aCreated = stixTime(a.timestamp, modified);
    indicators.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${a.uuid}`,
      created: aCreated < created ? aCreated : created,
      modified: aCreated < created ? created : aCreated,
      name: `${a.type}: ${a.value}`,
      ...(a.comment ? { description: a.comment } : {}),
      indicator_types: ['malicious-activity'],
      pattern: `[${parts.join(' AND ')}]`,
      pattern_type: 'stix',
      valid_from: aCreated,
      labels: [`misp:type="${a.type}"`, ...(a.category ? [`misp:category="${a.category}"`] : []), ...(a.to_ids === false ? ['misp:to_ids="false"'] : [])],
      object_marking_refs: [marking],
    });
  }
  const galaxies = (e.Galaxy ?? []).flatMap((g) => (g.GalaxyCluster ?? []).map((c) => `misp-galaxy:${g.name}="${c.value}"`));
  const report: Record<string, unknown> = {
    type: 'report',
    spec_version: '2.1',
    id: `report--${e.uuid}`,
    created,
    modified: modified < created ? created : modified,
    name: e.info,
    published: stixTime(e.publish_timestamp, modified),
    report_types: ['threat-report'],
    object_refs: indicators.length ? indicators.map((i) => i.id) : [`note--${nameId(e.uuid, '6c3f0f4e-5a7d-4c1a-9d8e-2f6b7a1c9e01')}`],
    labels: [...(e.Tag ?? []).map((t) => t.name), ...galaxies].filter(Boolean),
    object_marking_refs: [marking],
    x_misp_event: { uuid: e.uuid, threat_level_id: e.threat_level_id, analysis: e.analysis, distribution: e.distribution, org: e.Orgc?.name },
    ...(other.length ? { x_misp_attributes: other } : {}),
  };
  if ((report.labels as string[]).length === 0) delete report.labels;
  return { objects: [report, ...indicators], tlp };
}

/**
 * STIX back to a MISP event: a report and its indicators (those whose
 * pattern names one correlatable value) become an event with attributes;
 * the TLP becomes a `tlp:` tag and the distribution.
 */
export function stixToEvent(report: Record<string, unknown>, indicators: readonly Record<string, unknown>[], tlp: Tlp | null, observablesOf: (pattern: string) => Array<{ kind: string; value: string }>): MispEvent {
  const misp = (report.x_misp_event ?? {}) as { threat_level_id?: string; analysis?: string };
  const level = tlp ?? 'amber';
  const ts = (s: unknown) => String(Math.floor(Date.parse(String(s)) / 1000));
  const attributes: MispAttribute[] = [];
  for (const ind of indicators) {
    if (typeof ind.pattern !== 'string' || ind.pattern_type !== 'stix') continue;
    for (const o of observablesOf(ind.pattern)) {
      const type = TYPE_OF_KIND[o.kind];
      if (!type) continue;
      const uuid = (ind.id as string).slice('indicator--'.length);
      attributes.push({
        uuid: attributes.some((a) => a.uuid === uuid) ? nameId(`${uuid}:${o.value}`, uuid) : uuid,
        type,
        category: CATEGORY_OF[type] ?? 'Other',
        value: o.value,
        to_ids: true,
        comment: typeof ind.description === 'string' ? ind.description : '',
        timestamp: ts(ind.modified),
      });
    }
  }
  for (const a of (report.x_misp_attributes as MispAttribute[] | undefined) ?? []) attributes.push(a);
  const labels = ((report.labels as string[] | undefined) ?? []).filter((l) => !l.toLowerCase().startsWith('tlp:'));
  return {
    uuid: (report.id as string).slice('report--'.length),
    info: String(report.name ?? ''),
    date: String(report.created).slice(0, 10),
    timestamp: ts(report.modified),
    publish_timestamp: ts(report.published ?? report.modified),
    published: true,
    threat_level_id: misp.threat_level_id ?? '2',
    analysis: misp.analysis ?? '2',
    distribution: level === 'clear' ? '3' : level === 'green' ? '1' : '0',
    Tag: [{ name: `tlp:${level}` }, ...labels.filter((l) => !l.startsWith('misp-galaxy:')).map((name) => ({ name }))],
    Attribute: attributes,
  };
}

/** Whether a marking id is a TLP marking (dropped from the tags on export: the tlp: tag replaces it). */
export function isTlpMarking(id: string): boolean {
  return id in TLP_BY_MARKING;
}
