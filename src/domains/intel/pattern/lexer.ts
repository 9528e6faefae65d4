/**
 * Tokens of the STIX 2.1 patterning language (STIX 2.1 spec, section 9 and
 * the OASIS ANTLR grammar STIXPattern.g4). Keywords are upper case, as in
 * the grammar; `true`/`false` are accepted in any case.
 */

export type TokenKind =
  | 'ident' // an identifier, possibly with hyphens (object types like ipv4-addr)
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'binary'
  | 'hex'
  | 'timestamp'
  | 'keyword'
  | 'punct'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The literal value (decoded string, number) or the keyword/punctuation text. */
  value: string;
  /** Offset in the pattern, 0-based. */
  pos: number;
  end: number;
}

export const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'LAST', 'IN',
  'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES',
]);

/** A pattern error with the offset (0-based) and the line and column (1-based) it points at. */
export class PatternError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    message: string,
    readonly pos: number,
    source: string,
  ) {
    const before = source.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    super(`${message} (at offset ${pos}, line ${line}, column ${column})`);
    this.name = 'PatternError';
    this.line = line;
    this.column = column;
  }
}

const TIMESTAMP = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const PUNCT = ['<=', '>=', '!=', '==', '=', '<', '>', '[', ']', '(', ')', ',', ':', '.', '*'];

/** Splits a pattern into tokens; throws PatternError at the first character that starts no token. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    // Quoted literals: 'x', b'..', h'..', t'..'
    const prefix = (c === 'b' || c === 'h' || c === 't') && src[i + 1] === "'" ? c : '';
    if (c === "'" || prefix) {
      i += prefix ? 2 : 1;
      let value = '';
      let closed = false;
      while (i < src.length) {
        const d = src[i]!;
        if (d === '\\') {
          const n = src[i + 1];
          if (n !== "'" && n !== '\\') throw new PatternError(`invalid escape \\${n ?? ''} in string (only \\' and \\\\ are allowed)`, i, src);
          value += n;
          i += 2;
          continue;
        }
        if (d === "'") {
          closed = true;
          i++;
          break;
        }
        value += d;
        i++;
      }
      if (!closed) throw new PatternError('unterminated string literal', start, src);
      if (prefix === 't') {
        if (!TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) throw new PatternError(`invalid timestamp t'${value}' (expected RFC 3339 UTC, e.g. t'2016-01-01T00:00:00Z')`, start, src);
        out.push({ kind: 'timestamp', value, pos: start, end: i });
      } else if (prefix === 'b') {
        if (!BASE64.test(value)) throw new PatternError(`invalid base64 in binary literal b'${value}'`, start, src);
        out.push({ kind: 'binary', value, pos: start, end: i });
      } else if (prefix === 'h') {
        if (!HEX.test(value)) throw new PatternError(`invalid hex literal h'${value}' (an even number of hex digits)`, start, src);
        out.push({ kind: 'hex', value, pos: start, end: i });
      } else {
        out.push({ kind: 'string', value, pos: start, end: i });
      }
      continue;
    }
    // Numbers: [+-]?digits, [+-]?digits?.digits
    const num = /^[+-]?(?:\d*\.\d+|\d+)/.exec(src.slice(i));
    if (num && (/[\d.]/.test(c) || /[+-]/.test(c))) {
      const text = num[0];
      if (text.includes('.')) out.push({ kind: 'float', value: text, pos: start, end: i + text.length });
      else {
        if (/^[+-]?0\d/.test(text)) throw new PatternError(`integer ${text} has a leading zero`, start, src);
        out.push({ kind: 'int', value: text, pos: start, end: i + text.length });
      }
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) {
      const text = id[0];
      i += text.length;
      if (KEYWORDS.has(text)) out.push({ kind: 'keyword', value: text, pos: start, end: i });
      else if (/^(true|false)$/i.test(text)) out.push({ kind: 'bool', value: text.toLowerCase(), pos: start, end: i });
      else out.push({ kind: 'ident', value: text, pos: start, end: i });
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (p) {
      out.push({ kind: 'punct', value: p, pos: start, end: i + p.length });
      i += p.length;
      continue;
    }
    throw new PatternError(`unexpected character '${c}'`, i, src);
  }
  out.push({ kind: 'eof', value: '', pos: src.length, end: src.length });
  return out;
}
