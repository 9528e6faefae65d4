import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { contentDisposition, DiskFileStore, FILES_INCOMING, sanitizeFilename, servedContentType, sniffMediaType } from './files.js';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('DiskFileStore', () => {
  let dir: string;
  let store: DiskFileStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-files-'));
    store = new DiskFileStore(dir, 1024);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('names content by its sha256 under files/<2 hex>/<2 hex>/ and reads it back', async () => {
    const bytes = Buffer.from('signed access-control policy v3\n');
    const got = await store.put(bytes);
    expect(got).toEqual({ sha256: hex(bytes), size: bytes.length });
    const path = join(dir, 'files', got.sha256.slice(0, 2), got.sha256.slice(2, 4), got.sha256);
    expect(await readFile(path)).toEqual(bytes);
    expect(await store.exists(got.sha256)).toBe(true);
    expect(await text(await store.open(got.sha256))).toEqual(bytes);
    expect((await store.head(got.sha256, 6)).toString()).toBe('signed');
  });

  it('hashes a stream chunk by chunk and stores the same content only once', async () => {
    const parts = ['evidence ', 'in ', 'three chunks'];
    const a = await store.put(Readable.from(parts.map((p) => Buffer.from(p))));
    const b = await store.put(Buffer.from(parts.join('')));
    expect(a).toEqual(b);
    expect(a.sha256).toBe(hex(parts.join('')));
    const shard = join(dir, 'files', a.sha256.slice(0, 2), a.sha256.slice(2, 4));
    expect(await readdir(shard)).toEqual([a.sha256]);
    expect(await readdir(join(dir, 'files', FILES_INCOMING))).toEqual([]);
  });

  it('refuses an oversized upload while it streams: stops reading, leaves nothing behind', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield Buffer.alloc(256, 7);
      }
    }
    const err = await store.put(endless()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('FILE_TOO_LARGE');
    expect((err as AppError).status).toBe(413);
    // 1024 bytes fit in four chunks; the fifth is refused and nothing more is read.
    expect(pulled).toBe(5);
    expect(await readdir(join(dir, 'files', FILES_INCOMING))).toEqual([]);
    expect(await store.put(Buffer.alloc(1024, 1))).toMatchObject({ size: 1024 });
    expect(await store.put(Buffer.alloc(2000, 1), { limit: 4096 })).toMatchObject({ size: 2000 });
  });

  it('is atomic: a failing source leaves no file under any sha256 name and no temp file', async () => {
    async function* broken() {
      yield Buffer.from('half of a file');
      throw new Error('connection reset');
    }
    const before = await store.put(Buffer.from('x')).then(() => listAll(join(dir, 'files')));
    await expect(store.put(broken())).rejects.toThrow('connection reset');
    expect(await listAll(join(dir, 'files'))).toEqual(before);
    expect(await store.exists(hex('half of a file'))).toBe(false);
  });

  it('refuses empty files, and answers not found for unknown or malformed names', async () => {
    await expect(store.put(Buffer.alloc(0))).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    expect(await store.exists('0'.repeat(64))).toBe(false);
    expect(await store.exists('../../etc/passwd')).toBe(false);
    await expect(store.open('0'.repeat(64))).rejects.toMatchObject({ code: 'FILE_MISSING_FROM_STORE' });
    await expect(store.open('../secret.key')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('writes files readable only by the owner', async () => {
    const got = await store.put(Buffer.from('private'));
    const st = await stat(join(dir, 'files', got.sha256.slice(0, 2), got.sha256.slice(2, 4), got.sha256));
    expect(st.mode & 0o077).toBe(0);
  });
});

async function listAll(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  return (await readdir(root, { recursive: true })).map(String).sort();
}

describe('type sniffing and safe serving', () => {
  it('decides the type from the bytes, not the name', async () => {
    expect(await sniffMediaType(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).toBe('application/pdf');
    expect(await sniffMediaType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBe('image/png');
    expect(await sniffMediaType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'))).toBe('application/x-msdownload');
    expect(await sniffMediaType(Buffer.from('plain notes, ünïcode ok\n'))).toBe('text/plain');
    expect(await sniffMediaType(Buffer.from('<!DOCTYPE html><html><script>alert(1)</script>'))).toBe('text/html');
    expect(await sniffMediaType(Buffer.from('hello <script>alert(1)</script>'))).toBe('text/html');
    expect(await sniffMediaType(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toBe('image/svg+xml');
    expect(await sniffMediaType(Buffer.from([0, 1, 2, 3, 250, 251]))).toBe('application/octet-stream');
  });

  it('recognises office documents inside their zip container', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Assets').addRow(['name', 'owner']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await sniffMediaType(xlsx.subarray(0, 64 * 1024))).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('serves only allowlisted types under their own name', () => {
    expect(servedContentType('application/pdf')).toBe('application/pdf');
    expect(servedContentType('text/plain')).toBe('text/plain; charset=utf-8');
    for (const t of ['text/html', 'image/svg+xml', 'application/xml', 'application/x-msdownload', 'application/javascript']) {
      expect(servedContentType(t)).toBe('application/octet-stream');
    }
  });

  it('sanitises names and writes RFC 6266 dispositions', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\x\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('evil\u202Efdp.exe')).toBe('evilfdp.exe');
    expect(sanitizeFilename('a"b\r\n.txt')).toBe('a_b.txt');
    expect(sanitizeFilename('...')).toBe('file');
    expect(sanitizeFilename(undefined)).toBe('file');
    expect(contentDisposition('Politika üç.pdf')).toBe(`attachment; filename="Politika uc.pdf"; filename*=UTF-8''Politika%20%C3%BC%C3%A7.pdf`);
    expect(contentDisposition('50% "final".pdf')).toBe(`attachment; filename="50_ _final_.pdf"; filename*=UTF-8''50%25%20_final_.pdf`);
  });
});
