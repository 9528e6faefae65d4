import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { verifyAuditLog, type VerifyResult } from '../core/audit.js';
import { connect, type Database } from '../db/connect.js';
import { readArchive } from './archive.js';
import { assertCanBypassRls } from './backup.js';
import { BackupManifest, ENTRY, compareCounts, countTables } from './manifest.js';
import { findPgTool, libpqConnection, runPgTool } from './pg-tools.js';

export interface RestoreOptions {
  file: string;
  /** Restore into this PostgreSQL database; without it, into a PGlite data dir at `dataDir`. */
  databaseUrl?: string | undefined;
  /** MUHAFIZ_DATA_DIR: the PGlite data dir, and where files/ and secret.key go. */
  dataDir: string;
  /** PGlite: a non-empty target data dir is moved aside (never deleted) instead of refusing. */
  force?: boolean;
  /** PostgreSQL: drop the target database's objects before restoring instead of refusing a non-empty one. */
  clean?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  tables: number;
  rows: number;
  files: number;
  audit: VerifyResult;
  /** Where a replaced data dir, or secret.key, was moved. */
  movedAside: string[];
}

/**
 * Restores a backup made by `createBackup`. Everything is first written to a
 * staging folder beside the data dir; the restored database is then checked
 * (row counts against the manifest, and the audit chain verified) before the
 * staged data dir or files take their place.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const dataDir = resolve(opts.dataDir);
  const target: 'pglite' | 'postgres' = opts.databaseUrl ? 'postgres' : 'pglite';
  const stage = `${dataDir}.restoring-${process.pid}`;
  const work = await mkdtemp(join(tmpdir(), 'muhafiz-restore-'));
  let manifest: BackupManifest | undefined;
  let pgliteDump: Buffer | undefined;
  let pgDumpFile: string | undefined;
  let files = 0;
  let client: pg.Client | undefined;
  await rm(stage, { recursive: true, force: true });
  try {
    await readArchive(opts.file, async (entry) => {
      if (!manifest) {
        if (entry.name !== ENTRY.manifest) throw new Error(`${opts.file} is not a Muhafiz backup (it does not start with ${ENTRY.manifest})`);
        const parsed = BackupManifest.safeParse(JSON.parse((await entry.buffer()).toString('utf8')));
        if (!parsed.success) throw new Error(`${opts.file}: unsupported backup manifest (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
        manifest = parsed.data;
        if (manifest.driver !== target) {
          throw new Error(`this backup holds a ${manifest.driver} database but the target is ${target} (${target === 'postgres' ? 'DATABASE_URL is set' : 'DATABASE_URL is not set'}); restore it with the same driver`);
        }
        // The target is checked only once the file is known to be a backup for it.
        if (target === 'pglite') await assertEmptyOrForced(dataDir, Boolean(opts.force));
        else {
          client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'muhafiz-restore' });
          await client.connect();
          await preparePostgresTarget(client, Boolean(opts.clean));
        }
        return;
      }
      if (entry.name === ENTRY.pglite && target === 'pglite') pgliteDump = await entry.buffer();
      else if (entry.name === ENTRY.postgres && target === 'postgres') {
        pgDumpFile = join(work, 'postgres.dump');
        await entry.saveTo(pgDumpFile);
      } else if (entry.name.startsWith(ENTRY.filesPrefix)) {
        await entry.saveTo(join(stage, entry.name));
        files += 1;
      } else if (entry.name === ENTRY.secretKey) await entry.saveTo(join(stage, ENTRY.secretKey), 0o600);
      else throw new Error(`unexpected entry ${entry.name} in backup`);
    });
    if (!manifest) throw new Error(`${opts.file} is empty`);
    if (files !== manifest.files.count) throw new Error(`backup holds ${files} files but its manifest lists ${manifest.files.count}: the archive is incomplete`);

    let restored: Database;
    if (target === 'pglite') {
      if (!pgliteDump) throw new Error('backup has no PGlite database entry');
      await mkdir(stage, { recursive: true });
      restored = await connect({ dataDir: stage, loadDataDir: new Blob([pgliteDump], { type: 'application/x-tar' }) });
    } else {
      if (!pgDumpFile) throw new Error('backup has no PostgreSQL dump entry');
      const conn = libpqConnection(opts.databaseUrl!);
      const args = ['--no-owner', '--single-transaction', '--exit-on-error', '--no-password', `--dbname=${conn.url}`];
      if (opts.clean) args.push('--clean', '--if-exists');
      await runPgTool(findPgTool('pg_restore'), [...args, pgDumpFile], conn.env);
      restored = await connect({ databaseUrl: opts.databaseUrl, poolSize: 2 });
    }
    let audit: VerifyResult;
    let counts: Record<string, number>;
    try {
      counts = await restored.kysely.connection().execute(async (conn) => countTables(async (q) => (await sql.raw<Record<string, unknown>>(q).execute(conn)).rows));
      compareCounts(manifest.tables, counts);
      audit = await verifyAuditLog(restored);
    } finally {
      await restored.close();
    }
    if (!audit.ok) throw new Error(`restored audit log does not verify: org ${audit.problem!.orgId}, record ${audit.problem!.seq}: ${audit.problem!.reason}`);

    const movedAside = await putInPlace(target, stage, dataDir);
    return { manifest, tables: Object.keys(counts).length, rows: Object.values(counts).reduce((a, b) => a + b, 0), files, audit, movedAside };
  } finally {
    await client?.end();
    await rm(work, { recursive: true, force: true });
    await rm(stage, { recursive: true, force: true });
  }
}

async function assertEmptyOrForced(dir: string, force: boolean): Promise<void> {
  if (!existsSync(dir)) return;
  if ((await readdir(dir)).length === 0) return;
  if (!force) throw new Error(`the target data dir ${dir} is not empty; choose another MUHAFIZ_DATA_DIR or pass --force to move it aside`);
}

/** Refuses a non-empty database unless --clean; makes sure the app's roles exist (they live in the cluster, not in the dump). */
async function preparePostgresTarget(client: pg.Client, clean: boolean): Promise<void> {
  await assertCanBypassRls(client, 'restore');
  const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
  if (rows[0]!.n > 0 && !clean) throw new Error(`the target database is not empty (${rows[0]!.n} tables); restore into an empty database or pass --clean to replace its contents`);
  await client.query(`DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'muhafiz_app') THEN
        CREATE ROLE muhafiz_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'muhafiz_system') THEN
        CREATE ROLE muhafiz_system NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
      END IF;
    END $$`);
  await client.query('GRANT muhafiz_app TO CURRENT_USER');
  await client.query('GRANT muhafiz_system TO CURRENT_USER');
}

