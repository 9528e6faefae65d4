/**
 * Evidence files go through the platform's content-addressed file store
 * (src/core/files.ts, built on another branch). Until it lands, storing a file
 * is refused with a clear error.
 */
import type { Ctx, Tx } from '../../core/context.js';
import { E } from '../../core/errors.js';

export interface StoredFile {
  id: string | null;
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
}

export async function storeEvidenceFile(_tx: Tx, _ctx: Ctx, _file: { name: string; bytes: Buffer; path: string }): Promise<StoredFile> {
  throw E.UNAVAILABLE('The file store is not available yet');
}

export async function readEvidenceFile(_tx: Tx, _ctx: Ctx, _ref: { id: string | null; sha256: string }): Promise<Buffer> {
  throw E.UNAVAILABLE('The file store is not available yet');
}
