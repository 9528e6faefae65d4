/**
 * `npm run bench [-- name ...]`: runs the benchmarks (all by default) on
 * PGlite and, when BENCH_DATABASE_URL or the local server answers, on
 * PostgreSQL; prints one table per benchmark with ratios against a baseline
 * measured in the same run. Copy the output into docs/benchmarks.md.
 */
import os from 'node:os';
import pg from 'pg';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

let dbCounter = 0;
/** A new empty PostgreSQL database for one benchmark case. */
async function freshPgDatabase(): Promise<string> {
  const name = `muhafiz_bench_${process.pid}_${++dbCounter}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropBenchDatabases(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`muhafiz_bench_${process.pid}_%`]);
  for (const r of rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  await c.end();
}

const BENCHES: Record<string, () => Promise<{ run: (drivers: never) => Promise<string> }>> = {
  http: () => import('./http.js') as never,
  cert: () => import('./cert.js') as never,
  startup: () => import('./startup.js') as never,
  'intel-import': () => import('./intel-import.js') as never,
  'catalog-import': () => import('./catalog-import.js') as never,
  soa: () => import('./soa.js') as never,
  correlation: () => import('./correlation.js') as never,
  taxii: () => import('./taxii.js') as never,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(BENCHES);
const withPg = await pgAvailable();
const base = { ...process.env, DATABASE_URL: '' };
const drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }> = [
  { name: 'pglite', env: base, fresh: async () => base },
];
if (withPg) {
  const url = await freshPgDatabase();
  drivers.push({ name: 'postgres', env: { ...process.env, DATABASE_URL: url }, fresh: async () => ({ ...process.env, DATABASE_URL: await freshPgDatabase() }) });
} else {
  console.log(`PostgreSQL not reachable at ${PG_URL}: PGlite only`);
}

console.log(`Muhafiz benchmarks — ${new Date().toISOString()} — ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
try {
  for (const name of names) {
    const load = BENCHES[name];
    if (!load) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    const mod = await load();
    console.log((await mod.run(drivers as never)) + '\n');
  }
} finally {
  if (withPg) await dropBenchDatabases();
}
