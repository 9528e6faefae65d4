import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { connect, type Database } from '../../src/db/connect.js';
import { withDatabase } from '../global-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
    pgUrl: string;
  }
}

export const TEST_DRIVER = (process.env.MUHAFIZ_TEST_DRIVER ?? 'pglite') as 'pglite' | 'postgres';

let counter = 0;

/**
 * A fresh, migrated database for one test file: a PGlite loaded from the
 * run's template dump, or a PostgreSQL database cloned from the template.
 * `close()` drops it.
 */
export async function openTestDb(): Promise<Database> {
  if (TEST_DRIVER === 'pglite') {
    const bytes = await readFile(inject('pgliteTemplate'));
    return connect({ loadDataDir: new Blob([bytes]) });
  }
  const url = inject('pgUrl');
  const name = `muhafiz_t_${process.ppid}_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  const db = await connect({ databaseUrl: withDatabase(url, name), poolSize: 4 });
  return {
    ...db,
    restrictToAppRole: () => db.restrictToAppRole(),
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
