import { sql } from 'kysely';
import type { Database } from '../db/connect.js';
import type { Tx } from './context.js';

/**
 * Keeping what was read, and knowing when it is stale: the process side of
 * the change log (migration 0080). Callers keep something they read (an API
 * token's lookup, a TAXII page) with a mark of the snapshot it was read in,
 * and before using it again ask `check` whether a transaction that wrote its
 * topic has committed since.
 *
 * PostgreSQL: other processes write too, so the database answers. One query
 * (a round) returns the current snapshot and the log from a floor on, and
 * every mark is then judged here; a round answers every request that
 * arrived before it started, so under load one query serves many requests
 * and both of a request's checks (its token, then its page); a request
 * joins a round in flight if it started after the request came in, else
 * the next one, shared by all who wait for it. A mark judged
 * current is replaced by the round's newer one, so kept things converge on
 * one mark and rounds stay short.
 *
 * PGlite: every writer uses this process's one connection, and the log's
 * triggers notify at commit (delivered before the COMMIT returns), so a
 * count of commits per topic is the whole check, with no query.
 */
export type Topic = 'auth' | 'intel';

interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** What something was read under. */
export type ChangeMark = { readonly snap: Snapshot; readonly epoch: number } | { readonly commits: number };

interface Round {
  /** Rounds are numbered as they start: a round numbered above a request's `arrival` started after it came in. */
  index: number;
  mark: { snap: Snapshot; epoch: number };
  floor: bigint;
  writes: Array<{ xid: bigint; topic: string }>;
}

function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, xip] = text.split(':');
  return { xmin: BigInt(xmin!), xmax: BigInt(xmax!), xip: new Set(xip ? xip.split(',').map(BigInt) : []) };
}

/** pg_visible_in_snapshot for a committed transaction. */
function visible(xid: bigint, s: Snapshot): boolean {
  return xid < s.xmin || (xid < s.xmax && !s.xip.has(xid));
}

export class ChangeWatch {
  #rounds = 0;
  /** The last round answered. */
  #latest: Round | null = null;
  /** The last round started, answered or not. */
  #started: { index: number; floor: bigint; pending: boolean; round: Promise<Round> } | null = null;
  /** The round to start when the pending one ends. */
  #next: { floor: bigint; round: Promise<Round> } | null = null;
  /** PGlite: commits seen per topic since this watch was made (no mark is older). */
  readonly #commits: Record<string, number> | null = null;

  constructor(private readonly db: Database) {
    if (db.onCommitNotify) {
      const commits: Record<string, number> = {};
      db.onCommitNotify((topic) => {
        commits[topic] = (commits[topic] ?? 0) + 1;
      });
      this.#commits = commits;
    }
  }

  /** To pass back to `check` as `arrival`: rounds started after this call number above it. */
  arrival(): number {
    return this.#rounds;
  }

  /**
   * The mark to keep something read in `tx` with, taken before the read:
   * it can only make the thing look changed when it is not. PGlite: call it
   * while holding the connection (in the reading transaction).
   */
  async mark(topic: Topic, tx: Tx): Promise<ChangeMark> {
    const local = this.localMark(topic);
    if (local) return local;
    const { rows } = await sql<{ snap: string; epoch: number }>`select snap, epoch from change_mark()`.execute(tx);
    return this.markOf(rows[0]!.snap, rows[0]!.epoch);
  }

  /** A mark from a snapshot and epoch read with the thing itself (PostgreSQL). */
  markOf(snap: string, epoch: number): ChangeMark {
    return { snap: parseSnapshot(snap), epoch: Number(epoch) };
  }

  /** PGlite: the mark for a read about to start (no query can run in between that this process does not see). */
  localMark(topic: Topic): ChangeMark | null {
    return this.#commits ? { commits: this.#commits[topic] ?? 0 } : null;
  }

