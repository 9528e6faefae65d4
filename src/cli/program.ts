import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { registerAuditCommands } from './audit.js';
import { registerIsmsCommands } from './isms.js';
import { registerSoaCommands } from './soa.js';
import { registerCertCommands } from './cert.js';
import { registerIntelCommands } from './intel.js';
import { registerCatalogCommands } from './catalogs.js';
import type { CliContext } from './context.js';
import { registerOpsCommands } from './ops.js';
import { registerOrgCommands } from './orgs.js';
import { registerTokenCommands } from './tokens.js';
import { registerUserCommands } from './users.js';

/**
 * The `muhafiz` command tree. Every command calls the same service functions
 * as the HTTP API; `cli` supplies configuration, the runtime and output, so
 * tests drive the real program in-process.
 */
export function buildProgram(cli: CliContext): Command {
  const program = new Command()
    .name('muhafiz')
    .description(
      'Muhafiz: ISMS, sectoral CERT, threat exchange and supervision.\n' +
        'Database: PGlite in MUHAFIZ_DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.\n' +
        'With PGlite, stop the server before running commands against its data dir.',
    )
    .showHelpAfterError('(add --help for usage)');

  program
    .command('serve')
    .description('run the web server and job workers (applies migrations first)')
    .addOption(new Option('--demo', 'load the demo sector on start (once; prints the demo credentials)'))
    .addOption(new Option('-p, --port <port>', 'port to listen on').env('PORT'))
    .action(async (o: { demo?: boolean; port?: string }) => {
      // Loaded on use: the HTTP stack is not needed by the other commands.
      const { serve } = await import('./serve.js');
      await serve(loadConfig(process.env, o.port ? { port: Number(o.port) } : {}), { demo: Boolean(o.demo) });
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = cli.config();
      const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const r = await migrate(db);
        cli.out(r.applied.length ? `applied ${r.applied.join(', ')}` : 'database is up to date');
        cli.out(`current: ${r.current}`);
      } finally {
        await db.close();
      }
    });

  registerOrgCommands(program, cli);
  registerUserCommands(program, cli);
  registerTokenCommands(program, cli);
  registerAuditCommands(program, cli);
  registerOpsCommands(program, cli);
  registerIsmsCommands(program, cli);
  registerSoaCommands(program, cli);
  registerCertCommands(program, cli);
  registerIntelCommands(program, cli);
  registerCatalogCommands(program, cli);
  return program;
}
