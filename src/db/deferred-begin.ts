/** The slice of a node-postgres pool client that Kysely's PostgresDialect uses. */
export interface PoolClientLike {
  query(text: string, values?: unknown[]): Promise<QueryResultLike | QueryResultLike[]>;
  release(err?: Error | boolean): void;
}

export interface QueryResultLike {
  rows: unknown[];
  rowCount: number | null;
  command: string;
}

const BEGIN = /^(?:begin|start transaction(?: [a-z ]+)?)$/i;
const END = /^(?:commit|rollback)$/i;
const SELECT = /^\s*select\b/i;
const NOTHING: QueryResultLike = { rows: [], rowCount: 0, command: 'SELECT' };

/**
 * Wraps one checked-out connection so that a transaction's BEGIN is not sent
 * on its own: it waits for the transaction's first statement and, when that
 * is a SELECT without parameters (inTx's `set_config` of the acting role, org
 * and user), goes with it in one simple-protocol message, saving a round trip
 * per transaction. Any other first statement is preceded by the BEGIN as
 * before. A transaction that ran no statement sends neither BEGIN nor COMMIT.
 */
export class DeferredBeginClient implements PoolClientLike {
  #pendingBegin: string | null = null;

  constructor(private readonly inner: PoolClientLike) {}

  async query(text: string, values: unknown[] = []): Promise<QueryResultLike> {
    if (typeof text !== 'string') {
      // A cursor: it must run inside the transaction, so nothing may be pending.
      if (this.#pendingBegin !== null) throw new Error('a cursor cannot be the first statement of a transaction');
      return this.inner.query(text) as Promise<QueryResultLike>;
    }
    const simple = values.length === 0;
    if (simple && this.#pendingBegin === null && BEGIN.test(text)) {
      this.#pendingBegin = text;
      return NOTHING;
    }
    const begin = this.#pendingBegin;
    if (begin !== null) {
      this.#pendingBegin = null;
      if (simple && END.test(text)) return NOTHING;
      if (simple && SELECT.test(text)) return last(await this.inner.query(`${begin};\n${text}`, []));
      await this.inner.query(begin, []);
    }
    return last(await this.inner.query(text, values));
  }

  release(err?: Error | boolean): void {
    this.#pendingBegin = null;
    this.inner.release(err);
  }
}

/** A multi-statement simple query answers one result per statement; the caller wants the last. */
function last(r: QueryResultLike | QueryResultLike[]): QueryResultLike {
  return Array.isArray(r) ? (r.at(-1) ?? NOTHING) : r;
}
