import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../db/connect.js';
import { FILES_INCOMING, isSha256, type DiskFileStore } from './files.js';

/**
 * Checks the content-addressed store against the database: content a record
 * points at but the store lacks (lost), content whose bytes no longer hash to
 * its name (corrupted or tampered with, with --verify), and content no record
 * points at (an upload whose transaction failed after the bytes were stored).
 *
 * Unreferenced content is removed only when asked and only when older than a
 * grace period, as `git prune` does with loose objects: an upload stores its
 * bytes before its transaction commits, and storing bytes that are already
 * there freshens their modification time (DiskFileStore.put), so content that
 * an upload in flight relies on is never old enough to go. Each candidate is
 * stat'ed again just before it is removed.
 */
export interface StoreCheck {
  /** Content files in the store, and their bytes. */
  stored: number;
  bytes: number;
  /** Distinct sha256 values the `files` table records (all orgs). */
  referenced: number;
  /** Recorded but absent from the store, with how many upload records point at each. */
  missing: Array<{ sha256: string; records: number }>;
  /** Stored under a name its bytes do not hash to (only with `verify`). */
  corrupt: string[];
  verified: boolean;
  /** Stored but recorded nowhere. */
  orphans: Array<{ sha256: string; size: number; modifiedAt: string }>;
  /** Orphans removed (older than the grace period), and their bytes. */
  removed: number;
  removedBytes: number;
  /** Temp files of interrupted uploads older than the grace period, removed with the orphans. */
  staleIncoming: number;
}

export interface StoreCheckOptions {
  now: Date;
  /** Re-hash every stored file (reads the whole store). */
  verify?: boolean;
  /** Remove orphans and stale temp files older than `graceMs`. */
  removeOrphans?: boolean;
  graceMs?: number;
}

export const DEFAULT_GRACE_MS = 24 * 3600 * 1000;

async function* storedFiles(root: string): AsyncGenerator<{ sha256: string; path: string }> {
  const level = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name));
  for (const a of await level(root)) {
    for (const b of await level(join(root, a.name))) {
      const dir = join(root, a.name, b.name);
      for (const f of await readdir(dir, { withFileTypes: true })) {
        if (f.isFile() && isSha256(f.name) && f.name.startsWith(a.name + b.name)) yield { sha256: f.name, path: join(dir, f.name) };
      }
    }
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The sha256 values every org's upload records point at, read as the system role (all tenants). */
async function recordedHashes(db: Database): Promise<Map<string, number>> {
  const rows = await db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return tx.selectFrom('files').select(['sha256', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('sha256').execute();
  });
  return new Map(rows.map((r) => [r.sha256, Number(r.n)]));
}

export async function checkFileStore(db: Database, store: DiskFileStore, opts: StoreCheckOptions): Promise<StoreCheck> {
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const cutoff = opts.now.getTime() - grace;
  // Records first: content stored after this read is newer than the cutoff anyway.
  const recorded = await recordedHashes(db);
  const out: StoreCheck = { stored: 0, bytes: 0, referenced: recorded.size, missing: [], corrupt: [], verified: Boolean(opts.verify), orphans: [], removed: 0, removedBytes: 0, staleIncoming: 0 };
  const seen = new Set<string>();
  for await (const f of storedFiles(store.root)) {
    const st = await stat(f.path).catch(() => null);
    if (!st) continue;
    seen.add(f.sha256);
    out.stored++;
    out.bytes += st.size;
    if (opts.verify && (await sha256Of(f.path)) !== f.sha256) out.corrupt.push(f.sha256);
    if (recorded.has(f.sha256)) continue;
    out.orphans.push({ sha256: f.sha256, size: st.size, modifiedAt: st.mtime.toISOString() });
    if (opts.removeOrphans && st.mtimeMs < cutoff) {
      const again = await stat(f.path).catch(() => null);
      if (again && again.mtimeMs < cutoff) {
        await rm(f.path, { force: true });
        out.removed++;
        out.removedBytes += again.size;
      }
    }
  }
  for (const [sha256, records] of recorded) if (!seen.has(sha256)) out.missing.push({ sha256, records });
  if (opts.removeOrphans) {
    const incoming = join(store.root, FILES_INCOMING);
    for (const name of await readdir(incoming).catch(() => [] as string[])) {
      const st = await stat(join(incoming, name)).catch(() => null);
      if (st?.isFile() && st.mtimeMs < cutoff) {
        await rm(join(incoming, name), { force: true });
        out.staleIncoming++;
      }
    }
  }
  return out;
}
