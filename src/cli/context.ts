import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import type { z } from 'zod';
import { systemActor, type Actor, isRole, ROLES, type Role } from '../core/access/index.js';
import type { Ctx } from '../core/context.js';
import type { FileStore, StoredFile } from '../core/files.js';
import { newId } from '../core/ids.js';
import { textTable } from '../core/text-table.js';
import { loadConfig, type Config } from '../config.js';
import type { OrgKind } from '../db/types.js';
import { TenancyErrors } from '../domains/tenancy/errors.js';
import { asPlatform, type SystemDeps } from '../domains/tenancy/users.js';
import { createLogger, openRuntime, type Runtime } from '../server/runtime.js';

/**
 * What a command needs from its surroundings. `main` uses the process (real
 * configuration, stdout); tests pass their own runtime and collect the output.
 */
export interface CliContext {
  config(): Config;
  /** Opens the runtime (migrating first) for the duration of `fn`. */
  withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T>;
  /** Prints one line (or several joined by newlines). */
  out(text: string): void;
  /** Writes raw text (CSV streams), honouring back-pressure. */
  write(chunk: string): Promise<void>;
  /** A progress counter for long work (on stderr, only when it is a terminal). */
  progress(label: string): Progress;
}

export interface Progress {
  update(done: number): void;
  end(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, end: () => undefined };

/** `label: 12 345` rewritten in place on a terminal's stderr, at most every 100 ms. */
function terminalProgress(label: string): Progress {
  if (!process.stderr.isTTY) return NO_PROGRESS;
  let last = 0;
  let shown = false;
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${label}: ${done.toLocaleString('en')}`);
    },
    end() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** The real thing: environment configuration, stdout. */
export function processCli(): CliContext {
  return {
    config: () => loadConfig(),
    async withRuntime(fn) {
      const rt = await openRuntime(loadConfig(), { log: createLogger('warn'), createAdmin: false });
      try {
        return await fn(rt);
      } finally {
        await rt.close();
      }
    },
    out: (text) => console.log(text),
    write: (chunk) => new Promise<void>((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once('drain', resolve))),
    progress: terminalProgress,
  };
}

/** Parses a command-line value with a zod schema; a failure names the option. */
export function parseOption<T extends z.ZodTypeAny>(schema: T, value: unknown, option: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${option}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  return r.data;
}

/** `a,b` -> roles, refusing unknown ones with the list of valid roles. */
export function parseRoles(value: string, option = '--roles'): Role[] {
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) throw new Error(`${option}: give at least one role (${ROLES.join(', ')})`);
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length) throw new Error(`${option}: unknown role ${bad.join(', ')}; roles are ${ROLES.join(', ')}`);
  return roles as Role[];
}

export interface OrgRef {
  id: string;
  name: string;
  shortName: string;
  kind: OrgKind;
}

/** Finds an organisation by its short name (case-insensitive), as the system. */
export async function orgByShortName(deps: SystemDeps, shortName: string): Promise<OrgRef> {
  const row = await asPlatform(deps, 'system:cli', (tx) =>
    tx.selectFrom('orgs').select(['id', 'name', 'short_name', 'kind']).where(sql<string>`lower(short_name)`, '=', shortName.toLowerCase()).where('disabled_at', 'is', null).executeTakeFirst(),
  );
  if (!row) throw TenancyErrors.ORG_NOT_FOUND(`No organisation has the short name ${shortName} (see \`muhafiz orgs list\`)`);
  return { id: row.id, name: row.name, shortName: row.short_name, kind: row.kind };
}

/** A service context for the system acting in `org` (platform org when omitted); audited as `system:cli`. */
export function cliCtx(deps: SystemDeps, org: { id: string; kind: OrgKind }, label = 'system:cli'): Ctx {
  return { db: deps.db, clock: deps.clock, actor: systemActor(org.id, org.kind, label), requestId: `cli-${newId()}`, ip: null };
}

/** The platform org, for commands that act platform-wide. */
export async function platformOrg(deps: SystemDeps): Promise<OrgRef> {
  const row = await asPlatform(deps, 'system:cli', (tx) => tx.selectFrom('orgs').select(['id', 'name', 'short_name', 'kind']).where('kind', '=', 'platform').executeTakeFirstOrThrow());
  return { id: row.id, name: row.name, shortName: row.short_name, kind: row.kind };
}

/**
 * The actor of a person in one org, built from their active membership, for
 * commands done on someone's behalf (an API token belongs to its user).
 * The label says it came from the command line.
 */
export async function memberActor(deps: SystemDeps, email: string, org: OrgRef): Promise<Actor> {
  const row = await asPlatform(deps, 'system:cli', (tx) =>
    tx
      .selectFrom('users as u')
      .leftJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.org_id', '=', org.id).on('m.disabled_at', 'is', null))
      .select(['u.id', 'u.email', 'u.disabled_at', 'm.roles'])
      .where(sql<string>`lower(u.email)`, '=', email.toLowerCase())
      .executeTakeFirst(),
  );
  if (!row) throw TenancyErrors.USER_NOT_FOUND(`No user has the email ${email}`);
  if (row.disabled_at) throw TenancyErrors.USER_NOT_FOUND(`The account ${email} is disabled`);
  if (!row.roles) throw TenancyErrors.MEMBER_NOT_FOUND(`${email} is not a member of ${org.shortName}`);
  return { kind: 'user', userId: row.id, orgId: org.id, orgKind: org.kind, roles: row.roles.filter(isRole), platformAdmin: false, label: `${row.email} (cli)` };
}

/**
 * A context acting as a person in one of their orgs, so the CLI goes through
 * the same roles and row-level security as the API (a CERT analyst sees its
 * constituency, an entity its own reports) and the audit log names them.
 */
export async function actAs(deps: SystemDeps, email: string, orgShortName: string): Promise<Ctx> {
  const actor = await memberActor(deps, email, await orgByShortName(deps, orgShortName));
  return { db: deps.db, clock: deps.clock, requestId: `cli-${newId()}`, ip: null, actor };
}

/** The `--as <email> --org <short-name>` pair of a command done on someone's behalf. */
export const actAsOptions = (c: Command, who = 'act as this user'): Command => c.requiredOption('--as <email>', who).requiredOption('--org <short-name>', 'in this org');

/** Streams a local file into the content-addressed store (size limit and all); a missing file names itself. */
export async function storeLocalFile(files: FileStore, path: string): Promise<StoredFile> {
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', (err) => reject(new Error(`${path}: ${err.message}`))));
  return files.put(stream);
}

/** Prints rows as JSON (`--json`, for scripts) or as an aligned table. */
export function printRows<T>(cli: CliContext, json: boolean | undefined, rows: T[], columns: Array<[header: string, cell: (r: T) => string]>): void {
  if (json) return cli.out(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return cli.out('(none)');
  cli.out(textTable(columns.map((c) => c[0]), rows.map((r) => columns.map((c) => c[1](r)))).join('\n'));
}
