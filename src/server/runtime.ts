import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';
import { connect, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { systemClock, type Clock } from '../core/clock.js';
import { diskFileStore } from '../core/files.js';
import { JobQueue } from '../core/jobs.js';
import { Mailer } from '../core/mail.js';
import { SecretBox } from '../core/secrets.js';
import { storePendingDeadlines } from '../domains/incidents/service/clock.js';
import { bootstrap, type BootstrapResult } from '../domains/tenancy/bootstrap.js';
import type { AppDeps } from './deps.js';
import { registerJobs } from './jobs.js';

/** Paths and headers never written to logs. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.token', '*.code'];

/** The production logger: JSON lines with credentials redacted; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: LOG_REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export interface Runtime extends AppDeps {
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/**
 * Opens the database, applies migrations, makes sure the platform org (and
 * on an empty database the first administrator) exists, stores the deadlines
 * of incidents that predate migration 0205, then restricts the
 * connection to the app role and wires jobs and mail.
 */
export async function openRuntime(config: Config, opts: { clock?: Clock; log?: Logger; db?: Database; createAdmin?: boolean } = {}): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const db = opts.db ?? (await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const result = await migrate(db, (m) => log.info({ migration: `${m.version}_${m.name}` }, 'migration applied'));
  if (result.applied.length) log.info({ applied: result.applied.length, current: result.current }, 'database migrated');
  const boot = await bootstrap({ db, clock }, { email: config.adminEmail, password: config.adminPassword, createAdmin: opts.createAdmin ?? true });
  // Incidents from before migration 0205 get their stored deadlines before the first request.
  const deadlines = await storePendingDeadlines(db, clock.now());
  if (deadlines) log.info({ incidents: deadlines }, 'stored reporting deadlines of existing incidents');
  await db.restrictToAppRole();
  const jobs = new JobQueue(db, clock, log);
  const mailer = new Mailer(jobs, db, config.smtpUrl, config.mailFrom);
  const secrets = SecretBox.fromConfig(config.secretKey, config.dataDir);
  const files = diskFileStore(config.dataDir, config.uploadLimit);
  const deps: AppDeps = { config, db, clock, jobs, mailer, secrets, files, log };
  await registerJobs(deps);
  return {
    ...deps,
    bootstrap: boot,
    async close() {
      await jobs.stop();
      await db.close();
    },
  };
}
