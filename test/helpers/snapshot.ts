import { sql } from 'kysely';
import type { Database } from '../../src/db/connect.js';

/**
 * Every row of every table in the public schema, as JSON sorted per table,
 * read as the database owner (row-level security off): what a backup must
 * bring back unchanged.
 */
export async function snapshotDatabase(db: Database): Promise<Record<string, string[]>> {
  return db.kysely.connection().execute(async (conn) => {
    const who = (await sql<{ cur: string; ses: string }>`select current_user as cur, session_user as ses`.execute(conn)).rows[0]!;
    await sql`set role none`.execute(conn);
    try {
      const tables = (await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = 'public' order by 1`.execute(conn)).rows.map((r) => r.t);
      const out: Record<string, string[]> = {};
      for (const t of tables) {
        const rows = (await sql.raw<{ j: string }>(`select to_jsonb(x)::text as j from public."${t}" x`).execute(conn)).rows;
        out[t] = rows.map((r) => r.j).sort();
      }
      return out;
    } finally {
      if (who.cur !== who.ses) await sql.raw(`set role "${who.cur}"`).execute(conn);
    }
  });
}
