import { z } from 'zod';

export const BACKUP_FORMAT = 'muhafiz-backup';
export const BACKUP_VERSION = 1;

/** Entry names inside a backup archive (documented in docs/operations.md). */
export const ENTRY = {
  manifest: 'manifest.json',
  pglite: 'database/pglite.tar',
  postgres: 'database/postgres.dump',
  filesPrefix: 'files/',
  secretKey: 'secret.key',
} as const;

/** The first entry of every backup: what it holds, so a restore can check before it writes anything. */
export const BackupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  driver: z.enum(['pglite', 'postgres']),
  /** The last applied migration, e.g. `0001_foundation`. */
  schemaVersion: z.string().nullable(),
  /** Row count of every table in the public schema when the backup was taken. */
  tables: z.record(z.string(), z.number().int().min(0)),
  files: z.object({ count: z.number().int().min(0), bytes: z.number().int().min(0) }),
  secretKey: z.boolean(),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

type Run = (query: string) => Promise<Array<Record<string, unknown>>>;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Row counts of every table in the public schema. Must run as the database
 * owner with row-level security bypassed (superuser or BYPASSRLS), else the
 * counts would be silently filtered.
 */
export async function countTables(run: Run): Promise<Record<string, number>> {
  const tables = await run(`select tablename from pg_tables where schemaname = 'public' order by tablename`);
  const out: Record<string, number> = {};
  for (const t of tables) {
    const name = String(t.tablename);
    const [row] = await run(`select count(*)::int as n from public.${ident(name)}`);
    out[name] = Number(row?.n ?? 0);
  }
  return out;
}

/** The newest applied migration, or null on an empty database. */
export async function schemaVersion(run: Run): Promise<string | null> {
  const exists = await run(`select 1 from pg_tables where schemaname = 'public' and tablename = 'schema_migrations'`);
  if (exists.length === 0) return null;
  const [row] = await run(`select version || '_' || name as v from schema_migrations order by version desc limit 1`);
  return row ? String(row.v) : null;
}

/** Throws naming every table whose restored row count differs from the manifest. */
export function compareCounts(expected: Record<string, number>, actual: Record<string, number>): void {
  const problems: string[] = [];
  for (const [table, n] of Object.entries(expected)) {
    if (actual[table] === undefined) problems.push(`${table} is missing`);
    else if (actual[table] !== n) problems.push(`${table} has ${actual[table]} rows, the backup recorded ${n}`);
  }
  for (const table of Object.keys(actual)) if (expected[table] === undefined) problems.push(`${table} is not in the backup`);
  if (problems.length) throw new Error(`restored database does not match the backup: ${problems.join('; ')}`);
}
