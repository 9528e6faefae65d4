import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createBackup } from '../backup/backup.js';
import type { BackupManifest } from '../backup/manifest.js';
import { restoreBackup, type RestoreResult } from '../backup/restore.js';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config.js';
import { connect } from '../db/connect.js';
import { DiskFileStore } from '../core/files.js';
import { checkFileStore } from '../core/files-check.js';
import { listOutboxAll, type OutboxRow } from '../domains/outbox/service.js';
import type { Runtime } from '../server/runtime.js';
import { parseOption, printRows, type CliContext } from './context.js';
import { z } from 'zod';

/** Backs up the configured database (without migrating it first: a backup takes what is there). */
export async function backupCommand(config: Config, file: string, opts: { force?: boolean | undefined; secretKey?: boolean | undefined }): Promise<BackupManifest> {
  if (existsSync(file) && !opts.force) throw new Error(`${file} exists; choose another name or pass --force to replace it`);
  if (!config.databaseUrl && !existsSync(join(config.dataDir, 'PG_VERSION'))) {
    throw new Error(`no PGlite database in ${config.dataDir} (set MUHAFIZ_DATA_DIR, or DATABASE_URL for PostgreSQL)`);
  }
  const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    return await createBackup(db, { file, dataDir: config.dataDir, includeSecretKey: opts.secretKey !== false && !config.secretKey, clock: systemClock });
  } finally {
    await db.close();
  }
}

/** Restores into the configured target: DATABASE_URL, or a new PGlite data dir at MUHAFIZ_DATA_DIR. */
export async function restoreCommand(config: Config, file: string, opts: { force?: boolean | undefined; clean?: boolean | undefined }): Promise<RestoreResult> {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  return restoreBackup({ file, databaseUrl: config.databaseUrl, dataDir: config.dataDir, force: opts.force, clean: opts.clean });
}

/** The newest outgoing mail of every org. */
export async function outboxList(rt: Runtime, limit: string | undefined): Promise<OutboxRow[]> {
  const n = limit === undefined ? 20 : parseOption(z.coerce.number().int().min(1).max(1000), limit, '--limit');
  return listOutboxAll(rt.db, n);
}