/**
 * PGlite: the staged folder becomes the data dir (a non-empty one, allowed by
 * --force, is renamed aside first). PostgreSQL: staged files join the file
 * store (content-addressed, so same name means same bytes) and secret.key
 * replaces the old one, which is kept beside it.
 */
async function putInPlace(target: 'pglite' | 'postgres', stage: string, dataDir: string): Promise<string[]> {
  const moved: string[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (target === 'pglite') {
    if (existsSync(dataDir)) {
      if ((await readdir(dataDir)).length > 0) {
        const aside = `${dataDir}.replaced-${stamp}`;
        await rename(dataDir, aside);
        moved.push(aside);
      } else await rm(dataDir, { recursive: true });
    }
    await mkdir(dirname(dataDir), { recursive: true });
    await rename(stage, dataDir);
    return moved;
  }
  if (!existsSync(stage)) return moved;
  await mkdir(dataDir, { recursive: true });
  const stagedFiles = join(stage, 'files');
  if (existsSync(stagedFiles)) {
    for (const e of await readdir(stagedFiles, { withFileTypes: true, recursive: true })) {
      if (!e.isFile()) continue;
      const from = join(e.parentPath, e.name);
      const to = join(dataDir, 'files', from.slice(stagedFiles.length + 1));
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
    }
  }
  const stagedKey = join(stage, ENTRY.secretKey);
  if (existsSync(stagedKey)) {
    const key = join(dataDir, ENTRY.secretKey);
    if (existsSync(key) && !(await readFile(key)).equals(await readFile(stagedKey))) {
      const aside = `${key}.replaced-${stamp}`;
      await rename(key, aside);
      moved.push(aside);
    }
    await rename(stagedKey, key);
  }
  return moved;
}
