import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.js';

describe('SecretBox', () => {
  const box = new SecretBox('a test key that is long enough to use');

  it('seals and opens, with a fresh IV each time', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP');
    const b = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('ünïcode ✓'))).toBe('ünïcode ✓');
  });

  it('refuses a tampered ciphertext, a wrong key and an unknown format', () => {
    const sealed = box.seal('secret');
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox('another key entirely, also long').open(sealed)).toThrow();
    expect(() => box.open('v2.a.b.c')).toThrow(/unknown format/);
    expect(() => box.open('garbage')).toThrow(/unknown format/);
  });

  it('creates a 0600 key file on first use and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'muhafiz-secret-'));
    try {
      const first = SecretBox.fromConfig(undefined, join(dir, 'data'));
      const file = join(dir, 'data', 'secret.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8');
      const again = SecretBox.fromConfig(undefined, join(dir, 'data'));
      expect(readFileSync(file, 'utf8')).toBe(key);
      expect(again.open(first.seal('kept across restarts'))).toBe('kept across restarts');
      // A configured key wins over the file.
      expect(() => SecretBox.fromConfig('configured key, at least 32 chars!', join(dir, 'data')).open(first.seal('x'))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
