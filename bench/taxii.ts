/**
 * TAXII: GET objects in pages of 1,000 (each connection cycling through every
 * page of a 10,000-object collection, following `next`) through the real
 * server, against a bare Fastify route answering the same URLs with the same
 * bytes (another process started the same way, serving what the real server
 * answered), measured one after the other, 10 connections. Target: >= 0.5 of the bare
 * route's throughput.
 *
 * Two baselines: the bytes kept as a Buffer (the ratio the target is read
 * against: nothing is faster) and as a string encoded on every send (the
 * baseline of the runs before 2026-12-02, column `vs string`).
 *
 * The real server is measured three ways: as configured by default (pages
 * kept in memory and checked against the intel change log, migration 0327),
 * the same while another org imports one indicator a second (every kept page
 * is then re-read once a second), and with MUHAFIZ_TAXII_CACHE_MB=0 (every
 * page read from the database, what a first read costs).
 */
import { fmt, load, startTarget, stop, table, type LoadResult } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OBJECTS = Number(process.env.BENCH_TAXII_OBJECTS ?? 10_000);
const CONNECTIONS = 10;
type Info = { port: number; paths: string[]; bytes: number; token?: string; pagesFile?: string };

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  const variants = [
    { target: 'GET .../objects/?limit=1000 (kept pages, default)', args: [], env: {} },
    { target: '  same, another org importing 1 indicator/s', args: ['1'], env: {} },
    { target: '  same, MUHAFIZ_TAXII_CACHE_MB=0 (every page read)', args: [], env: { MUHAFIZ_TAXII_CACHE_MB: '0' } },
  ];
  for (const d of drivers) {
    let kb = '';
    let pagesFile: string | undefined;
    const measured: Array<{ target: string; r: LoadResult }> = [];
    for (const v of variants) {
      const full = await startTarget<Info>('bench/taxii-target.ts', ['muhafiz', String(OBJECTS), ...v.args], { ...(await d.fresh()), ...v.env });
      kb = fmt(full.info.bytes / 1024, 0);
      pagesFile ??= full.info.pagesFile!;
      const headers = { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${full.info.token}` };
      const r = await load(`http://127.0.0.1:${full.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, headers, paths: full.info.paths });
      await stop(full.child);
      if (r.non2xx) throw new Error(`TAXII answered ${r.non2xx} non-2xx`);
      measured.push({ target: v.target, r });
    }
    // The baselines answer the bytes the first server answered.
    const bare = async (kind: 'buffer' | 'string') => {
      const t = await startTarget<Info>('bench/taxii-target.ts', ['bare', pagesFile!, kind], d.env);
      const r = await load(`http://127.0.0.1:${t.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, paths: t.info.paths });
      await stop(t.child);
      return r;
    };
    const buffer = await bare('buffer');
    const string = await bare('string');
    const all = [{ target: 'bare Fastify, same bytes as a Buffer (baseline)', r: buffer }, { target: 'bare Fastify, same bytes as a string', r: string }, ...measured];
    for (const { target, r } of all) {
      rows.push({ driver: d.name, target, 'page KB': kb, 'pages/s': fmt(r.rps, 1), 'MB/s': fmt(r.mbps, 1), 'p50 ms': r.p50, 'p99 ms': r.p99, errors: r.errors, ratio: fmt(r.rps / buffer.rps, 2), 'vs string': fmt(r.rps / string.rps, 2) });
    }
  }
  return `TAXII objects, pages of 1,000 of ${OBJECTS} indicators (${SECONDS} s, ${CONNECTIONS} connections; target ratio >= 0.5 of the Buffer baseline)\n${table(rows)}`;
}
