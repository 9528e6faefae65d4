import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveWriter, readArchive } from './archive.js';

describe('backup archive', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-archive-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function crafted(name: string, entries: Array<{ name: string; type?: 'file' | 'symlink'; linkname?: string; body?: string }>): Promise<string> {
    const file = join(dir, name);
    const pack = tar.pack();
    const done = pipeline(pack, createGzip(), createWriteStream(file));
    for (const e of entries) {
      await new Promise<void>((resolve, reject) =>
        e.type === 'symlink'
          ? pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname! }, (err) => (err ? reject(err) : resolve()))
          : pack.entry({ name: e.name }, e.body ?? 'x', (err) => (err ? reject(err) : resolve())),
      );
    }
    pack.finalize();
    await done;
    return file;
  }

  const names = async (file: string) => {
    const seen: string[] = [];
    await readArchive(file, async (e) => {
      seen.push(`${e.name}=${(await e.buffer()).toString()}`);
    });
    return seen;
  };

  it('writes and reads entries in order', async () => {
    const file = join(dir, 'ok.tar.gz');
    const w = new ArchiveWriter(file);
    await w.addBuffer('manifest.json', '{"a":1}');
    await w.addBuffer('files/ab/cd', 'bytes');
    await w.finish();
    expect(await names(file)).toEqual(['manifest.json={"a":1}', 'files/ab/cd=bytes']);
  });

  it('refuses names that would escape the restore target, and links', async () => {
    await expect(names(await crafted('up.tar.gz', [{ name: 'files/../../etc/passwd' }]))).rejects.toThrow(/not allowed/);
    await expect(names(await crafted('abs.tar.gz', [{ name: '/etc/passwd' }]))).rejects.toThrow(/not allowed/);
    await expect(names(await crafted('link.tar.gz', [{ name: 'files/x', type: 'symlink', linkname: '/etc/passwd' }]))).rejects.toThrow(/symlink; only regular files/);
  });

  it('reports a file that is not a gzip tar', async () => {
    const file = join(dir, 'plain.txt');
    await pipeline(async function* () {
      yield 'hello';
    }, createWriteStream(file));
    await expect(names(file)).rejects.toThrow(/^cannot read backup .*plain.txt: /);
  });
});
