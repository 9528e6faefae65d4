import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { defineErrors } from './errors.js';
import { newId } from './ids.js';
import type { Tx } from './context.js';

/**
 * Content-addressed file store: evidence, uploaded document versions and
 * incident attachments are kept once per distinct content, named by the
 * sha256 of their bytes (integrity is provable: re-hash and compare; dedup is
 * free: the same bytes land on the same name). The store knows nothing about
 * who may read a file: a file is served only through the domain object that
 * refers to it (an evidence item, a document version, an incident), so access
 * is decided there. One interface, so an S3-compatible driver can be added
 * later; today only the disk driver exists (docs/configuration.md).
 */

export const FileErrors = defineErrors({
  FILE_TOO_LARGE: { status: 413, message: 'The file is larger than the upload limit' },
  FILE_EMPTY: { status: 400, message: 'The file is empty' },
  FILE_NOT_FOUND: { status: 404, message: 'File not found' },
  FILE_MISSING_FROM_STORE: { status: 500, message: 'The file is recorded but its content is missing from the store' },
});

export interface StoredFile {
  sha256: string;
  size: number;
}

export interface PutOptions {
  /** Largest accepted size in bytes; the store's own limit when omitted. The write stops at the first byte over it. */
  limit?: number;
}

export interface FileStore {
  readonly driver: 'disk';
  /** The largest file `put` accepts unless told otherwise. */
  readonly limit: number;
  /** Stores the bytes and answers their sha256 and size; storing the same bytes again is a no-op. */
  put(input: Buffer | Uint8Array | AsyncIterable<Uint8Array | Buffer | string>, opts?: PutOptions): Promise<StoredFile>;
  /** A stream of the stored bytes; FILE_NOT_FOUND when the store has no such content. */
  open(sha256: string): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  /** The first `bytes` bytes (for type sniffing). */
  head(sha256: string, bytes?: number): Promise<Buffer>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

/** Folder, under MUHAFIZ_DATA_DIR, that holds the store (and that backups carry). */
export const FILES_DIR = 'files';
/** Folder, inside files/, where uploads are written before they are named; backups skip it. */
export const FILES_INCOMING = '.incoming';

/**
 * Disk driver: `<data dir>/files/<2 hex>/<2 hex>/<sha256>`. A write goes to a
 * temp file under files/.incoming (same file system, so the final rename is
 * atomic), is hashed and counted while it streams, fsynced, then renamed into
 * place and its folder fsynced; a crash leaves at most a temp file, never a
 * half-written content file under a valid name.
 */
export class DiskFileStore implements FileStore {
  readonly driver = 'disk' as const;
  readonly root: string;
  constructor(
    dataDir: string,
    readonly limit: number,
  ) {
    this.root = join(dataDir, FILES_DIR);
  }