function mb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerOpsCommands(program: Command, cli: CliContext): void {
  program
    .command('backup <file>')
    .description('write a backup of the database, the file store and secret.key into one .tar.gz (see docs/operations.md)')
    .option('--force', 'replace <file> if it exists')
    .option('--no-secret-key', 'leave <data dir>/secret.key out (keep it safe separately: without it, restored MFA enrolments cannot be used)')
    .addHelpText('after', '\nPGlite: stop the server first (one process owns the data dir).\nPostgreSQL: runs pg_dump on a consistent snapshot while the server keeps running; the role needs BYPASSRLS or superuser.\n\nExample:\n  muhafiz backup /var/backups/muhafiz-$(date +%F).tar.gz')
    .action(async (file: string, o: { force?: boolean; secretKey?: boolean }) => {
      const config = cli.config();
      const m = await backupCommand(config, file, o);
      const rows = Object.values(m.tables).reduce((a, b) => a + b, 0);
      cli.out(`backup written to ${file} (${mb((await stat(file)).size)}): ${m.driver} database at ${m.schemaVersion ?? 'no schema'}, ${Object.keys(m.tables).length} tables, ${rows} rows, ${m.files.count} stored files`);
      if (m.secretKey) cli.out('it contains secret.key: store the backup as you would the key itself');
      else if (config.secretKey) cli.out('the secret key comes from MUHAFIZ_SECRET_KEY and is not in the backup: keep it with your backups');
    });

  program
    .command('restore <file>')
    .description('restore a backup into the configured database (DATABASE_URL, or a PGlite data dir at MUHAFIZ_DATA_DIR)')
    .option('--force', 'PGlite: move a non-empty MUHAFIZ_DATA_DIR aside (it is renamed, never deleted)')
    .option('--clean', 'PostgreSQL: drop the objects of a non-empty target database first')
    .addHelpText('after', '\nThe restored database is checked before it is put in place: every table\'s row count against the backup, and the audit chain verified.\n\nExample:\n  MUHAFIZ_DATA_DIR=./data-restored muhafiz restore muhafiz-2026-03-01.tar.gz')
    .action(async (file: string, o: { force?: boolean; clean?: boolean }) => {
      const r = await restoreCommand(cli.config(), file, o);
      cli.out(`restored ${r.manifest.driver} backup of ${r.manifest.createdAt}: ${r.tables} tables, ${r.rows} rows, ${r.files} stored files; audit log intact (${r.audit.records} records)`);
      for (const p of r.movedAside) cli.out(`kept the previous ${p.includes('secret.key') ? 'secret.key' : 'data dir'} at ${p}`);
    });

  program
    .command('outbox')
    .description('show the newest outgoing mail of every org (what was sent, or stored when SMTP_URL is not set)')
    .option('--limit <n>', 'how many messages', '20')
    .option('--json', 'print JSON, including the message bodies')
    .action((o: { limit?: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await outboxList(rt, o.limit);
        printRows(cli, o.json, rows, [
          ['created', (r) => r.createdAt.slice(0, 19)],
          ['status', (r) => r.status],
          ['to', (r) => r.to],
          ['subject', (r) => r.subject],
        ]);
      }),
    );

  program
    .command('demo')
    .description('load the demo sector (a fictional regulator, CERT, telecom and regulated entities with a person for every role) and print their passwords once; a second run does nothing')
    .action(() =>
      cli.withRuntime(async (rt) => {
        const { loadDemo } = await import('../demo/load.js');
        await loadDemo(rt, { print: true, write: (text) => cli.out(text.replace(/\n$/, '')) });
      }),
    );

  const files = program.command('files').description('the content-addressed file store (evidence, document versions, incident attachments)');
  files
    .command('check')
    .description('compare the store with the upload records of every org: content lost from the store, content that no longer matches its sha256 (--verify), and content nothing records')
    .option('--verify', 're-hash every stored file (reads the whole store)')
    .option('--remove-orphans', 'remove unrecorded content and interrupted uploads older than the grace period')
    .option('--grace-hours <n>', 'how old unrecorded content must be before --remove-orphans takes it', '24')
    .option('--json', 'print the whole result as JSON')
    .addHelpText('after', '\nExits with 1 when recorded content is missing or corrupt. Unrecorded content comes from uploads whose\ntransaction failed after the bytes were stored; nothing refers to it.\n\nExample (nightly):\n  muhafiz files check --verify --remove-orphans')
    .action((o: { verify?: boolean; removeOrphans?: boolean; graceHours: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const hours = parseOption(z.coerce.number().min(0).max(24 * 365), o.graceHours, '--grace-hours');
        if (!(rt.files instanceof DiskFileStore)) throw new Error('files check knows the disk store only');
        const r = await checkFileStore(rt.db, rt.files, { now: rt.clock.now(), verify: Boolean(o.verify), removeOrphans: Boolean(o.removeOrphans), graceMs: hours * 3600 * 1000 });
        if (o.json) cli.out(JSON.stringify(r, null, 2));
        else {
          cli.out(`${r.stored} stored file(s), ${mb(r.bytes)}; ${r.referenced} recorded; ${r.verified ? `${r.corrupt.length} corrupt` : 'not re-hashed (--verify)'}; ${r.missing.length} missing; ${r.orphans.length} unrecorded`);
          for (const m of r.missing) cli.out(`missing: ${m.sha256} (${m.records} upload record(s) point at it: restore it from a backup)`);
          for (const c of r.corrupt) cli.out(`corrupt: ${c} (its bytes no longer hash to its name: restore it from a backup)`);
          if (o.removeOrphans) cli.out(`removed ${r.removed} unrecorded file(s) (${mb(r.removedBytes)}) and ${r.staleIncoming} interrupted upload(s) older than ${hours} h`);
        }
        if (r.missing.length || r.corrupt.length) process.exitCode = 1;
      }),
    );
}
