import type { FastifyReply, FastifyRequest } from 'fastify';
import { E, invalid } from '../core/errors.js';
import { contentDisposition, FileErrors, servedContentType, type FileStore, type StoredFile } from '../core/files.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts a multipart/form-data upload (read with `receiveUpload`); every other route refuses multipart bodies. */
    upload?: boolean;
  }
}

/** A file received by `receiveUpload`: already in the store, not yet recorded for any object. */
export interface Upload {
  stored: StoredFile;
  /** The name the client gave (unsanitised; `recordUpload` sanitises it). */
  filename: string;
  /** The small text fields sent with it (e.g. a change note). */
  fields: Record<string, string>;
}

/** Room for the multipart framing and the text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Reads a multipart/form-data request with exactly one file part named
 * `file` (plus small text fields) and streams the file into the store, which
 * hashes it and stops at the upload limit without buffering it in memory.
 * The route must declare `config: { upload: true }`. The caller records the
 * upload for its own object (recordUpload) inside its service transaction.
 */
export async function receiveUpload(req: FastifyRequest, store: FileStore, opts: { fields?: readonly string[] } = {}): Promise<Upload> {
  if (!req.isMultipart()) throw E.UNSUPPORTED_MEDIA_TYPE('Send the file as multipart/form-data with a part named "file"');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > store.limit + MULTIPART_OVERHEAD) {
    throw FileErrors.FILE_TOO_LARGE(`The file is larger than the upload limit of ${store.limit} bytes`);
  }
  const allowed = new Set(opts.fields ?? []);
  const fields: Record<string, string> = {};
  let upload: { stored: StoredFile; filename: string } | undefined;
  for await (const part of req.parts({ limits: { files: 1, fields: allowed.size + 1, fieldSize: 8192, fileSize: store.limit + 1 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw invalid(`body.${part.fieldname}`, 'unexpected file part; send the file as "file"');
      }
      upload = { stored: await store.put(part.file), filename: part.filename };
    } else {
      if (!allowed.has(part.fieldname)) throw invalid(`body.${part.fieldname}`, 'unknown field');
      fields[part.fieldname] = String(part.value);
    }
  }
  if (!upload) throw invalid('body.file', 'required: send the file as a multipart part named "file"');
  return { ...upload, fields };
}

/** What `sendStoredFile` needs to know about a file (from the owning domain's row). */
export interface ServedFile {
  sha256: string;
  size: number;
  mediaType: string;
  filename: string;
}

/**
 * Sends a stored file safely: always as an attachment (RFC 6266 name), with
 * a Content-Type from the allowlist (else application/octet-stream), nosniff,
 * and a sandboxing CSP so that even a file opened directly cannot run script.
 * ETag is the sha256, so an unchanged file answers 304. Call it only after the
 * owning domain has found the object the file belongs to (that read is what
 * makes another tenant's file a 404).
 */
export async function sendStoredFile(req: FastifyRequest, reply: FastifyReply, store: FileStore, file: ServedFile): Promise<FastifyReply> {
  const etag = `"${file.sha256}"`;
  void reply
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('content-disposition', contentDisposition(file.filename))
    .header('cross-origin-resource-policy', 'same-origin');
  const match = req.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
  const stream = await store.open(file.sha256);
  return reply.type(servedContentType(file.mediaType)).header('content-length', String(file.size)).send(stream);
}
