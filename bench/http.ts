/**
 * HTTP: an authenticated list endpoint (50 members; session, access check,
 * RLS transaction, zod serialisation) against a bare Fastify route returning
 * the same bytes, 50 connections, 10 s each, per database driver. A third
 * row, the bare route plus four trivial database round trips (as many as the
 * list makes), shows how much of the gap any database access costs.
 */
import { fmt, load, startTarget, stop, table } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const bare = await startTarget<{ port: number }>('bench/http-target.ts', ['bare'], d.env);
    const b = await load(`http://127.0.0.1:${bare.info.port}/api/members?limit=50`, { seconds: SECONDS, connections: 50 });
    await stop(bare.child);
    const floor = await startTarget<{ port: number }>('bench/http-target.ts', ['floor'], d.env);
    const f = await load(`http://127.0.0.1:${floor.info.port}/api/members?limit=50`, { seconds: SECONDS, connections: 50 });
    await stop(floor.child);
    const full = await startTarget<{ port: number; cookie: string }>('bench/http-target.ts', ['muhafiz'], d.env);
    const m = await load(`http://127.0.0.1:${full.info.port}/api/members?limit=50`, { seconds: SECONDS, connections: 50, headers: { cookie: `mfz_session=${full.info.cookie}` } });
    await stop(full.child);
    if (m.non2xx) throw new Error(`muhafiz answered ${m.non2xx} non-2xx`);
    rows.push({ driver: d.name, target: 'bare Fastify (baseline)', 'req/s': fmt(b.rps, 0), 'p50 ms': b.p50, 'p99 ms': b.p99, errors: b.errors, ratio: '1.00' });
    rows.push({ driver: d.name, target: 'bare + 4 trivial DB round trips', 'req/s': fmt(f.rps, 0), 'p50 ms': f.p50, 'p99 ms': f.p99, errors: f.errors, ratio: fmt(f.rps / b.rps, 2) });
    rows.push({ driver: d.name, target: 'GET /api/members?limit=50', 'req/s': fmt(m.rps, 0), 'p50 ms': m.p50, 'p99 ms': m.p99, errors: m.errors, ratio: fmt(m.rps / b.rps, 2) });
  }
  return `HTTP (${SECONDS} s, 50 connections; target ratio >= 0.5, p99 < 50 ms; errors = autocannon errors + timeouts (10 s))\n${table(rows)}`;
}
