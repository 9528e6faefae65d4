import { describe, expect, it } from 'vitest';
import { parsePattern, PatternError, type ObservationExpr } from './parser.js';
import { observablesOfPattern } from './observables.js';

const valid = [
  "[ipv4-addr:value = '198.51.100.1']",
  "[ipv4-addr:value = '198.51.100.0/24']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' OR file:hashes.'SHA-1' = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3']",
  "[domain-name:value = 'example.com'] AND [url:value = 'http://example.com/x']",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$'] FOLLOWEDBY [file:name LIKE '%.exe']",
  "[network-traffic:dst_port > 1024 AND network-traffic:dst_port <= 65535]",
  "[network-traffic:dst_port >= -1]",
  "[x509-certificate:hashes.'SHA-256' != 'aa']",
  "[file:size < 1024.5]",
  "[ipv4-addr:value IN ('10.0.0.1', '10.0.0.2')]",
  "[network-traffic:protocols ISSUBSET 'tcp']",
  "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
  "[file:name NOT = 'a.txt']",
  "[file:name NOT LIKE 'a%']",
  "[EXISTS windows-registry-key:values]",
  "[NOT EXISTS windows-registry-key:values[0].data]",
  "[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip']",
  "[windows-registry-key:values[*].name = 'x']",
  "[file:content_ref.payload_bin = b'SGVsbG8=']",
  "[file:magic_number_hex = h'ffd8']",
  "[file:created > t'2016-01-01T00:00:00Z']",
  "[user-account:is_privileged = true]",
  "[file:name = 'it\\'s']",
  "[a:b = 'x'] WITHIN 300 SECONDS",
  "[a:b = 'x'] WITHIN 0.5 SECONDS",
  "[a:b = 'x'] REPEATS 5 TIMES",
  "[a:b = 'x'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'",
  "([a:b = 'x'] AND [c:d = 'y']) REPEATS 2 TIMES WITHIN 10 SECONDS",
  "(([a:b = 'x'] OR [c:d = 'y']) FOLLOWEDBY [e:f = 'z']) WITHIN 60 SECONDS",
  "[(a:b = 'x' OR a:c = 'y') AND a:d = 'z']",
  "[x-custom-object:'weird-prop' = 'v']",
  "[process:name = 'a'] AND [process:name = 'b'] OR [process:name = 'c'] FOLLOWEDBY [process:name = 'd']",
  "[file:name IN ()]",
];

describe('STIX pattern parser: valid patterns', () => {
  it.each(valid)('parses %s', (p) => {
    expect(() => parsePattern(p)).not.toThrow();
  });

  it('gives observation operators their precedence: AND binds tighter than OR, OR tighter than FOLLOWEDBY', () => {
    const ast = parsePattern("[a:b = '1'] AND [a:b = '2'] OR [a:b = '3'] FOLLOWEDBY [a:b = '4']");
    expect(ast.kind).toBe('followedby');
    const left = (ast as { left: ObservationExpr }).left;
    expect(left.kind).toBe('or');
    expect((left as { left: ObservationExpr }).left.kind).toBe('and');
  });

  it('gives comparison AND precedence over OR', () => {
    const ast = parsePattern("[a:b = '1' OR a:b = '2' AND a:c = '3']");
    expect(ast.kind).toBe('observation');
    const c = (ast as Extract<ObservationExpr, { kind: 'observation' }>).comparison;
    expect(c.kind).toBe('or');
    expect((c as { right: { kind: string } }).right.kind).toBe('and');
  });

  it('decodes literals and qualifiers', () => {
    const ast = parsePattern("[file:name = 'it\\'s' AND file:size = 10] REPEATS 3 TIMES WITHIN 5 SECONDS");
    expect(ast).toMatchObject({ kind: 'qualified', qualifier: { kind: 'within', seconds: 5 }, expr: { kind: 'qualified', qualifier: { kind: 'repeats', times: 3 } } });
    const inner = (ast as { expr: { expr: { comparison: { left: { value: unknown; path: { text: string } }; right: { value: unknown } } } } }).expr.expr.comparison;
    expect(inner.left.value).toEqual({ kind: 'string', value: "it's" });
    expect(inner.left.path.text).toBe('file:name');
    expect(inner.right.value).toEqual({ kind: 'int', value: 10 });
  });

  it('keeps the path text with quoted components and list indexes', () => {
    const ast = parsePattern("[windows-registry-key:values[0].'data' = 'x']") as Extract<ObservationExpr, { kind: 'observation' }>;
    expect(ast.comparison).toMatchObject({ path: { objectType: 'windows-registry-key', steps: [{ key: 'values' }, { index: 0 }, { key: 'data' }], text: "windows-registry-key:values[0].'data'" } });
  });
});

