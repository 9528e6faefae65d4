/**
 * TAXII: GET objects in pages of 1,000 (each connection cycling through every
 * page of a 10,000-object collection, following `next`) through the real
 * server, against a bare Fastify route answering the same URLs with the same
 * bytes (another process started the same way, serving what the real server
 * answered), measured one after the other, 10 connections. Target: >= 0.5 of the bare
 * route's throughput.
 */
import { fmt, load, startTarget, stop, table } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OBJECTS = Number(process.env.BENCH_TAXII_OBJECTS ?? 10_000);
const CONNECTIONS = 10;
type Info = { port: number; paths: string[]; bytes: number; token?: string; pagesFile?: string };

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const full = await startTarget<Info>('bench/taxii-target.ts', ['muhafiz', String(OBJECTS)], await d.fresh());
    const bare = await startTarget<Info>('bench/taxii-target.ts', ['bare', full.info.pagesFile!], d.env);
    const b = await load(`http://127.0.0.1:${bare.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, paths: bare.info.paths });
    await stop(bare.child);
    const headers = { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${full.info.token}` };
    const m = await load(`http://127.0.0.1:${full.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, headers, paths: full.info.paths });
    await stop(full.child);
    if (m.non2xx) throw new Error(`TAXII answered ${m.non2xx} non-2xx`);
    const kb = fmt(full.info.bytes / 1024, 0);
    rows.push({ driver: d.name, target: 'bare Fastify, same bytes (baseline)', 'page KB': kb, 'pages/s': fmt(b.rps, 1), 'MB/s': fmt(b.mbps, 1), 'p50 ms': b.p50, 'p99 ms': b.p99, errors: b.errors, ratio: '1.00' });
    rows.push({ driver: d.name, target: 'GET .../objects/?limit=1000', 'page KB': kb, 'pages/s': fmt(m.rps, 1), 'MB/s': fmt(m.mbps, 1), 'p50 ms': m.p50, 'p99 ms': m.p99, errors: m.errors, ratio: fmt(m.rps / b.rps, 2) });
  }
  return `TAXII objects, pages of 1,000 of ${OBJECTS} indicators (${SECONDS} s, ${CONNECTIONS} connections; target ratio >= 0.5)\n${table(rows)}`;
}
