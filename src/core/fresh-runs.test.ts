import { describe, expect, it } from 'vitest';
import { FreshRuns } from './fresh-runs.js';

/** A run whose end the test decides; `started` counts the runs. */
function gate() {
  const runs: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  const fn = () => new Promise<number>((resolve, reject) => runs.push({ resolve, reject }));
  return { runs, fn };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('FreshRuns', () => {
  it('runs at once when nothing is in flight, and again for a later caller', async () => {
    const f = new FreshRuns<string, number>();
    const g = gate();
    const a = f.run('k', g.fn);
    expect(g.runs).toHaveLength(1);
    g.runs[0]!.resolve(1);
    expect(await a).toBe(1);
    const b = f.run('k', g.fn);
    expect(g.runs).toHaveLength(2);
    g.runs[1]!.resolve(2);
    expect(await b).toBe(2);
  });

  it('never hands a caller the run that was in flight when it arrived; the callers that arrive meanwhile share the next one', async () => {
    const f = new FreshRuns<string, number>();
    const g = gate();
    const first = f.run('k', g.fn);
    const later = [f.run('k', g.fn), f.run('k', g.fn), f.run('k', g.fn)];
    await tick();
    expect(g.runs).toHaveLength(1);
    g.runs[0]!.resolve(1);
    expect(await first).toBe(1);
    await tick();
    expect(g.runs).toHaveLength(2);
    // A caller arriving while the second run is in flight waits for a third.
    const last = f.run('k', g.fn);
    g.runs[1]!.resolve(2);
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
    await tick();
    expect(g.runs).toHaveLength(3);
    g.runs[2]!.resolve(3);
    expect(await last).toBe(3);
  });

  it('keeps keys apart, and a failed run fails only its own callers', async () => {
    const f = new FreshRuns<string, number>();
    const g = gate();
    const a = f.run('a', g.fn);
    const b = f.run('b', g.fn);
    expect(g.runs).toHaveLength(2);
    const a2 = f.run('a', g.fn);
    g.runs[0]!.reject(new Error('boom'));
    g.runs[1]!.resolve(7);
    await expect(a).rejects.toThrow('boom');
    expect(await b).toBe(7);
    await tick();
    expect(g.runs).toHaveLength(3);
    g.runs[2]!.resolve(8);
    expect(await a2).toBe(8);
  });
});
