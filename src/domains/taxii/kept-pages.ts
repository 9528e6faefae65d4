import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/connect.js';
import type { Tx } from '../../core/context.js';
import { FreshRuns } from '../../core/fresh-runs.js';

/**
 * TAXII object pages kept between identical requests (a client re-reading a
 * collection, every bank's client pulling the community collection).
 *
 * A page is kept with the mark of the snapshot it was read in
 * (intel_change_mark, migration 0327). Before a kept page is served, one
 * statement, started after the request came in, asks the database whether a
 * transaction that wrote intel (stix_objects, sharing groups or their
 * membership) committed since that snapshot (intel_change_check); if one
 * did, the page is read again. So a kept page is always what a fresh read
 * would answer during the request, whichever server process or tool made
 * the write. Concurrent requests share checks (FreshRuns; a page found
 * current takes the check's newer mark, so hot pages converge on one mark
 * and one check serves them all) and a page's read in flight.
 *
 * The key holds everything the page depends on besides the database: the
 * collection, the filter, and the reader (org and user: row-level security
 * decides per reader), except for collections that read the same for every
 * reader (community, public). Access is checked on every request before the
 * key is looked up; nothing here decides who may read what.
 */
export interface KeptPage {
  body: Buffer;
  count: number;
  more: boolean;
  first?: string | undefined;
  last?: string | undefined;
}

/** A database snapshot and log epoch (PostgreSQL), or a count of intel commits seen (PGlite). */
interface Mark {
  snap: string;
  epoch: string;
}
type AnyMark = Mark | { commits: number };

interface Entry extends KeptPage {
  mark: AnyMark;
}

/** What a kept page stands for; `reader` is null when the collection reads the same for everyone. */
export interface PageKey {
  collection: string;
  reader: { orgId: string; userId: string | null } | null;
  request: unknown;
}

export class KeptPages {
  readonly #lru: LRUCache<string, Entry> | null;
  /** Reads of a page in flight, by key: a request that finds one waits for it, then checks it like a kept page. */
  readonly #reads = new Map<string, Promise<unknown>>();
  readonly #checks = new FreshRuns<string, Mark & { changed: boolean }>();
  /** PGlite: intel commits seen by this process, once it listens (see constructor). */
  #commits = 0;
  readonly #listening: Promise<void> | null = null;
  /** Served from memory / read from the database; for tests and logs. */
  readonly counts = { kept: 0, read: 0 };

  /**
   * On PGlite this process owns the only connection, so every intel commit
   * notifies it (pg_notify in the change-log trigger, delivered before the
   * COMMIT returns): a page is current while that count has not moved, and
   * no query is needed. On PostgreSQL other processes write too, and a kept
   * page is checked in the database.
   */
  constructor(maxBytes: number, db: Database) {
    this.#lru = maxBytes > 0 ? new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (e, k) => e.body.length + k.length + 256 }) : null;
    if (this.#lru && db.onCommitNotify) this.#listening = db.onCommitNotify('muhafiz_intel_changes', () => void this.#commits++);
  }

  /**
   * The page for `key`: the kept one if no intel write committed since it
   * was read, else `read` runs (in its own transaction, with `mark` as its
   * first statement) and its page is kept.
   */
  async get(db: Database, key: PageKey, read: (mark: (tx: Tx) => Promise<void>) => Promise<KeptPage>): Promise<KeptPage> {
    if (!this.#lru) {
      this.counts.read++;
      return read(async () => {});
    }
    if (this.#listening) await this.#listening;
    const k = JSON.stringify([key.collection, key.reader?.orgId ?? null, key.reader?.userId ?? null, key.request]);
    for (let joined = false; ; joined = true) {
      const kept = this.#lru.get(k);
      if (kept) {
        if ('commits' in kept.mark) {
          if (kept.mark.commits === this.#commits) {
            this.counts.kept++;
            return kept;
          }
        } else {
          const now = await this.#check(db, kept.mark);
          if (!now.changed) {
            kept.mark = { snap: now.snap, epoch: now.epoch };
            this.counts.kept++;
            return kept;
          }
        }
        if (this.#lru.get(k) === kept) this.#lru.delete(k);
      }
      const inFlight = this.#reads.get(k);
      if (!inFlight || joined) return this.#read(k, read);
      await inFlight.catch(() => {});
    }
  }

  /** Whether anything changed since `mark`, from a check that started after this call (FreshRuns). */
  #check(db: Database, mark: Mark): Promise<Mark & { changed: boolean }> {
    return this.#checks.run(`${mark.epoch}/${mark.snap}`, async () => {
      const { rows } = await sql<Mark & { changed: boolean }>`select changed, snap, epoch::text as epoch from intel_change_check(${mark.snap}, ${mark.epoch}::bigint)`.execute(db.kysely);
      return rows[0]!;
    });
  }

  async #read(k: string, read: (mark: (tx: Tx) => Promise<void>) => Promise<KeptPage>): Promise<KeptPage> {
    let mark: AnyMark | undefined;
    const p = read(async (tx) => {
      // The read holds the connection (PGlite's only one) from here on: commits counted now are all it can see.
      if (this.#listening) mark = { commits: this.#commits };
      else mark = (await sql<Mark>`select snap, epoch::text as epoch from intel_change_mark()`.execute(tx)).rows[0]!;
    });
    this.#reads.set(k, p);
    try {
      const page = await p;
      this.counts.read++;
      if (mark) this.#lru!.set(k, { ...page, mark });
      return page;
    } finally {
      if (this.#reads.get(k) === p) this.#reads.delete(k);
    }
  }
}
