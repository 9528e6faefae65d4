import ipaddr from 'ipaddr.js';
import { domainToASCII } from 'node:url';

import { OBSERVABLE_KINDS, type ObservableKind } from './schema.js';
export { OBSERVABLE_KINDS, type ObservableKind };

export interface NormalisedObservable {
  kind: ObservableKind;
  /** The canonical text: equal values compare equal as strings. */
  value: string;
  /** For addresses and ranges: the inet literal used for CIDR containment. */
  ip?: string;
}

const HASH_LEN: Partial<Record<ObservableKind, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/**
 * Canonical form of one observable value, or null when it is not a valid
 * value of that kind. IPv4/IPv6 addresses and CIDR ranges are canonical
 * (RFC 5952 for IPv6, ranges reduced to their network address, /32 and /128
 * written as plain addresses); domains lower-cased, IDN to punycode, trailing
 * dot dropped; URLs parsed and re-serialised by the WHATWG URL parser
 * (scheme and host lower-cased, default port and fragment dropped); hashes
 * lower-cased hex of the right length; email addresses lower-cased with an
 * IDN-normalised domain.
 */
export function normaliseObservable(kind: ObservableKind | 'ip', raw: string): NormalisedObservable | null {
  const v = raw.trim();
  if (v === '') return null;
  switch (kind) {
    case 'ip':
    case 'ipv4':
    case 'ipv6':
      return normaliseIp(v, kind);
    case 'domain': {
      const d = normaliseDomain(v);
      return d ? { kind, value: d } : null;
    }
    case 'url':
      return normaliseUrl(v);
    case 'email': {
      const at = v.lastIndexOf('@');
      if (at <= 0 || at === v.length - 1) return null;
      const domain = normaliseDomain(v.slice(at + 1));
      return domain ? { kind, value: `${v.slice(0, at).toLowerCase()}@${domain}` } : null;
    }
    case 'mac': {
      const hex = v.toLowerCase().replace(/[-:.]/g, '');
      return /^[0-9a-f]{12}$/.test(hex) ? { kind, value: hex.match(/../g)!.join(':') } : null;
    }
    default: {
      const want = HASH_LEN[kind];
      const h = v.toLowerCase();
      return want && h.length === want && /^[0-9a-f]+$/.test(h) ? { kind, value: h } : null;
    }
  }
}

/** A plain dotted-quad IPv4 address, decimal without leading zeros: already canonical. */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function normaliseIp(v: string, want: 'ip' | 'ipv4' | 'ipv6'): NormalisedObservable | null {
  // The common case without parsing it three times over (a 10,000-value
  // incident spent most of its normalising here); anything else below.
  if (want !== 'ipv6' && DOTTED_QUAD.test(v)) return { kind: 'ipv4', value: v, ip: `${v}/32` };
  try {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    let len: number;
    if (v.includes('/')) {
      [addr, len] = ipaddr.parseCIDR(v);
      addr = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(v) : ipaddr.IPv6.networkAddressFromCIDR(v);
    } else {
      if (!ipaddr.isValid(v)) return null;
      addr = ipaddr.parse(v);
      len = addr.kind() === 'ipv4' ? 32 : 128;
    }
    // An IPv4-mapped IPv6 address is the IPv4 address.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && len >= 96) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
      len -= 96;
    }
    const kind = addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
    if (want !== 'ip' && want !== kind) return null;
    // Only dotted-quad decimal: ipaddr.js also reads octal/hex forms ("010.1.1.1") that no indicator means.
    const literal = v.split('/')[0]!;
    if (kind === 'ipv4' && !literal.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(literal)) return null;
    const text = kind === 'ipv4' ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String();
    const full = kind === 'ipv4' ? 32 : 128;
    const value = len === full ? text : `${text}/${len}`;
    return { kind, value, ip: `${text}/${len}` };
  } catch {
    return null;
  }
}

/** Lower-cased, IDN (punycode) form of a host name, or null when it is not one. */
export function normaliseDomain(v: string): string | null {
  const d = domainToASCII(v.trim().replace(/\.$/, '').toLowerCase());
  if (!d || d.length > 253 || !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(d)) return null;
  return d;
}

function normaliseUrl(v: string): NormalisedObservable | null {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    // Indicators often carry scheme-less URLs ("evil.example/path").
    if (v.includes('://')) return null;
    try {
      u = new URL(`http://${v}`);
    } catch {
      return null;
    }
  }
  if (!u.hostname) return null;
  u.hash = '';
  return { kind: 'url', value: u.href };
}

/** Whether a value normalised as `kind` is a CIDR range wider than one address. */
export function isRange(o: NormalisedObservable): boolean {
  return (o.kind === 'ipv4' || o.kind === 'ipv6') && o.value.includes('/');
}