const invalid: Array<[string, RegExp, number]> = [
  ['', /empty pattern/, 0],
  ["ipv4-addr:value = '1.2.3.4'", /expected '\[' or '\('/, 0],
  ["[ipv4-addr:value = '1.2.3.4'", /expected '\]'/, 28],
  ["[ipv4-addr:value '1.2.3.4']", /expected a comparison operator/, 17],
  ["[ipv4-addr:value = ]", /expected a literal/, 19],
  ["[ipv4-addr:value = '1.2.3.4]", /unterminated string/, 19],
  ["[ipv4-addr:value = '1.2.3.4'] AND", /expected '\[' or '\('/, 33],
  ["[ipv4-addr:value = '1.2.3.4'] [a:b = 'c']", /after a complete pattern/, 30],
  ["[a:b = 'x'] WITHIN SECONDS", /number of seconds/, 19],
  ["[a:b = 'x'] WITHIN 0 SECONDS", /positive/, 19],
  ["[a:b = 'x'] WITHIN 5", /'SECONDS'/, 20],
  ["[a:b = 'x'] REPEATS 1.5 TIMES", /positive integer/, 20],
  ["[a:b = 'x'] REPEATS 0 TIMES", /positive integer/, 20],
  ["[a:b = 'x'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'", /STOP must be later/, 47],
  ["[a:b = 'x'] START '2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'", /timestamp/, 18],
  ["[a:b > t'2016-13-01T00:00:00Z']", /invalid timestamp/, 7],
  ["[a:b = b'!!']", /base64/, 7],
  ["[a:b = h'abc']", /hex/, 7],
  ["[a:b LIKE 5]", /LIKE needs a string/, 10],
  ["[a:b MATCHES '(']", /invalid regular expression/, 13],
  ["[a:b > true]", /cannot compare a boolean/, 7],
  ["[a:b IN ('x', 1)]", /one type/, 15],
  ["[a:b IN 'x']", /'\(' to open the IN set/, 8],
  ["[a:b = 'x\\n']", /invalid escape/, 9],
  ["[a:b = 'x' AND]", /object path/, 14],
  ["[Foo:b = 'x']", /invalid object type/, 1],
  ["[a: = 'x']", /property name/, 4],
  ["[a:b. = 'x']", /property name after '.'/, 6],
  ["[a:b = 'x' ; ]", /unexpected character ';'/, 11],
  ["[a:b = 007]", /leading zero/, 7],
  ["([a:b = 'x']", /expected '\)'/, 12],
  ["[a:b[-1] = 'x']", /negative/, 5],
  ["[a:b = 'x'] and [c:d = 'y']", /after a complete pattern/, 12],
];

describe('STIX pattern parser: errors name the position', () => {
  it.each(invalid)('rejects %s', (p, message, pos) => {
    let err: unknown;
    try {
      parsePattern(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatternError);
    expect((err as PatternError).message).toMatch(message);
    expect((err as PatternError).pos).toBe(pos);
  });

  it('reports line and column on multi-line patterns', () => {
    try {
      parsePattern("[a:b = 'x']\nAND\n[c:d = ]");
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ line: 3, column: 8 });
    }
  });
});

describe('observables extracted from patterns', () => {
  it('takes equality and IN values on correlatable paths, normalised, and skips negations and other operators', () => {
    const ast = parsePattern(
      "[ipv4-addr:value = '198.51.100.7' OR ipv6-addr:value = '2001:DB8:0:0:0:0:0:1' OR domain-name:value = 'ExAmple.COM.'] AND " +
        "[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F' AND file:hashes.MD5 IN ('CEAD3F77F6CDA6EC00F57D76C9A6879F')] " +
        "FOLLOWEDBY [url:value = 'HTTP://Evil.Example:80/a#frag' AND email-addr:value != 'x@y.z' AND domain-name:value LIKE '%.bad'] " +
        "OR [network-traffic:dst_ref.value = '203.0.113.0/24' AND email-message:from_ref.value = 'Bob@Bücher.example']",
    );
    const got = observablesOfPattern(ast).map((o) => `${o.kind}:${o.value}`).sort();
    expect(got).toEqual(
      [
        'domain:example.com',
        'email:bob@xn--bcher-kva.example',
        'ipv4:198.51.100.7',
        'ipv4:203.0.113.0/24',
        'ipv6:2001:db8::1',
        'md5:cead3f77f6cda6ec00f57d76c9a6879f',
        'sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
        'url:http://evil.example/a',
      ].sort(),
    );
  });

  it('skips values that are not valid for their kind', () => {
    expect(observablesOfPattern(parsePattern("[ipv4-addr:value = '999.1.1.1' OR file:hashes.MD5 = 'xyz']"))).toEqual([]);
  });
});
