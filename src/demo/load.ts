import type { Runtime } from '../server/runtime.js';

/** Loads the demo sector (filled in by the demo issue work). */
export async function loadDemo(_rt: Runtime, _opts: { print: boolean }): Promise<void> {
  throw new Error('demo data is not available yet');
}
