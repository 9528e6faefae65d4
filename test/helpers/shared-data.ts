import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/core/paths.js';

/**
 * A path in the shared reference data (shared/data beside the repo root).
 * Worktrees sit one level deeper than a clone, so the nearest ancestor's
 * shared/data is used.
 */
export function sharedData(...parts: string[]): string {
  for (let dir = projectRoot(); ; dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'data');
    if (existsSync(candidate)) return join(candidate, ...parts);
    if (dirname(dir) === dir) throw new Error('shared/data not found beside the project root or above it');
  }
}
