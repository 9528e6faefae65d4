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
import { fmt, load, startTarget, stop, table } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OBJECTS = Number(process.env.BENCH_TAXII_OBJECTS ?? 10_000);
const CONNECTIONS = 10;
type Info = { port: number; paths: string[]; bytes: number; token?: string; pagesFile?: string };

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const variants = [
      { target: 'GET .../objects/?limit=1000 (kept pages, default)', args: [], env: {} },
      { target: '  same, another org importing 1 indicator/s', args: ['1'], env: {} },
      { target: '  same, MUHAFIZ_TAXII_CACHE_MB=0 (every page read)', args: [], env: { MUHAFIZ_TAXII_CACHE_MB: '0' } },
    ];
    let base: { rps: number } | undefined;
    let baseString: { rps: number } | undefined;
    for (const v of variants) {
      const full = await startTarget<Info>('bench/taxii-target.ts', ['muhafiz', String(OBJECTS), ...v.args], { ...(await d.fresh()), ...v.env });
      const kb = fmt(full.info.bytes / 1024, 0);
      if (!base || !baseString) {
        for (const kind of ['buffer', 'string'] as const) {
          const bare = await startTarget<Info>('bench/taxii-target.ts', ['bare', full.info.pagesFile!, kind], d.env);
          const b = await load(`http://127.0.0.1:${bare.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, paths: bare.info.paths });
          await stop(bare.child);
          if (kind === 'buffer') base = b;
          else baseString = b;
          const target = kind === 'buffer' ? 'bare Fastify, same bytes as a Buffer (baseline)' : 'bare Fastify, same bytes as a string';
          rows.push({ driver: d.name, target, 'page KB': kb, 'pages/s': fmt(b.rps, 1), 'MB/s': fmt(b.mbps, 1), 'p50 ms': b.p50, 'p99 ms': b.p99, errors: b.errors, ratio: fmt(b.rps / base!.rps, 2), 'vs string': fmt(b.rps / b.rps, 2) });
        }
        rows.at(-1)!['vs string'] = '1.00';
        rows.at(-2)!['vs string'] = fmt(base!.rps / baseString!.rps, 2);
      }
      const headers = { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${full.info.token}` };
      const m = await load(`http://127.0.0.1:${full.info.port}`, { seconds: SECONDS, connections: CONNECTIONS, headers, paths: full.info.paths });
      await stop(full.child);
      if (m.non2xx) throw new Error(`TAXII answered ${m.non2xx} non-2xx`);
      rows.push({ driver: d.name, target: v.target, 'page KB': kb, 'pages/s': fmt(m.rps, 1), 'MB/s': fmt(m.mbps, 1), 'p50 ms': m.p50, 'p99 ms': m.p99, errors: m.errors, ratio: fmt(m.rps / base!.rps, 2), 'vs string': fmt(m.rps / baseString!.rps, 2) });
    }
  }
  return `TAXII objects, pages of 1,000 of ${OBJECTS} indicators (${SECONDS} s, ${CONNECTIONS} connections; target ratio >= 0.5 of the Buffer baseline)\n${table(rows)}`;
}