  pathOf(sha256: string): string {
    if (!isSha256(sha256)) throw FileErrors.FILE_NOT_FOUND();
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(input: Buffer | Uint8Array | AsyncIterable<Uint8Array | Buffer | string>, opts: PutOptions = {}): Promise<StoredFile> {
    const limit = opts.limit ?? this.limit;
    const incoming = join(this.root, FILES_INCOMING);
    await mkdir(incoming, { recursive: true });
    const temp = join(incoming, `${newId()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(temp, 'wx', 0o600);
    let closed = false;
    try {
      const chunks: Iterable<Uint8Array | Buffer | string> | AsyncIterable<Uint8Array | Buffer | string> = input instanceof Uint8Array ? [input] : input;
      for await (const raw of chunks) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        size += chunk.byteLength;
        if (size > limit) {
          // Stop reading: the rest of an oversized upload never reaches the disk.
          if (!(input instanceof Uint8Array) && typeof (input as Readable).destroy === 'function') (input as Readable).destroy();
          throw FileErrors.FILE_TOO_LARGE(`The file is larger than the upload limit of ${limit} bytes`);
        }
        hash.update(chunk);
        let off = 0;
        while (off < chunk.byteLength) off += (await fh.write(chunk, off, chunk.byteLength - off)).bytesWritten;
      }
      if (size === 0) throw FileErrors.FILE_EMPTY();
      await fh.sync();
      await fh.close();
      closed = true;
      const sha256 = hash.digest('hex');
      const final = this.pathOf(sha256);
      if (existsSync(final)) {
        await rm(temp, { force: true });
        // Freshen it: a store check removes only orphans older than its grace period (core/files-check.ts).
        const now = new Date();
        await utimes(final, now, now).catch(() => undefined);
        return { sha256, size };
      }
      const dir = join(this.root, sha256.slice(0, 2), sha256.slice(2, 4));
      await mkdir(dir, { recursive: true });
      await rename(temp, final);
      await fsyncDir(dir);
      return { sha256, size };
    } catch (err) {
      if (!closed) await fh.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
  }

  async open(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    // Opened before returning, so a missing file is an error here and not a broken response.
    const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw FileErrors.FILE_MISSING_FROM_STORE();
      throw err;
    });
    return fh.createReadStream();
  }

  async exists(sha256: string): Promise<boolean> {
    if (!isSha256(sha256)) return false;
    return stat(this.pathOf(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async head(sha256: string, bytes = 8192): Promise<Buffer> {
    const fh = await open(this.pathOf(sha256), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw FileErrors.FILE_MISSING_FROM_STORE();
      throw err;
    });
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

export function diskFileStore(dataDir: string, limit: number): FileStore {
  return new DiskFileStore(dataDir, limit);
}

// ---------------------------------------------------------------- type sniffing

/** Bytes read from the start of a file to decide its type (enough for zip-based office formats). */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The media type decided from the content, never from the client's
 * Content-Type or the file name. Binary formats come from `file-type`'s
 * signature table (including zip containers such as DOCX/XLSX/ODT); text is
 * checked here for markup a browser would run (HTML, SVG, XML), which
 * `file-type` leaves undetected.
 */
export async function sniffMediaType(head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head).catch(() => undefined);
  if (detected && detected.mime !== 'application/xml') return detected.mime;
  return sniffText(head) ?? detected?.mime ?? 'application/octet-stream';
}

function sniffText(head: Buffer): string | undefined {
  if (head.includes(0)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
  } catch {
    return undefined;
  }
  const start = text.replace(/^\uFEFF/, '').trimStart().slice(0, 1024).toLowerCase();
  if (/<svg[\s>]/.test(text.slice(0, 4096).toLowerCase())) return 'image/svg+xml';
  if (/^<!doctype html|^<html|^<head|^<body|^<script|^<iframe|^<!--/.test(start) || /<script[\s>]/.test(text.slice(0, 4096).toLowerCase())) return 'text/html';
  if (start.startsWith('<?xml')) return 'application/xml';
  return 'text/plain';
}

/** Drops an incomplete multi-byte sequence at the end of a sample cut mid-character. */
function trimPartialUtf8(buf: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= buf.length; back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? buf.subarray(0, buf.length - back) : buf;
    }
    return buf;
  }
  return buf;
}

/**
 * Types served under their own Content-Type. Everything else (HTML, SVG, XML,
 * executables, archives of unknown content...) is served as
 * application/octet-stream. All files are served as attachments, never inline.
 */
export const SERVABLE_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'application/zip',
  'application/gzip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/msword',
  'application/vnd.ms-excel',
  'application/x-cfb',
  'message/rfc822',
]);

/** The Content-Type a stored file is served with. */
export function servedContentType(mediaType: string): string {
  if (!SERVABLE_TYPES.has(mediaType)) return 'application/octet-stream';
  return mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : mediaType;
}

// ---------------------------------------------------------------- names

/**
 * A client-supplied file name made safe to store and show: the last path
 * segment only, no control or bidi-override characters, at most 200
 * characters; 'file' when nothing is left.
 */
export function sanitizeFilename(name: string | undefined | null): string {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/["<>:|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  const short = [...cleaned].slice(0, 200).join('');
  return short || 'file';
}

/** RFC 6266 Content-Disposition: an ASCII fallback `filename` and the exact name as RFC 8187 `filename*`. */
export function contentDisposition(filename: string): string {
  const safe = sanitizeFilename(filename);
  const ascii = safe.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// ---------------------------------------------------------------- the files table

/** One upload recorded for an org (the bytes live in the store under sha256). */
export interface FileRecord {
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string;
  uploadedBy: string | null;
  createdAt: string;
}

export interface FilesTable {
  org_id: string;
  id: string;
  sha256: string;
  size: string | number;
  media_type: string;
  filename: string;
  uploaded_by: string | null;
  created_at: Date;
}

declare module '../db/types.js' {
  interface DB {
    files: FilesTable;
  }
}

function toRecord(r: FilesTable): FileRecord {
  return { id: r.id, sha256: r.sha256, size: Number(r.size), mediaType: r.media_type, filename: r.filename, uploadedBy: r.uploaded_by, createdAt: r.created_at.toISOString() };
}

/**
 * Records an upload already in the store for the acting org (inside the
 * caller's transaction, so the owning domain object and its audit record
 * commit together with it). The media type is sniffed from the stored bytes.
 */
export async function recordUpload(
  tx: Tx | Kysely<DB>,
  store: FileStore,
  input: { orgId: string; stored: StoredFile; filename: string | undefined; uploadedBy: string | null; now: Date },
): Promise<FileRecord> {
  const mediaType = await sniffMediaType(await store.head(input.stored.sha256, SNIFF_BYTES));
  const row: FilesTable = {
    org_id: input.orgId,
    id: newId(),
    sha256: input.stored.sha256,
    size: input.stored.size,
    media_type: mediaType,
    filename: sanitizeFilename(input.filename),
    uploaded_by: input.uploadedBy,
    created_at: input.now,
  };
  await tx.insertInto('files').values(row).execute();
  return toRecord(row);
}

/** An upload record of the acting org (RLS keeps other orgs' out); FILE_NOT_FOUND otherwise. */
export async function getFileRecord(tx: Tx | Kysely<DB>, orgId: string, id: string): Promise<FileRecord> {
  const row = await tx.selectFrom('files').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw FileErrors.FILE_NOT_FOUND();
  return toRecord(row);
}
