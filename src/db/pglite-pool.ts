import type { PGlite } from '@electric-sql/pglite';
import { DeferredBeginClient, type QueryResultLike } from './deferred-begin.js';

/**
 * Presents one PGlite instance as the small slice of a node-postgres Pool that
 * Kysely's PostgresDialect uses. PGlite is a single connection, so `connect()`
 * hands it out to one holder at a time (a transaction keeps it until release),
 * and everything else waits in FIFO order. Each holder's BEGIN is deferred
 * (see DeferredBeginClient).
 */
export class PGlitePool {
  #queue: Array<() => void> = [];
  #busy = false;

  constructor(readonly pg: PGlite) {}

  async connect(): Promise<DeferredBeginClient> {
    if (this.#busy) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#busy = true;
    return new DeferredBeginClient(new PGliteClient(this.pg, () => this.#release()));
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#busy = false;
  }

  async end(): Promise<void> {
    /* the owner closes the PGlite instance */
  }
}

const COMMAND = /^\s*(?:WITH\b[\s\S]*?\)\s*)?(INSERT|UPDATE|DELETE|MERGE|SELECT)\b/i;

class PGliteClient {
  #released = false;
  constructor(
    private readonly pg: PGlite,
    private readonly onRelease: () => void,
  ) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResultLike> {
    // Without parameters use the simple protocol, which (like node-postgres)
    // accepts several statements: migrations and dumps rely on it.
    const result =
      params.length === 0
        ? ((await this.pg.exec(sql)).at(-1) ?? { rows: [], affectedRows: 0 })
        : await this.pg.query<Record<string, unknown>>(sql, params as unknown[]);
    const command = COMMAND.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT';
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, command };
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.onRelease();
  }
}
