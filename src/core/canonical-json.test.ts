import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('writes dates as ISO strings, bigints as strings, drops undefined members', () => {
    expect(canonicalJson({ at: new Date('2026-01-15T09:00:00.123Z'), n: 12n, gone: undefined })).toBe('{"at":"2026-01-15T09:00:00.123Z","n":"12"}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('has no whitespace and escapes strings as JSON does', () => {
    expect(canonicalJson({ s: 'a "quoted"\nline ✓' })).toBe('{"s":"a \\"quoted\\"\\nline ✓"}');
  });
});
