import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Checks on the committed tree that no compiler or linter makes: a merge that
 * left conflict markers in a Markdown guide or a SQL migration still builds.
 */
const TEXT = /\.(ts|tsx|js|mjs|cjs|md|sql|json|ya?ml|sh|css|html|csv)$|^\.ci\/run$/;
const MARKER = /^(<{7}|={7}|>{7})( |$)/;

function trackedTextFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((f) => f && TEXT.test(f));
}

describe('repository hygiene', () => {
  it('has no merge-conflict markers in any tracked text file', () => {
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // deleted in the working tree but not yet in the index
      }
      text.split('\n').forEach((line, i) => {
        if (MARKER.test(line)) hits.push(`${file}:${i + 1}: ${line.slice(0, 40)}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
