import { describe, expect, it } from 'vitest';
import { normaliseObservable } from './observables.js';

describe('normaliseObservable', () => {
  it.each([
    ['ipv4', '203.0.113.7', '203.0.113.7'],
    ['ipv4', '256.1.1.1', null],
    ['ipv4', '01.2.3.4', null],
    ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['ipv6', '2001:db8::g', null],
    ['ipv6', '1.2.3.4', null],
    ['domain', 'Evil.Example.COM.', 'evil.example.com'],
    ['domain', '-bad.example.com', null],
    ['url', 'https://evil.example.com/a b', 'https://evil.example.com/a%20b'],
    ['url', 'javascript:alert(1)', null],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'abc', null],
    ['sha256', 'e'.repeat(64), 'e'.repeat(64)],
    ['email', 'Phish@Evil.Example.com', 'phish@evil.example.com'],
    ['email', 'no-at-sign', null],
    ['filename', 'invoice.pdf.exe', 'invoice.pdf.exe'],
    ['filename', '../etc/passwd', null],
  ] as const)('%s %s -> %s', (type, raw, expected) => {
    expect(normaliseObservable(type, raw)).toBe(expected);
  });
});
