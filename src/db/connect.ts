import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { DeferredBeginClient, type PoolClientLike } from './deferred-begin.js';
import { PGlitePool } from './pglite-pool.js';
import type { DB } from './types.js';

export type Driver = 'pglite' | 'postgres';

/** Where the change log's triggers notify at commit (migration 0080). */
export const CHANGES_CHANNEL = 'muhafiz_changes';

/** One open database: a Kysely instance plus what the driver needs to close and dump it. */
export interface Database {
  readonly driver: Driver;
  readonly kysely: Kysely<DB>;
  /** The PGlite instance, when the driver is pglite (backups dump its data dir). */
  readonly pglite?: PGlite;
  /** The connection string, when the driver is postgres. */
  readonly url?: string;
  /**
   * From now on, every connection starts as muhafiz_app (no BYPASSRLS), so a
   * query that skips `inTx` still cannot see across tenants. Called after
   * migrations; owner work (migrate, backup) says `SET ROLE NONE` first.
   */
  restrictToAppRole(): Promise<void>;
  /**
   * PGlite only: calls `onCommit` with the payload of every notification on
   * CHANGES_CHANNEL (the change log's triggers, migration 0080) that a
   * committed transaction sent, before that transaction's COMMIT returns.
   * PGlite is one connection owned by this process, so every writer is seen
   * here, in commit order; a PostgreSQL server has other clients and
   * delivers notifications late, so it offers no such signal.
   */
  onCommitNotify?(onCommit: (payload: string) => void): void;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** postgres://… selects the PostgreSQL driver; otherwise PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** A PGlite data-dir dump to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob | File | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

// int8 (counts, sums) as JS numbers: every int8 we store fits in 2^53.
const INT8 = 20;
pg.types.setTypeParser(INT8, (v) => Number(v));

/** Opens PostgreSQL when a URL is given, PGlite otherwise. */
export async function connect(opts: ConnectOptions): Promise<Database> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return connectPGlite(opts.dataDir, opts.loadDataDir);
}

async function connectPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'muhafiz' });
  pool.on('error', () => {
    /* an idle client died; the pool replaces it on next use */
  });
  let restricted = false;
  pool.on('connect', (client) => {
    if (restricted) client.query('SET ROLE muhafiz_app').catch(() => client.release(new Error('could not set role')));
  });
  // Each checked-out client defers its transaction's BEGIN (see DeferredBeginClient).
  const deferring = {
    connect: async () => new DeferredBeginClient((await pool.connect()) as unknown as PoolClientLike),
    end: () => pool.end(),
  };
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: deferring as never }) });
  await sql`select 1`.execute(kysely);
  return {
    driver: 'postgres',
    kysely,
    url,
    async restrictToAppRole() {
      restricted = true;
      // Connections opened before this point are dropped so none keeps the owner role.
      while (pool.idleCount > 0) {
        const c = await pool.connect();
        c.release(true);
      }
    },
    async close() {
      await kysely.destroy();
    },
  };
}

async function connectPGlite(dataDir: string | undefined, loadDataDir?: Blob | File): Promise<Database> {
  const pglite = new PGlite({
    ...(dataDir && dataDir !== 'memory://' ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [INT8]: (v: string) => Number(v) },
    // Extensions the migrations create (CREATE EXTENSION) must be loaded into the
    // WebAssembly build before the database opens: every PGlite (server, tests,
    // restore, benchmarks) is opened here.
    extensions: { pg_trgm },
  });
  await pglite.waitReady;
  // Before anything else uses the connection (a LISTEN inside someone's transaction would die with its rollback).
  await pglite.exec(`LISTEN ${CHANGES_CHANNEL}`);
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) as never }) });
  return {
    driver: 'pglite',
    kysely,
    pglite,
    async restrictToAppRole() {
      await pglite.exec('SET ROLE muhafiz_app');
    },
    onCommitNotify(onCommit) {
      // PGlite queues the callbacks as microtasks while it parses the
      // COMMIT's answer, so they run before that COMMIT's promise resolves
      // and before the pool hands the connection to anyone else.
      pglite.onNotification((channel, payload) => {
        if (channel === CHANGES_CHANNEL) onCommit(payload);
      });
    },
    async close() {
      await kysely.destroy();
      await pglite.close();
    },
  };
}
