import { existsSync } from 'node:fs';
import { lstat, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import tar from 'tar-stream';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/connect.js';
import { FILES_INCOMING } from '../core/files.js';
import { ArchiveWriter, walk } from './archive.js';
import { BACKUP_FORMAT, BACKUP_VERSION, ENTRY, countTables, schemaVersion, type BackupManifest } from './manifest.js';
import { findPgTool, libpqConnection, runPgTool } from './pg-tools.js';

export interface BackupOptions {
  /** Where to write the .tar.gz; an existing file is replaced only when it is complete. */
  file: string;
  /** MUHAFIZ_DATA_DIR: its files/ store and secret.key go into the backup. */
  dataDir: string;
  /** Include <data dir>/secret.key (it decrypts TOTP seeds; without it restored MFA enrolments cannot be used). */
  includeSecretKey: boolean;
  clock: Clock;
}

/**
 * Writes a consistent backup of the database and the file store into one
 * .tar.gz (see docs/operations.md for the layout). PGlite: the data dir is
 * dumped while this process holds the only connection. PostgreSQL: pg_dump
 * runs on a snapshot exported by a REPEATABLE READ transaction, and the row
 * counts recorded in the manifest are read in that same snapshot, so a busy
 * server still yields a backup whose counts match its contents.
 */
export async function createBackup(db: Database, opts: BackupOptions): Promise<BackupManifest> {
  const partial = `${opts.file}.partial-${process.pid}`;
  const filesDir = join(opts.dataDir, 'files');
  const secretFile = join(opts.dataDir, 'secret.key');
  const work = await mkdtemp(join(tmpdir(), 'muhafiz-backup-'));
  const out = new ArchiveWriter(partial);
  try {
    const files = existsSync(filesDir) ? await treeStats(filesDir) : { count: 0, bytes: 0 };
    const secretKey = opts.includeSecretKey && existsSync(secretFile);
    const base = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: opts.clock.now().toISOString(), files, secretKey } as const;
    let manifest: BackupManifest;
    if (db.driver === 'pglite') {
      const { tables, version, dump } = await dumpPglite(db);
      manifest = { ...base, driver: 'pglite', schemaVersion: version, tables };
      await out.addBuffer(ENTRY.manifest, JSON.stringify(manifest, null, 2) + '\n');
      await out.addBuffer(ENTRY.pglite, dump);
    } else {
      const dumpFile = join(work, 'postgres.dump');
      const { tables, version } = await dumpPostgres(db.url!, dumpFile);
      manifest = { ...base, driver: 'postgres', schemaVersion: version, tables };
      await out.addBuffer(ENTRY.manifest, JSON.stringify(manifest, null, 2) + '\n');
      await out.addFile(ENTRY.postgres, dumpFile, (await stat(dumpFile)).size);
    }
    // Uploads still being written (files/.incoming) are not part of the store yet.
    if (existsSync(filesDir)) await out.addTree(ENTRY.filesPrefix.slice(0, -1), filesDir, [FILES_INCOMING]);
    if (secretKey) await out.addFile(ENTRY.secretKey, secretFile, (await stat(secretFile)).size);
    await out.finish();
    await rename(partial, opts.file);
    return manifest;
  } catch (err) {
    out.abort(err as Error);
    await rm(partial, { force: true });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function treeStats(dir: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for (const path of await walk(dir, [FILES_INCOMING])) {
    count += 1;
    bytes += (await lstat(path)).size;
  }
  return { count, bytes };
}

/**
 * Counts and dumps a PGlite database while holding its single connection, so
 * nothing writes in between. The dump is PGlite's own data-dir tar minus the
 * files/ store and secret.key (PGlite shares MUHAFIZ_DATA_DIR with them; they
 * go into the backup as their own entries).
 */
async function dumpPglite(db: Database): Promise<{ tables: Record<string, number>; version: string | null; dump: Buffer }> {
  return db.kysely.connection().execute(async (conn) => {
    const who = (await sql<{ cur: string; ses: string }>`select current_user as cur, session_user as ses`.execute(conn)).rows[0]!;
    await sql`set role none`.execute(conn);
    try {
      const run = async (q: string) => (await sql.raw<Record<string, unknown>>(q).execute(conn)).rows;
      const tables = await countTables(run);
      const version = await schemaVersion(run);
      await sql`checkpoint`.execute(conn);
      const blob = await db.pglite!.dumpDataDir('none');
      const dump = await withoutEntries(Buffer.from(await blob.arrayBuffer()), (name) => {
        const first = name.replace(/^\/+/, '').split('/')[0];
        return first === 'files' || first === 'secret.key';
      });
      return { tables, version, dump };
    } finally {
      // Back to the role the connection had (muhafiz_app once the runtime restricted it).
      await sql.raw(who.cur === who.ses ? 'set role none' : `set role "${who.cur.replaceAll('"', '""')}"`).execute(conn);
    }
  });
}

/** Re-packs a tar without the entries `drop` matches. */
async function withoutEntries(tarBytes: Buffer, drop: (name: string) => boolean): Promise<Buffer> {
  const extract = tar.extract();
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const packed = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  extract.end(tarBytes);
  for await (const entry of extract) {
    if (drop(entry.header.name)) {
      entry.resume();
      continue;
    }
    const body: Buffer[] = [];
    for await (const c of entry) body.push(c as Buffer);
    await new Promise<void>((resolve, reject) => pack.entry(entry.header, Buffer.concat(body), (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await packed;
  return Buffer.concat(chunks);
}

/** Checks the connecting role can read every row (row-level security is forced on tenant tables). */
export async function assertCanBypassRls(client: pg.Client, what: string): Promise<void> {
  const { rows } = await client.query<{ ok: boolean; who: string }>(`select (rolsuper or rolbypassrls) as ok, current_user as who from pg_roles where rolname = current_user`);
  if (!rows[0]?.ok) {
    throw new Error(`${what} needs a role that bypasses row-level security; ${rows[0]?.who ?? 'this role'} does not (connect as a superuser, or ALTER ROLE … BYPASSRLS)`);
  }
}

async function dumpPostgres(url: string, file: string): Promise<{ tables: Record<string, number>; version: string | null }> {
  const pgDump = findPgTool('pg_dump');
  const client = new pg.Client({ connectionString: url, application_name: 'muhafiz-backup' });
  await client.connect();
  try {
    await assertCanBypassRls(client, 'backup');
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0]!.s;
    const run = async (q: string) => (await client.query<Record<string, unknown>>(q)).rows;
    const tables = await countTables(run);
    const version = await schemaVersion(run);
    const conn = libpqConnection(url);
    await runPgTool(pgDump, ['--format=custom', `--snapshot=${snapshot}`, '--no-password', `--file=${file}`, `--dbname=${conn.url}`], conn.env);
    await client.query('commit');
    return { tables, version };
  } finally {
    await client.end();
  }
}
