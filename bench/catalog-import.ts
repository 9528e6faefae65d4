/**
 * OSCAL catalog import of NIST SP 800-53 rev5 (1,189 controls and
 * enhancements, 1,209 requirements with the 20 families) against a raw
 * baseline measured in the same process: JSON.parse + one bulk INSERT of
 * the same rows into a plain table.
 */
import { sharedData } from '../test/helpers/shared-data.js';
import { fmt, startTarget, stop, table } from './lib.js';

type Info = { requirements: number; baselineMs: number; importMs: number; reimportMs: number; peakRssKb: number };

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const file = sharedData('oscal/content/sp800-53-rev5-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json');
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const env = await d.fresh();
    const t = await startTarget<Info>('bench/catalog-import-target.ts', [file], env);
    await stop(t.child);
    const i = t.info;
    rows.push({
      driver: d.name,
      requirements: i.requirements,
      'baseline ms': fmt(i.baselineMs, 0),
      'import ms': fmt(i.importMs, 0),
      ratio: fmt(i.importMs / i.baselineMs, 2),
      're-import ms': fmt(i.reimportMs, 0),
      'peak RSS MB': fmt(i.peakRssKb / 1024, 0),
    });
  }
  return `SP 800-53 rev5 OSCAL catalog import vs raw baseline (JSON.parse + one bulk INSERT of the same rows into a plain table); medians of 3\n${table(rows)}`;
}
