import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../src/backup/backup.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { inTx } from '../../src/core/context.js';
import { DiskFileStore, FILES_INCOMING, getFileRecord, recordUpload, type FileRecord } from '../../src/core/files.js';
import { connect } from '../../src/db/connect.js';
import { receiveUpload, sendStoredFile } from '../../src/server/files.js';
import { problemHandler } from '../../src/server/problem.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { RestoreTargets } from '../helpers/restore-targets.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { multipartBody } from '../helpers/multipart.js';

describe(`content-addressed file store (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  const targets = new RestoreTargets(() => dir);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-files-int-'));
    t = await testApp({ dataDir: join(dir, 'data'), uploadLimit: 4096 });
  });
  afterAll(async () => {
    await t.close();
    await targets.dropAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('records an upload per org with a sniffed type and sanitised name; another org cannot see the record', async () => {
    const bank = await buildOrg(t.rt);
    const other = await buildOrg(t.rt);
    const user = await buildUser(t.rt, bank.id, ['isms_manager']);
    const outsider = await buildUser(t.rt, other.id, ['isms_manager']);
    const ctx = actingAs(t.rt, user, bank, ['isms_manager']);
    const stored = await t.rt.files.put(Buffer.from('%PDF-1.4\n% a policy\n'));
    const rec = await inTx(ctx, (tx) => recordUpload(tx, t.rt.files, { orgId: bank.id, stored, filename: '../../Policy.pdf.html', uploadedBy: user.id, now: t.clock.now() }));
    expect(rec).toMatchObject({ sha256: stored.sha256, size: stored.size, mediaType: 'application/pdf', filename: 'Policy.pdf.html', uploadedBy: user.id });
    expect(await inTx(ctx, (tx) => getFileRecord(tx, bank.id, rec.id))).toEqual(rec);
    // Row-level security: the other org asking for this id (even naming the bank's org) finds nothing.
    const otherCtx = actingAs(t.rt, outsider, other, ['isms_manager']);
    await expect(inTx(otherCtx, (tx) => getFileRecord(tx, bank.id, rec.id))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    // The app role cannot change or delete an upload record.
    await expect(inTx(ctx, (tx) => tx.updateTable('files').set({ filename: 'x' }).where('id', '=', rec.id).execute())).rejects.toThrow(/permission denied/);
  });

  it('a stored file survives backup and restore at the same content address (uploads in flight are not carried)', async () => {
    const bank = await buildOrg(t.rt);
    const user = await buildUser(t.rt, bank.id, ['isms_manager']);
    const ctx = actingAs(t.rt, user, bank, ['isms_manager']);
    const bytes = Buffer.from(`evidence for A.8.7 ${TEST_DRIVER}\n`);
    const stored = await t.rt.files.put(bytes);
    await inTx(ctx, (tx) => recordUpload(tx, t.rt.files, { orgId: bank.id, stored, filename: 'scan.txt', uploadedBy: user.id, now: t.clock.now() }));
    // A half-written upload sits in files/.incoming: not part of the store.
    await mkdir(join(t.rt.config.dataDir, 'files', FILES_INCOMING), { recursive: true });
    await writeFile(join(t.rt.config.dataDir, 'files', FILES_INCOMING, 'half.part'), 'half');

    const file = join(dir, 'backup.tar.gz');
    const sourceDataDir = t.rt.config.dataDir;
    const manifest = await createBackup(t.rt.db, { file, dataDir: sourceDataDir, includeSecretKey: false, clock: t.clock });
    const storedFiles = await readdir(join(sourceDataDir, 'files'), { recursive: true, withFileTypes: true });
    const contentFiles = storedFiles.filter((e) => e.isFile() && !e.parentPath.includes(FILES_INCOMING));
    expect(manifest.files.count).toBe(contentFiles.length);
    expect(manifest.tables.files).toBeGreaterThanOrEqual(1);

    const target = await targets.fresh('files');
    const result = await restoreBackup({ file, ...target });
    expect(result.files).toBe(contentFiles.length);
    const restoredStore = new DiskFileStore(target.dataDir, 4096);
    expect(await restoredStore.exists(stored.sha256)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const c of await restoredStore.open(stored.sha256)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(await readFile(join(target.dataDir, 'files', stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256))).toEqual(bytes);
    await expect(readFile(join(target.dataDir, 'files', FILES_INCOMING, 'half.part'))).rejects.toThrow(/ENOENT/);

    const restored = await connect(target.databaseUrl ? { databaseUrl: target.databaseUrl, poolSize: 2 } : { dataDir: target.dataDir });
    try {
      const rows = await restored.kysely.selectFrom('files').select(['sha256', 'filename']).where('org_id', '=', bank.id).execute();
      expect(rows).toEqual([{ sha256: stored.sha256, filename: 'scan.txt' }]);
    } finally {
      await restored.close();
    }
  });

  it('refuses multipart bodies on routes that do not take uploads', async () => {
    const bank = await buildOrg(t.rt);
    const user = await buildUser(t.rt, bank.id, ['isms_manager']);
    const c = new Client(t.app);
    await c.login(user.email, user.password);
    const body = multipartBody({ name: 'x.txt', content: 'hello' });
    const res = await t.app.inject({ method: 'POST', url: '/api/documents', payload: body.payload, headers: { ...body.headers, cookie: `mfz_session=${c.cookie}`, 'x-csrf-token': c.csrf! }, remoteAddress: c.ip });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('upload and download route helpers', () => {
  let app: FastifyInstance;
  let dir: string;
  let store: DiskFileStore;
  const served = new Map<string, FileRecord>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-files-http-'));
    store = new DiskFileStore(dir, 2048);
    app = Fastify();
    app.setErrorHandler(problemHandler);
    await app.register(multipart);
    app.post('/up', { config: { upload: true } }, async (req) => {
      const up = await receiveUpload(req, store, { fields: ['note'] });
      const rec: FileRecord = { id: up.stored.sha256, ...up.stored, mediaType: 'text/html', filename: up.filename, uploadedBy: null, createdAt: '' };
      served.set(rec.id, rec);
      return { ...up.stored, filename: up.filename, fields: up.fields };
    });
    app.get('/down/:id', async (req, reply) => {
      const rec = served.get((req.params as { id: string }).id);
      if (!rec) return reply.status(404).send();
      return sendStoredFile(req, reply, store, rec);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams one file part into the store and keeps declared fields', async () => {
    const body = multipartBody({ name: 'page.html', content: '<html><script>alert(1)</script></html>', type: 'application/pdf' }, { note: 'v2' });
    const res = await app.inject({ method: 'POST', url: '/up', ...body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ size: 38, filename: 'page.html', fields: { note: 'v2' } });

    const down = await app.inject({ method: 'GET', url: `/down/${res.json().sha256}` });
    expect(down.statusCode).toBe(200);
    expect(down.body).toBe('<html><script>alert(1)</script></html>');
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(down.headers['content-disposition']).toBe(`attachment; filename="page.html"; filename*=UTF-8''page.html`);
    expect(down.headers['x-content-type-options']).toBe('nosniff');
    expect(down.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(down.headers.etag).toBe(`"${res.json().sha256}"`);
    const again = await app.inject({ method: 'GET', url: `/down/${res.json().sha256}`, headers: { 'if-none-match': `"${res.json().sha256}"` } });
    expect(again.statusCode).toBe(304);
  });

  it('names the problem: no file, unknown field, too large', async () => {
    const none = await app.inject({ method: 'POST', url: '/up', ...multipartBody({ name: 'a.txt', field: 'attachment', content: 'x' }) });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors).toEqual([{ path: 'body.attachment', message: 'unexpected file part; send the file as "file"' }]);
    const extra = await app.inject({ method: 'POST', url: '/up', ...multipartBody({ name: 'a.txt', content: 'x' }, { owner: 'me' }) });
    expect(extra.json().errors).toEqual([{ path: 'body.owner', message: 'unknown field' }]);
    const big = await app.inject({ method: 'POST', url: '/up', ...multipartBody({ name: 'big.bin', content: Buffer.alloc(5000, 1) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('FILE_TOO_LARGE');
    const json = await app.inject({ method: 'POST', url: '/up', payload: { a: 1 } });
    expect(json.statusCode).toBe(415);
  });
});
