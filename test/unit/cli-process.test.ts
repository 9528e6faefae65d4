import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/core/paths.js';

// One real process: the entry point turns a failure into one line on stderr and exit code 1.
describe('muhafiz as a process', () => {
  it('fails with one actionable line and a non-zero exit', () => {
    const r = spawnSync(fromRoot('node_modules/.bin/tsx'), [fromRoot('src/main.ts'), 'restore', '/nonexistent/muhafiz-backup.tar.gz'], {
      encoding: 'utf8',
      env: { ...process.env, MUHAFIZ_DATA_DIR: '/nonexistent/data', DATABASE_URL: '' },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('muhafiz: /nonexistent/muhafiz-backup.tar.gz does not exist\n');
    expect(r.stdout).toBe('');
  });
});
