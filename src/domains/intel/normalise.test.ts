import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { normaliseObservable } from './normalise.js';

describe('observable normalisation', () => {
  it.each([
    ['ipv4', ' 198.51.100.7 ', 'ipv4', '198.51.100.7'],
    ['ipv4', '198.51.100.7/32', 'ipv4', '198.51.100.7'],
    ['ipv4', '198.51.100.77/24', 'ipv4', '198.51.100.0/24'],
    ['ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001', 'ipv6', '2001:db8::1'],
    ['ipv6', '2001:db8::1/128', 'ipv6', '2001:db8::1'],
    ['ipv6', '2001:db8:0:0:1::/64', 'ipv6', '2001:db8::/64'],
    ['ip', '::ffff:198.51.100.7', 'ipv4', '198.51.100.7'],
    ['domain', 'WWW.Example.COM.', 'domain', 'www.example.com'],
    ['domain', 'bücher.example', 'domain', 'xn--bcher-kva.example'],
    ['url', 'HTTP://Evil.EXAMPLE:80/Path?q=1#x', 'url', 'http://evil.example/Path?q=1'],
    ['url', 'evil.example/x', 'url', 'http://evil.example/x'],
    ['email', 'Bob@Example.COM', 'email', 'bob@example.com'],
    ['md5', 'CEAD3F77F6CDA6EC00F57D76C9A6879F', 'md5', 'cead3f77f6cda6ec00f57d76c9a6879f'],
    ['mac', '00-1A-2B-3C-4D-5E', 'mac', '00:1a:2b:3c:4d:5e'],
  ] as const)('%s %s -> %s %s', (kind, raw, outKind, value) => {
    expect(normaliseObservable(kind, raw)).toMatchObject({ kind: outKind, value });
  });

  it.each([
    ['ipv4', '256.1.1.1'],
    ['ipv4', '010.1.1.1'],
    ['ipv4', '2001:db8::1'],
    ['ipv6', '198.51.100.7'],
    ['ipv4', '1.2.3.04'],
    ['ipv4', '1.2.3'],
    ['ipv4', '1.2.3.4.5'],
    ['ipv4', '0x7f.0.0.1'],
    ['ip', '2130706433'],
    ['domain', 'not a domain'],
    ['email', 'nobody'],
    ['sha256', 'abc'],
    ['md5', 'zz' + '0'.repeat(30)],
    ['url', 'http://'],
  ] as const)('rejects %s %s', (kind, raw) => {
    expect(normaliseObservable(kind, raw)).toBeNull();
  });

  it('gives ranges an inet literal for containment', () => {
    expect(normaliseObservable('ipv4', '10.1.2.3/8')).toEqual({ kind: 'ipv4', value: '10.0.0.0/8', ip: '10.0.0.0/8' });
    expect(normaliseObservable('ipv4', '10.1.2.3')).toEqual({ kind: 'ipv4', value: '10.1.2.3', ip: '10.1.2.3/32' });
  });

  it('reads plain dotted quads (the fast path) as the full parser does', () => {
    for (const a of ['0.0.0.0', '255.255.255.255', '9.99.199.249', '100.250.25.2', '45.1.0.10']) {
      const text = ipaddr.parse(a).toString();
      expect(normaliseObservable('ip', a)).toEqual({ kind: 'ipv4', value: text, ip: `${text}/32` });
      expect(normaliseObservable('ipv4', a)).toEqual({ kind: 'ipv4', value: text, ip: `${text}/32` });
    }
  });
});
