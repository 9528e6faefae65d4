import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';

/**
 * A backup is one gzip-compressed tar file. These helpers write it entry by
 * entry (large files are streamed, never held in memory) and read it back,
 * refusing entry names that could escape the restore target.
 */
export class ArchiveWriter {
  readonly #pack = tar.pack();
  readonly #done: Promise<void>;

  constructor(file: string) {
    this.#done = pipeline(this.#pack, createGzip(), createWriteStream(file, { mode: 0o600 }));
    // Surface a write error on the next add instead of as an unhandled rejection.
    this.#done.catch(() => undefined);
  }

  /** Adds an in-memory entry. */
  async addBuffer(name: string, data: Buffer | string, mode = 0o600): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    await new Promise<void>((resolve, reject) => {
      this.#pack.entry({ name, size: buf.length, mode, mtime: new Date() }, buf, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Streams a file from disk into the archive. */
  async addFile(name: string, path: string, size: number, mode = 0o600): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const entry = this.#pack.entry({ name, size, mode, mtime: new Date() }, (err) => (err ? reject(err) : resolve()));
      pipeline(createReadStream(path), entry).catch(reject);
    });
  }

  /** Adds every regular file under `dir` (but not under its top-level folders named in `exclude`) as `prefix/<relative path>`; returns how many and their bytes. */
  async addTree(prefix: string, dir: string, exclude: readonly string[] = []): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    for (const path of await walk(dir, exclude)) {
      const st = await lstat(path);
      const rel = relative(dir, path).split(sep).join(posix.sep);
      await this.addFile(`${prefix}/${rel}`, path, st.size);
      files += 1;
      bytes += st.size;
    }
    return { files, bytes };
  }

  async finish(): Promise<void> {
    this.#pack.finalize();
    await this.#done;
  }

  /** Stops writing after a failure (the caller removes the partial file). */
  abort(err: Error): void {
    this.#pack.destroy(err);
  }
}

/** Regular files under `dir`, sorted; symlinks and special files are skipped on purpose. */
export async function walk(dir: string, exclude: readonly string[] = []): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (exclude.includes(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

export interface ArchiveEntry {
  name: string;
  size: number;
  /** Reads the whole entry into memory. */
  buffer(): Promise<Buffer>;
  /** Streams the entry to a file (parent folders are created). */
  saveTo(path: string, mode?: number): Promise<void>;
}

/**
 * Reads an archive in order, calling `onEntry` for each regular file. Names
 * that are absolute, contain `..`, or are not regular files are refused, so a
 * crafted archive cannot write outside the restore target.
 */
export async function readArchive(file: string, onEntry: (e: ArchiveEntry) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const source = pipeline(createReadStream(file), createGunzip(), extract);
  source.catch(() => undefined);
  // Errors we raise (a refused entry, the caller's checks) pass through as they are;
  // anything else is the archive failing to read (corrupt gzip or tar).
  let ours: unknown;
  try {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      try {
        if (type !== 'file') throw new Error(`backup entry ${name} is a ${type}; only regular files are allowed`);
        if (!isSafeName(name)) throw new Error(`backup entry name ${JSON.stringify(name)} is not allowed`);
        let consumed = false;
        await onEntry({
          name,
          size,
          async buffer() {
            consumed = true;
            const chunks: Buffer[] = [];
            for await (const c of entry) chunks.push(c as Buffer);
            return Buffer.concat(chunks);
          },
          async saveTo(path: string, mode = 0o600) {
            consumed = true;
            await mkdir(dirname(path), { recursive: true });
            await pipeline(entry, createWriteStream(path, { mode }));
          },
        });
        if (!consumed) entry.resume();
      } catch (err) {
        ours = err;
        throw err;
      }
    }
    await source;
  } catch (err) {
    extract.destroy();
    if (ours) throw ours;
    const srcErr = await source.then(() => null, (e: unknown) => e);
    const reason = srcErr instanceof Error ? srcErr.message : err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read backup ${file}: ${reason}`);
  }
}

function isSafeName(name: string): boolean {
  if (name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((part) => part !== '..' && part !== '');
}
