/**
 * Correlation: with 1,000,000 indicators stored (PGlite: BENCH_CORRELATION_PGLITE,
 * default 100,000, see docs/benchmarks.md), match 10,000 observables of an
 * incident through the real correlation path, against a bare indexed join of
 * the same values measured in the same process. Target: < 1 s on PostgreSQL.
 */
import { fmt, startTarget, stop, table } from './lib.js';

type Info = { indicators: number; observables: number; reps: number; seedMs: number; baselineMs: number; correlateMs: number; baseline: number[]; real: number[]; matches: number; baseHits: number; rss: number };

const COUNTS: Record<string, number> = {
  postgres: Number(process.env.BENCH_CORRELATION_POSTGRES ?? 1_000_000),
  pglite: Number(process.env.BENCH_CORRELATION_PGLITE ?? 100_000),
};
const REPS = Number(process.env.BENCH_CORRELATION_REPS ?? 3);

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const env = await d.fresh();
    const t = await startTarget<Info>('bench/correlation-target.ts', [String(COUNTS[d.name] ?? 1_000_000), String(REPS)], env);
    await stop(t.child);
    const i = t.info;
    rows.push({
      driver: d.name,
      indicators: i.indicators,
      observables: i.observables,
      'seed s': fmt(i.seedMs / 1000),
      'bare join ms': fmt(i.baselineMs, 0),
      'correlate ms': fmt(i.correlateMs, 0),
      ratio: fmt(i.correlateMs / i.baselineMs, 1),
      matches: i.matches,
      'runs ms': i.real.map((x) => x.toFixed(0)).join('/'),
    });
  }
  return `Correlation: 10,000 observables (10% present) against N stored indicators, median of ${REPS}; baseline = bare indexed join of the same values; target < 1000 ms on PostgreSQL\n${table(rows)}`;
}
