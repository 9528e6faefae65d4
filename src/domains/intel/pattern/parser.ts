/**
 * A parser for the full STIX 2.1 patterning language.
 *
 * Why hand-written: no maintained JavaScript parser for STIX patterns exists
 * on npm (the OASIS reference, stix2-patterns, is Python over an ANTLR
 * grammar; the JS ANTLR runtime would add a large generated parser for a
 * grammar of ~40 rules). This recursive-descent parser follows the OASIS
 * grammar (STIXPattern.g4) rule for rule, with the same precedence
 * (FOLLOWEDBY < OR < AND for observations, OR < AND for comparisons, all
 * left-associative) and reports errors with their offset, line and column.
 */
import { PatternError, tokenize, type Token } from './lexer.js';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'binary'; value: string }
  | { kind: 'hex'; value: string }
  | { kind: 'timestamp'; value: string };

/** One step of an object path: a property name or a list index (`*` = any). */
export type PathStep = { key: string } | { index: number | '*' };

export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
  /** The path as text, e.g. `file:hashes.'SHA-256'`. */
  text: string;
}

export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpr =
  | { kind: 'and' | 'or'; left: ComparisonExpr; right: ComparisonExpr }
  | { kind: 'test'; path: ObjectPath; op: ComparisonOp; negated: boolean; value: Literal | Literal[]; pos: number }
  | { kind: 'exists'; path: ObjectPath; negated: boolean; pos: number };

export type Qualifier =
  | { kind: 'within'; seconds: number }
  | { kind: 'repeats'; times: number }
  | { kind: 'startstop'; start: string; stop: string };

export type ObservationExpr =
  | { kind: 'observation'; comparison: ComparisonExpr; pos: number }
  | { kind: 'and' | 'or' | 'followedby'; left: ObservationExpr; right: ObservationExpr }
  | { kind: 'qualified'; expr: ObservationExpr; qualifier: Qualifier };

export { PatternError };

/** Parses a STIX 2.1 pattern; throws PatternError naming the position of the first problem. */
export function parsePattern(src: string): ObservationExpr {
  if (src.trim() === '') throw new PatternError('empty pattern', 0, src);
  return new Parser(src).parse();
}

const ORDER_OPS = new Set(['<', '>', '<=', '>=']);
const STRING_OPS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);

class Parser {
  readonly #t: Token[];
  #i = 0;
  constructor(private readonly src: string) {
    this.#t = tokenize(src);
  }

  parse(): ObservationExpr {
    const expr = this.#observations();
    const t = this.#peek();
    if (t.kind !== 'eof') throw this.#error(`unexpected ${describe(t)} after a complete pattern`, t);
    return expr;
  }

