/**
 * ATT&CK Enterprise 18.1 (24,772 objects) import against the raw baseline
 * measured in the same process (target: <= 3x on each driver), with the
 * re-import (idempotent no-op) time and peak RSS.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../src/core/paths.js';
import { fmt, startTarget, stop, table } from './lib.js';

type Info = { objects: number; baselineMs: number; importMs: number; reimportMs: number; peakRssKb: number };

function attackFile(): string {
  for (let dir = projectRoot(); dirname(dir) !== dir; dir = dirname(dir)) {
    const f = join(dir, '..', 'shared', 'data', 'attack', 'enterprise-attack-18.1.json');
    if (existsSync(f)) return f;
  }
  throw new Error('shared/data/attack/enterprise-attack-18.1.json not found beside the project');
}

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const env = await d.fresh();
    const t = await startTarget<Info>('bench/intel-import-target.ts', [attackFile()], env);
    await stop(t.child);
    const i = t.info;
    rows.push({
      driver: d.name,
      objects: i.objects,
      'baseline s': fmt(i.baselineMs / 1000),
      'import s': fmt(i.importMs / 1000),
      ratio: fmt(i.importMs / i.baselineMs, 2),
      're-import s': fmt(i.reimportMs / 1000),
      'peak RSS MB': fmt(i.peakRssKb / 1024, 0),
    });
  }
  return `ATT&CK Enterprise import vs raw baseline (JSON.parse + batched INSERT into one jsonb table); target ratio <= 3\n${table(rows)}`;
}
