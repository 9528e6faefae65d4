import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, Client, expectProblem, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { multipartBody } from '../helpers/multipart.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe(`document versions as uploaded files (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let author: BuiltUser;
  let writer: Client;
  let boss: Client;
  let staff: Client;
  let outsider: Client;
  let docId: string;

  beforeAll(async () => {
    t = await testApp({ uploadLimit: 64 * 1024 });
    const org = await buildOrg(t.rt);
    const other = await buildOrg(t.rt);
    author = await buildUser(t.rt, org.id, ['isms_manager']);
    const approver = await buildUser(t.rt, org.id, ['org_admin']);
    const reader = await buildUser(t.rt, org.id, ['staff']);
    const stranger = await buildUser(t.rt, other.id, ['org_admin']);
    writer = new Client(t.app);
    boss = new Client(t.app);
    staff = new Client(t.app);
    outsider = new Client(t.app);
    for (const [cl, u] of [[writer, author], [boss, approver], [staff, reader], [outsider, stranger]] as const) {
      expect((await cl.login(u.email, u.password)).statusCode).toBe(200);
    }
  });
  afterAll(async () => t.close());

  it('an uploaded file goes through the same approval workflow and readers download it safely', async () => {
    const created = await writer.post('/api/documents', { title: 'Business continuity plan', kind: 'plan', classification: 'internal', ownerId: author.id });
    expect(created.statusCode, created.body).toBe(201);
    docId = created.json().id;

    // The client claims HTML; the content is a PDF, and that is what is recorded.
    const up = await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'BCP 2027 – final.pdf', content: PDF, type: 'text/html' }, { changeNote: 'signed scan' }));
    expect(up.statusCode, up.body).toBe(200);
    const file = { filename: 'BCP 2027 – final.pdf', size: PDF.length, mediaType: 'application/pdf', sha256: sha(PDF) };
    expect(up.json().latest).toMatchObject({ version: 1, status: 'draft', changeNote: 'signed scan', file });
    expect(up.json().content).toMatchObject({ version: 1, markdown: '', file });

    // Same workflow: the uploader is the author and cannot approve; a reader sees nothing before publication.
    expect((await staff.get(`/api/documents/${docId}/versions/1/file`)).json().code).toBe('DOCUMENT_NOT_FOUND');
    expect((await writer.post(`/api/documents/${docId}/transition`, { action: 'submit' })).json().latest.status).toBe('in_review');
    expect((await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'late.pdf', content: PDF }))).json().code).toBe('DOCUMENT_WRONG_STATE');
    expect((await writer.post(`/api/documents/${docId}/transition`, { action: 'approve' })).json().code).toBe('DOCUMENT_SELF_APPROVAL');
    expect((await boss.post(`/api/documents/${docId}/transition`, { action: 'approve' })).json().latest.status).toBe('approved');
    expect((await boss.post(`/api/documents/${docId}/transition`, { action: 'publish' })).json().publishedVersion).toBe(1);

    const seen = await staff.get(`/api/documents/${docId}`);
    expect(seen.json().content).toMatchObject({ version: 1, file });
    const dl = await staff.get(`/api/documents/${docId}/versions/1/file`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(PDF)).toBe(true);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="BCP 2027 _ final.pdf"; filename*=UTF-8''BCP%202027%20%E2%80%93%20final.pdf`);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(dl.headers.etag).toBe(`"${sha(PDF)}"`);

    const log = (await boss.get('/api/audit-log?action=documents.upload')).json().items;
    expect(log[0]).toMatchObject({ action: 'documents.upload', entityId: docId, details: { version: 1, sha256: sha(PDF), size: PDF.length, mediaType: 'application/pdf' } });
  });

  it('a new version starts from the file; readers cannot fetch the unpublished one; markdown replaces the file', async () => {
    const next = await writer.post(`/api/documents/${docId}/versions`, { changeNote: 'annual review' });
    expect(next.json().latest).toMatchObject({ version: 2, status: 'draft', file: { sha256: sha(PDF) } });
    expect((await staff.get(`/api/documents/${docId}/versions/2/file`)).json().code).toBe('DOCUMENT_VERSION_NOT_FOUND');
    expect((await writer.get(`/api/documents/${docId}/versions/2/file`)).statusCode).toBe(200);

    // An HTML upload is stored, but never served as HTML.
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const up = await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'plan.pdf', content: html, type: 'application/pdf' }));
    expect(up.json().latest.file).toMatchObject({ mediaType: 'text/html', filename: 'plan.pdf' });
    const dl = await writer.get(`/api/documents/${docId}/versions/2/file`);
    expect(dl.headers['content-type']).toBe('application/octet-stream');
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);

    const md = await writer.request('PUT', `/api/documents/${docId}/draft`, { content: '# Plan v2' });
    expect(md.json().latest.file).toBeNull();
    expect(md.json().content).toMatchObject({ version: 2, markdown: '# Plan v2', file: null });
    expectProblem(await writer.get(`/api/documents/${docId}/versions/2/file`), 404, 'DOCUMENT_VERSION_NOT_FOUND');
    // Version 1 is still the published file.
    expect((await staff.get(`/api/documents/${docId}/versions/1`)).json()).toMatchObject({ version: 1, markdown: '', file: { sha256: sha(PDF) } });
  });

  it("another org gets 404 on the file and on the upload; bad uploads name the problem and change nothing", async () => {
    expectProblem(await outsider.get(`/api/documents/${docId}/versions/1/file`), 404, 'DOCUMENT_NOT_FOUND');
    expectProblem(await outsider.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'x.pdf', content: PDF })), 404, 'DOCUMENT_NOT_FOUND');
    expectProblem(await staff.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'x.pdf', content: PDF })), 403, 'FORBIDDEN');

    const before = (await writer.get(`/api/documents/${docId}`)).json();
    expectProblem(await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'huge.pdf', content: Buffer.alloc(70 * 1024, 0x41) })), 413, 'FILE_TOO_LARGE');
    const unknown = expectProblem(await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'x.pdf', content: PDF }, { owner: 'me' })), 400, 'VALIDATION_FAILED');
    expect(unknown.errors).toEqual([{ path: 'body.owner', message: 'unknown field' }]);
    const noFile = expectProblem(await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'x.pdf', field: 'document', content: PDF })), 400, 'VALIDATION_FAILED');
    expect(noFile.errors![0]!.path).toBe('body.document');
    expectProblem(await writer.upload(`/api/documents/${docId}/draft/file`, multipartBody({ name: 'empty.pdf', content: '' })), 400, 'FILE_EMPTY');
    expectProblem(await writer.post(`/api/documents/${docId}/draft/file`, { file: 'base64...' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await writer.get(`/api/documents/${docId}`)).json()).toEqual(before);
  });
});