  #peek(k = 0): Token {
    return this.#t[Math.min(this.#i + k, this.#t.length - 1)]!;
  }
  #next(): Token {
    const t = this.#peek();
    if (t.kind !== 'eof') this.#i++;
    return t;
  }
  #is(kind: Token['kind'], value?: string): boolean {
    const t = this.#peek();
    return t.kind === kind && (value === undefined || t.value === value);
  }
  #accept(kind: Token['kind'], value?: string): Token | undefined {
    return this.#is(kind, value) ? this.#next() : undefined;
  }
  #expect(kind: Token['kind'], value: string | undefined, what: string): Token {
    const t = this.#peek();
    if (!this.#is(kind, value)) throw this.#error(`expected ${what}, found ${describe(t)}`, t);
    return this.#next();
  }
  #error(message: string, t: Token): PatternError {
    return new PatternError(message, t.pos, this.src);
  }

  // observationExpressions: observationExpressionOr (FOLLOWEDBY observationExpressionOr)*
  #observations(): ObservationExpr {
    let left = this.#observationOr();
    while (this.#accept('keyword', 'FOLLOWEDBY')) left = { kind: 'followedby', left, right: this.#observationOr() };
    return left;
  }
  #observationOr(): ObservationExpr {
    let left = this.#observationAnd();
    while (this.#accept('keyword', 'OR')) left = { kind: 'or', left, right: this.#observationAnd() };
    return left;
  }
  #observationAnd(): ObservationExpr {
    let left = this.#observation();
    while (this.#accept('keyword', 'AND')) left = { kind: 'and', left, right: this.#observation() };
    return left;
  }

  // observationExpression: '[' comparisonExpression ']' | '(' observationExpressions ')', then any qualifiers
  #observation(): ObservationExpr {
    const t = this.#peek();
    let expr: ObservationExpr;
    if (this.#accept('punct', '[')) {
      const comparison = this.#comparisonOr();
      this.#expect('punct', ']', "']' to close the observation expression");
      expr = { kind: 'observation', comparison, pos: t.pos };
    } else if (this.#accept('punct', '(')) {
      expr = this.#observations();
      this.#expect('punct', ')', "')'");
    } else {
      throw this.#error(`expected '[' or '(' to start an observation expression, found ${describe(t)}`, t);
    }
    for (;;) {
      const q = this.#qualifier();
      if (!q) return expr;
      expr = { kind: 'qualified', expr, qualifier: q };
    }
  }

  #qualifier(): Qualifier | undefined {
    const t = this.#peek();
    if (this.#accept('keyword', 'WITHIN')) {
      const n = this.#peek();
      if (n.kind !== 'int' && n.kind !== 'float') throw this.#error(`expected a number of seconds after WITHIN, found ${describe(n)}`, n);
      this.#next();
      const seconds = Number(n.value);
      if (!(seconds > 0)) throw this.#error('WITHIN needs a positive number of seconds', n);
      this.#expect('keyword', 'SECONDS', "'SECONDS' after the WITHIN duration");
      return { kind: 'within', seconds };
    }
    if (this.#accept('keyword', 'REPEATS')) {
      const n = this.#expect('int', undefined, 'a positive integer after REPEATS');
      const times = Number(n.value);
      if (!(times > 0)) throw this.#error('REPEATS needs a positive integer', n);
      this.#expect('keyword', 'TIMES', "'TIMES' after the REPEATS count");
      return { kind: 'repeats', times };
    }
    if (this.#accept('keyword', 'START')) {
      const a = this.#expect('timestamp', undefined, "a timestamp t'...' after START");
      this.#expect('keyword', 'STOP', "'STOP' after the START timestamp");
      const b = this.#expect('timestamp', undefined, "a timestamp t'...' after STOP");
      if (Date.parse(b.value) <= Date.parse(a.value)) throw this.#error('STOP must be later than START', b);
      return { kind: 'startstop', start: a.value, stop: b.value };
    }
    void t;
    return undefined;
  }

  #comparisonOr(): ComparisonExpr {
    let left = this.#comparisonAnd();
    while (this.#accept('keyword', 'OR')) left = { kind: 'or', left, right: this.#comparisonAnd() };
    return left;
  }
  #comparisonAnd(): ComparisonExpr {
    let left = this.#propTest();
    while (this.#accept('keyword', 'AND')) left = { kind: 'and', left, right: this.#propTest() };
    return left;
  }

  #propTest(): ComparisonExpr {
    const start = this.#peek();
    if (this.#accept('punct', '(')) {
      const inner = this.#comparisonOr();
      this.#expect('punct', ')', "')' to close the comparison group");
      return inner;
    }
    if (this.#is('keyword', 'NOT') && this.#peek(1).kind === 'keyword' && this.#peek(1).value === 'EXISTS') this.#next();
    const negatedExists = start.kind === 'keyword' && start.value === 'NOT';
    if (this.#accept('keyword', 'EXISTS')) return { kind: 'exists', path: this.#objectPath(), negated: negatedExists, pos: start.pos };
    const path = this.#objectPath();
    const negated = Boolean(this.#accept('keyword', 'NOT'));
    const opTok = this.#peek();
    let op: ComparisonOp;
    if (opTok.kind === 'punct' && ['=', '==', '!=', '<', '>', '<=', '>='].includes(opTok.value)) op = (opTok.value === '==' ? '=' : opTok.value) as ComparisonOp;
    else if (opTok.kind === 'keyword' && ['IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(opTok.value)) op = opTok.value as ComparisonOp;
    else throw this.#error(`expected a comparison operator (=, !=, <, >, <=, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after ${path.text}, found ${describe(opTok)}`, opTok);
    this.#next();
    let value: Literal | Literal[];
    if (op === 'IN') value = this.#setLiteral();
    else {
      const lt = this.#peek();
      value = this.#literal();
      if (STRING_OPS.has(op) && value.kind !== 'string') throw this.#error(`${op} needs a string literal, found ${describe(lt)}`, lt);
      if (ORDER_OPS.has(op) && value.kind === 'bool') throw this.#error(`${op} cannot compare a boolean`, lt);
      if (op === 'MATCHES') {
        try {
          // MATCHES is PCRE; JavaScript's non-unicode mode is the closest, lenient reading.
          new RegExp(value.value as string);
        } catch (e) {
          throw this.#error(`MATCHES has an invalid regular expression: ${(e as Error).message}`, lt);
        }
      }
    }
    return { kind: 'test', path, op, negated, value, pos: start.pos };
  }

  #setLiteral(): Literal[] {
    this.#expect('punct', '(', "'(' to open the IN set");
    const out: Literal[] = [];
    if (this.#accept('punct', ')')) return out;
    do out.push(this.#literal());
    while (this.#accept('punct', ','));
    this.#expect('punct', ')', "')' or ',' in the IN set");
    const kinds = new Set(out.map((l) => (l.kind === 'int' || l.kind === 'float' ? 'number' : l.kind)));
    if (kinds.size > 1) throw this.#error('an IN set must hold literals of one type', this.#t[this.#i - 1]!);
    return out;
  }

  #literal(): Literal {
    const t = this.#peek();
    switch (t.kind) {
      case 'string':
      case 'binary':
      case 'hex':
      case 'timestamp':
        this.#next();
        return { kind: t.kind, value: t.value };
      case 'int':
        this.#next();
        return { kind: 'int', value: Number(t.value) };
      case 'float':
        this.#next();
        return { kind: 'float', value: Number(t.value) };
      case 'bool':
        this.#next();
        return { kind: 'bool', value: t.value === 'true' };
      default:
        throw this.#error(`expected a literal (a 'string', number, true/false, b'...', h'...' or t'...'), found ${describe(t)}`, t);
    }
  }

  // objectPath: objectType ':' firstPathComponent ('.' component | '[' index ']')*
  #objectPath(): ObjectPath {
    const typeTok = this.#peek();
    if (typeTok.kind !== 'ident') throw this.#error(`expected an object path like ipv4-addr:value, found ${describe(typeTok)}`, typeTok);
    this.#next();
    if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$/.test(typeTok.value) && !/^x-/.test(typeTok.value)) {
      throw this.#error(`invalid object type '${typeTok.value}' (lower-case letters, digits and hyphens)`, typeTok);
    }
    this.#expect('punct', ':', `':' after the object type ${typeTok.value}`);
    const steps: PathStep[] = [];
    let text = `${typeTok.value}:`;
    const first = this.#peek();
    if (first.kind === 'ident' && !first.value.includes('-')) text += first.value;
    else if (first.kind === 'string') text += `'${first.value}'`;
    else throw this.#error(`expected a property name after '${typeTok.value}:', found ${describe(first)}`, first);
    this.#next();
    steps.push({ key: first.value });
    for (;;) {
      if (this.#accept('punct', '.')) {
        const k = this.#peek();
        if (k.kind === 'ident' && !k.value.includes('-')) text += `.${k.value}`;
        else if (k.kind === 'string') text += `.'${k.value}'`;
        else throw this.#error(`expected a property name after '.', found ${describe(k)}`, k);
        this.#next();
        steps.push({ key: k.value });
      } else if (this.#is('punct', '[') && (this.#peek(1).kind === 'int' || (this.#peek(1).kind === 'punct' && this.#peek(1).value === '*'))) {
        this.#next();
        const idx = this.#next();
        if (idx.kind === 'int' && Number(idx.value) < 0) throw this.#error('a list index cannot be negative', idx);
        this.#expect('punct', ']', "']' after the list index");
        const index = idx.kind === 'int' ? Number(idx.value) : ('*' as const);
        steps.push({ index });
        text += `[${index}]`;
      } else return { objectType: typeTok.value, steps, text };
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the pattern';
    case 'string':
      return `the string '${t.value}'`;
    case 'keyword':
      return `the keyword ${t.value}`;
    case 'punct':
      return `'${t.value}'`;
    default:
      return `${t.kind} ${t.value}`;
  }
}
