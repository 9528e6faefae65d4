import { nameId } from '../../core/ids.js';

/** STIX pattern comparison for one observable type (the incident and advisory observable types). */
const PATH_OF: Record<string, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
  sha512: "file:hashes.'SHA-512'",
  mac: 'mac-addr:value',
  filename: 'file:name',
};

const NS = '3f1c2b9e-7d4a-4e6b-9c8d-5a1b2c3d4e5f';

/** `[path = 'value']` for an observable, or null for a type without a STIX path. */
export function patternOfObservable(type: string, value: string): string | null {
  const path = PATH_OF[type];
  return path ? `[${path} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']` : null;
}

/**
 * A STIX indicator for an observable, with an id derived from `scope` and
 * the value, so making it again (re-publishing, re-running) gives the same
 * object and the import stays idempotent.
 */
export function indicatorOfObservable(scope: string, o: { type: string; value: string }, at: { created: string; validFrom: string; validUntil?: string | null; name: string; description?: string; labels?: string[] }): Record<string, unknown> | null {
  const pattern = patternOfObservable(o.type, o.value);
  if (!pattern) return null;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${nameId(`${scope}|${o.type}|${o.value}`, NS)}`,
    created: at.created,
    modified: at.created,
    name: at.name,
    ...(at.description ? { description: at.description } : {}),
    indicator_types: ['malicious-activity'],
    pattern,
    pattern_type: 'stix',
    valid_from: at.validFrom,
    ...(at.validUntil ? { valid_until: at.validUntil } : {}),
    ...(at.labels?.length ? { labels: at.labels } : {}),
  };
}