  /**
   * Whether nothing of `topic` committed since `mark`, judged by a round
   * that started after `arrival` (default: now): the mark to keep the thing
   * under from now on, or null when it changed. Uses the last round
   * answered, or the last one started (in flight), when it started after
   * `arrival` and reaches back to the mark; else the next (see #round).
   */
  async check(mark: ChangeMark, topic: Topic, arrival = this.#rounds): Promise<ChangeMark | null> {
    if ('commits' in mark) return mark.commits === (this.#commits![topic] ?? 0) ? mark : null;
    const latest = this.#latest;
    if (latest && latest.index > arrival) {
      const r = judge(latest, mark, topic);
      if (r !== undefined) return r;
    }
    const started = this.#started;
    if (started && started.index > arrival && started.floor <= mark.snap.xmin) return judge(await started.round, mark, topic) ?? null;
    // Reach back to the marks kept things converge on too, so that the requests sharing this round are covered.
    const floor = latest && latest.mark.snap.xmin < mark.snap.xmin ? latest.mark.snap.xmin : mark.snap.xmin;
    return judge(await this.#round(floor), mark, topic) ?? null;
  }

  /**
   * A round started now, or, while one that started too early is in flight,
   * the next one: it starts when that one ends and is shared by everyone who
   * asks meanwhile (its floor is the lowest they need). Under load one query
   * then answers many requests, and the database does not see one per request.
   */
  #round(floor: bigint): Promise<Round> {
    if (this.#next) {
      if (floor < this.#next.floor) this.#next.floor = floor;
      return this.#next.round;
    }
    const started = this.#started;
    if (!started?.pending) return this.#start(floor);
    const next: { floor: bigint; round: Promise<Round> } = { floor, round: Promise.resolve() as never };
    const begin = (): Promise<Round> => this.#start(next.floor);
    next.round = started.round.then(begin, begin);
    this.#next = next;
    return next.round;
  }

  #start(floor: bigint): Promise<Round> {
    this.#next = null;
    const index = ++this.#rounds;
    const started: { index: number; floor: bigint; pending: boolean; round: Promise<Round> } = { index, floor, pending: true, round: Promise.resolve() as never };
    started.round = (async () => {
      try {
        const { rows } = await sql<{ snap: string; epoch: number; xids: string[]; topics: string[] }>`select snap, epoch, xids, topics from change_since(${floor.toString()}::xid8)`.execute(this.db.kysely);
        const r = rows[0]!;
        const answered: Round = { index, mark: { snap: parseSnapshot(r.snap), epoch: Number(r.epoch) }, floor, writes: r.xids.map((x, i) => ({ xid: BigInt(x), topic: r.topics[i]! })) };
        if (!this.#latest || this.#latest.index < index) this.#latest = answered;
        return answered;
      } finally {
        started.pending = false;
      }
    })();
    this.#started = started;
    return started.round;
  }
}

/** The newer mark if nothing of `topic` committed after `mark` (as far as `round` knows), null if something did, undefined if the round does not reach back to it. */
function judge(round: Round, mark: { snap: Snapshot; epoch: number }, topic: Topic): ChangeMark | null | undefined {
  if (mark.epoch !== round.mark.epoch) return null;
  if (mark.snap.xmin < round.floor) return undefined;
  return round.writes.some((w) => w.topic === topic && !visible(w.xid, mark.snap)) ? null : round.mark;
}

const watches = new WeakMap<Database, ChangeWatch>();

/** The one ChangeWatch of a database. */
export function changeWatch(db: Database): ChangeWatch {
  let w = watches.get(db);
  if (!w) watches.set(db, (w = new ChangeWatch(db)));
  return w;
}

/** Empties the change log (a new epoch: everything kept is read again once); returns how many rows it held. */
export async function pruneChangeLog(db: Database): Promise<number> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const { rows } = await sql<{ n: number }>`select change_prune() as n`.execute(tx);
    return rows[0]!.n;
  });
}
