/**
 * Start-up: time from process start of the server code to a 200 on /readyz,
 * on a fresh data dir (migrations, bootstrap), with the demo sector, and on
 * the existing data dir (what every restart costs); RSS after start-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, startTarget, stop, table } from './lib.js';

type Info = { readyMs: number; rss: number };

export async function run(drivers: Array<{ name: string; env: NodeJS.ProcessEnv; fresh: () => Promise<NodeJS.ProcessEnv> }>): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  for (const d of drivers) {
    const env = await d.fresh();
    const dir = await mkdtemp(join(tmpdir(), 'muhafiz-start-'));
    const e = { ...env, MUHAFIZ_DATA_DIR: dir, MUHAFIZ_ADMIN_EMAIL: 'owner@example.test', MUHAFIZ_ADMIN_PASSWORD: 'violet-harbour-lantern-73' };
    const runOnce = async (args: string[]) => {
      const t = await startTarget<Info>('bench/startup-target.ts', args, e);
      await stop(t.child);
      return t.info;
    };
    const fresh = await runOnce([]);
    const again = await runOnce([]);
    rows.push({ driver: d.name, case: 'fresh database (migrate + bootstrap)', 'ready ms': fmt(fresh.readyMs, 0), 'RSS MB': fmt(fresh.rss / 1e6, 0) });
    rows.push({ driver: d.name, case: 'existing database (restart)', 'ready ms': fmt(again.readyMs, 0), 'RSS MB': fmt(again.rss / 1e6, 0) });
    try {
      const env2 = await d.fresh();
      const dir2 = await mkdtemp(join(tmpdir(), 'muhafiz-start-'));
      const t = await startTarget<Info>('bench/startup-target.ts', ['--demo'], { ...env2, MUHAFIZ_DATA_DIR: dir2 });
      await stop(t.child);
      rows.push({ driver: d.name, case: 'fresh database + demo sector', 'ready ms': fmt(t.info.readyMs, 0), 'RSS MB': fmt(t.info.rss / 1e6, 0) });
      await rm(dir2, { recursive: true, force: true });
    } catch (err) {
      rows.push({ driver: d.name, case: 'fresh database + demo sector', 'ready ms': `failed: ${(err as Error).message}`, 'RSS MB': '-' });
    }
    await rm(dir, { recursive: true, force: true });
  }
  return `Start-up to /readyz (target < 2000 ms on an existing database) and RSS after start-up\n${table(rows)}`;
}
