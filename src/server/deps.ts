import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { Clock } from '../core/clock.js';
import type { FileStore } from '../core/files.js';
import type { JobQueue } from '../core/jobs.js';
import type { Mailer } from '../core/mail.js';
import type { SecretBox } from '../core/secrets.js';

/** The long-lived parts every request, job and CLI command shares. */
export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  jobs: JobQueue;
  mailer: Mailer;
  secrets: SecretBox;
  /** Content-addressed store for evidence, uploaded document versions and incident attachments. */
  files: FileStore;
  log: Logger;
}
