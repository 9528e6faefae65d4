import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Database } from './connect.js';
import { fromRoot } from '../core/paths.js';

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads src/db/migrations/NNNN_name.sql in version order. */
export async function loadMigrations(dir = fromRoot('src/db/migrations')): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE.exec(file);
    if (!m) throw new Error(`migration file name ${file} must look like 0001_name.sql`);
    const text = await readFile(`${dir}/${file}`, 'utf8');
    out.push({ version: m[1]!, name: m[2]!, sql: text, checksum: createHash('sha256').update(text).digest('hex') });
  }
  const seen = new Set<string>();
  for (const mig of out) {
    if (seen.has(mig.version)) throw new Error(`two migrations share version ${mig.version}`);
    seen.add(mig.version);
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
  current: string | null;
}

/**
 * Applies pending migrations, each in its own transaction, as the connecting
 * (owner) role. Forward-only: an applied migration whose file changed is an
 * error, not something to re-run. On PostgreSQL an advisory lock keeps two
 * starting app nodes from migrating at once.
 */
export async function migrate(db: Database, onApply?: (m: Migration) => void): Promise<MigrateResult> {
  const k = db.kysely;
  const migrations = await loadMigrations();
  return k.connection().execute(async (conn) => {
    await sql`SET ROLE NONE`.execute(conn);
    if (db.driver === 'postgres') await sql`SELECT pg_advisory_lock(7243950021)`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const done = new Map(
        (await conn.selectFrom('schema_migrations').select(['version', 'checksum']).execute()).map((r) => [r.version, r.checksum]),
      );
      const applied: string[] = [];
      for (const mig of migrations) {
        const prior = done.get(mig.version);
        if (prior !== undefined) {
          if (prior !== mig.checksum) {
            throw new Error(`migration ${mig.version}_${mig.name} was changed after it was applied; add a new migration instead`);
          }
          continue;
        }
        await conn.transaction().execute(async (tx) => {
          await sql.raw(mig.sql).execute(tx);
          await tx.insertInto('schema_migrations').values({ version: mig.version, name: mig.name, checksum: mig.checksum }).execute();
        });
        applied.push(`${mig.version}_${mig.name}`);
        onApply?.(mig);
      }
      const last = migrations.at(-1);
      return { applied, current: last ? `${last.version}_${last.name}` : null };
    } finally {
      if (db.driver === 'postgres') await sql`SELECT pg_advisory_unlock(7243950021)`.execute(conn);
    }
  });
}
