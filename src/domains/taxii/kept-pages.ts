import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/connect.js';
import type { Tx } from '../../core/context.js';
import { changeWatch, type ChangeMark, type ChangeWatch } from '../../core/change-watch.js';

/**
 * TAXII object pages kept between identical requests (a client re-reading a
 * collection, every bank's client pulling the community collection).
 *
 * A page is kept with the mark of the snapshot it was read in, and served
 * again only if no transaction that wrote intel (stix_objects, sharing
 * groups or their membership: topic `intel` of the change log, migrations
 * 0080 and 0327) has committed since, as judged by a check that started
 * after the request came in (src/core/change-watch.ts: one query shared by
 * concurrent requests on PostgreSQL, none on PGlite). So a kept page is
 * always what a fresh read would answer during the request, whichever
 * server process or tool made the write. Concurrent requests for a page
 * being read wait for that read, then check it like a kept page.
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

interface Entry extends KeptPage {
  mark: ChangeMark;
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
  /** Served from memory / read from the database; for tests and logs. */
  readonly counts = { kept: 0, read: 0 };

  constructor(maxBytes: number) {
    this.#lru = maxBytes > 0 ? new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (e, k) => e.body.length + k.length + 256 }) : null;
  }

  /**
   * The page for `key`: the kept one if no intel write committed since it
   * was read (judged by a check that started after `arrival`, the
   * request's), else `read` runs (in its own transaction, with `mark` as
   * its first statement) and its page is kept.
   */
  async get(db: Database, key: PageKey, read: (mark: (tx: Tx) => Promise<void>) => Promise<KeptPage>, arrival?: number): Promise<KeptPage> {
    if (!this.#lru) {
      this.counts.read++;
      return read(async () => {});
    }
    const watch = changeWatch(db);
    const k = JSON.stringify([key.collection, key.reader?.orgId ?? null, key.reader?.userId ?? null, key.request]);
    for (let joined = false; ; joined = true) {
      const kept = this.#lru.get(k);
      if (kept) {
        const still = await watch.check(kept.mark, 'intel', arrival);
        if (still) {
          kept.mark = still;
          this.counts.kept++;
          return kept;
        }
        if (this.#lru.get(k) === kept) this.#lru.delete(k);
      }
      const inFlight = this.#reads.get(k);
      if (!inFlight || joined) return this.#read(watch, k, read);
      await inFlight.catch(() => {});
    }
  }

  async #read(watch: ChangeWatch, k: string, read: (mark: (tx: Tx) => Promise<void>) => Promise<KeptPage>): Promise<KeptPage> {
    let mark: ChangeMark | undefined;
    const p = read(async (tx) => {
      mark = await watch.mark('intel', tx);
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
