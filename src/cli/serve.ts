import { loadConfig, type Config } from '../config.js';
import { buildApp } from '../server/app.js';
import { openRuntime } from '../server/runtime.js';

/**
 * The server's configuration with `-p PORT` applied as if PORT were set, so
 * everything derived from the port (the public URL in links and mail, the
 * origin accepted for CSRF) follows it, unless MUHAFIZ_PUBLIC_URL is set.
 */
export function serveConfig(env: NodeJS.ProcessEnv, port?: string): Config {
  return loadConfig(port === undefined ? env : { ...env, PORT: port });
}

/** Starts the server; resolves once it listens. SIGINT/SIGTERM close it gracefully. */
export async function serve(config: Config, opts: { demo?: boolean } = {}): Promise<void> {
  const rt = await openRuntime(config, { createAdmin: !opts.demo });
  if (rt.bootstrap.admin) {
    const a = rt.bootstrap.admin;
    console.log(a.generatedPassword
      ? `\nFirst platform administrator created:\n  email:    ${a.email}\n  password: ${a.generatedPassword}\n(shown once; change it after signing in)\n`
      : `\nFirst platform administrator created: ${a.email} (password from MUHAFIZ_ADMIN_PASSWORD)\n`);
  }
  if (opts.demo) {
    const { loadDemo } = await import('../demo/load.js');
    await loadDemo(rt, { print: true });
  }
  const app = await buildApp(rt);
  if (config.workers > 0) rt.jobs.start();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    rt.log.info({ signal }, 'shutting down');
    await app.close();
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  console.log(`Muhafiz is running at ${config.publicUrl} (database: ${rt.db.driver}${rt.db.driver === 'pglite' ? `, data dir ${config.dataDir}` : ''})`);
}
