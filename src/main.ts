import { Command, Option } from 'commander';
import { loadConfig } from './config.js';
import { connect } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { serve } from './cli/serve.js';
import { intelCommands } from './cli/intel.js';
import { verifyAuditLog } from './core/audit.js';
import { openRuntime } from './server/runtime.js';
import { createLogger } from './server/runtime.js';
import { disableUser, listUsers, resetPassword } from './domains/tenancy/users.js';

/** The `muhafiz` command line. Every command calls the same services as the HTTP API. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('muhafiz')
    .description('Muhafiz: ISMS, sectoral CERT, threat exchange and supervision.\nDatabase: PGlite in MUHAFIZ_DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the web server and job workers (applies migrations first)')
    .addOption(new Option('--demo', 'load the demo sector on start (once; prints the demo credentials)'))
    .addOption(new Option('-p, --port <port>', 'port to listen on').env('PORT'))
    .action(async (o: { demo?: boolean; port?: string }) => {
      await serve(loadConfig(process.env, o.port ? { port: Number(o.port) } : {}), { demo: Boolean(o.demo) });
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const r = await migrate(db);
        console.log(r.applied.length ? `applied ${r.applied.join(', ')}` : 'database is up to date');
        console.log(`current: ${r.current}`);
      } finally {
        await db.close();
      }
    });

  const withRuntime = async <T>(fn: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> => {
    const config = loadConfig();
    const rt = await openRuntime(config, { log: createLogger('warn'), createAdmin: false });
    try {
      return await fn(rt);
    } finally {
      await rt.close();
    }
  };

  const users = program.command('users').description('manage user accounts');
  users
    .command('list')
    .description('list accounts with their memberships')
    .action(() =>
      withRuntime(async (rt) => {
        for (const u of await listUsers(rt)) {
          console.log([u.email, u.display_name, u.short_name ?? '-', (u.roles ?? []).join('+') || '-', u.platform_admin ? 'platform-admin' : '', u.mfa_enabled ? 'mfa' : '', u.disabled_at ? 'DISABLED' : ''].join('\t'));
        }
      }),
    );
  users
    .command('reset-password <email>')
    .description('set a new password (generated unless --password is given), unlock, sign out everywhere')
    .option('--password <password>', 'the new password (prefer the generated one)')
    .action((email: string, o: { password?: string }) =>
      withRuntime(async (rt) => {
        const r = await resetPassword(rt, email, o.password);
        console.log(o.password ? `password changed for ${email}` : `new password for ${email}: ${r.password}`);
      }),
    );
  users
    .command('disable <email>')
    .description('disable an account: its sessions end and its tokens stop working')
    .action((email: string) => withRuntime(async (rt) => {
      await disableUser(rt, email);
      console.log(`disabled ${email}`);
    }));

  intelCommands(program, withRuntime);

  const auditCmd = program.command('audit-log').description('the hash-chained audit log');
  auditCmd
    .command('verify')
    .description('walk every chain; exit 1 and report the first broken link if any record was modified, deleted or reordered')
    .action(() =>
      withRuntime(async (rt) => {
        const r = await verifyAuditLog(rt.db);
        if (r.ok) {
          console.log(`audit log intact: ${r.records} records in ${r.chains} chains`);
        } else {
          console.log(`audit log BROKEN at org ${r.problem!.orgId}, record ${r.problem!.seq}: ${r.problem!.reason}`);
          process.exitCode = 1;
        }
      }),
    );

  await program.parseAsync(argv);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv).catch((err: unknown) => {
    console.error(`muhafiz: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
