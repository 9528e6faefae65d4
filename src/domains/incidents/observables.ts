export const OBSERVABLE_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'filename'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

const DOMAIN = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]{1,64}@(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/;
// No node:net here: the UI bundles this module with the schemas.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX = { md5: /^[a-f0-9]{32}$/, sha1: /^[a-f0-9]{40}$/, sha256: /^[a-f0-9]{64}$/ } as const;

/**
 * The canonical form of an observable value (lower-case hashes, domains and
 * email addresses; compressed IPv6), or null when it is not a valid value of
 * its type. Exact-match correlation compares canonical forms.
 */
export function normaliseObservable(type: ObservableType, raw: string): string | null {
  const v = raw.trim();
  switch (type) {
    case 'ipv4':
      return IPV4.test(v) ? v : null;
    case 'ipv6':
      if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(':')) return null;
      // The WHATWG URL parser validates an IPv6 address and prints it compressed and lower-case.
      try {
        return new URL(`http://[${v}]/`).hostname.slice(1, -1);
      } catch {
        return null;
      }
    case 'domain': {
      const d = v.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(d) ? d : null;
    }
    case 'url': {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ftp:' ? u.href : null;
      } catch {
        return null;
      }
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const h = v.toLowerCase();
      return HEX[type].test(h) ? h : null;
    }
    case 'email': {
      const e = v.toLowerCase();
      return EMAIL.test(e) ? e : null;
    }
    case 'filename':
      return v.length > 0 && v.length <= 255 && !/[/\\\0]/.test(v) ? v : null;
  }
}
