import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../global-setup.js';
import { TEST_DRIVER } from './db.js';

/** Fresh, empty restore targets for the driver under test; `dropAll` removes the PostgreSQL databases made. */
export class RestoreTargets {
  readonly #dbs: string[] = [];
  constructor(private readonly dir: () => string) {}

  async fresh(label: string): Promise<{ dataDir: string; databaseUrl?: string }> {
    const dataDir = join(this.dir(), `target-${label}`);
    if (TEST_DRIVER === 'pglite') return { dataDir };
    const name = `muhafiz_restore_${process.pid}_${label}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    this.#dbs.push(name);
    return { dataDir, databaseUrl: withDatabase(inject('pgUrl'), name) };
  }

  async dropAll(): Promise<void> {
    if (TEST_DRIVER !== 'postgres' || this.#dbs.length === 0) return;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    for (const name of this.#dbs.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
