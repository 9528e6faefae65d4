import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/connect.js';
import type { DB } from '../db/types.js';
import type { Clock } from './clock.js';
import { newId } from './ids.js';

export interface JobRecord {
  id: string;
  name: string;
  orgId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface JobControl {
  /** Records progress (e.g. `{ done: 1200, total: 24772 }`) where the API and UI can read it. */
  progress(p: Record<string, unknown>): Promise<void>;
}

export type JobHandler = (job: JobRecord, ctl: JobControl) => Promise<Record<string, unknown> | void>;

export interface EnqueueOptions {
  name: string;
  payload?: Record<string, unknown>;
  orgId?: string | null;
  runAt?: Date;
  /** At most one queued or running job per key; a second enqueue is a no-op. */
  singletonKey?: string;
  maxAttempts?: number;
}

const LOCK_MS = 5 * 60_000;

/**
 * A durable job queue in the jobs table, on PGlite and PostgreSQL alike.
 * Enqueue inside a service's transaction so the job exists iff the write
 * committed; workers on any number of nodes claim with FOR UPDATE SKIP LOCKED.
 * Recurring work is a row in job_schedules, so schedules survive restarts.
 */
export class JobQueue {
  readonly #handlers = new Map<string, JobHandler>();
  readonly #workerId = `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log?: Logger,
  ) {}

  /** The queue's clock (jobs and mail stamp times with it, so tests can move it). */
  now(): Date {
    return this.clock.now();
  }

  register(name: string, handler: JobHandler): void {
    if (this.#handlers.has(name)) throw new Error(`job ${name} registered twice`);
    this.#handlers.set(name, handler);
  }

  /**
   * Adds a job; pass the service's transaction so it commits with the write.
   * Returns the job's id, or with a singleton key that already has a pending
   * job, that job's id (nothing new is queued).
   */
  async enqueue(k: Kysely<DB>, opts: EnqueueOptions): Promise<string> {
    // Through enqueue_job: the request role may add jobs but not read the table.
    const { rows } = await sql<{ id: string }>`select enqueue_job(
      ${newId()}, ${opts.name}, ${opts.orgId ?? null}, ${JSON.stringify(opts.payload ?? {})}::jsonb,
      ${opts.runAt ?? this.clock.now()}::timestamptz, ${opts.singletonKey ?? null}, ${opts.maxAttempts ?? null}::integer) as id`.execute(k);
    return rows[0]!.id;
  }

  /**
   * Several jobs in one statement (enqueue_job once per row, same rules as
   * `enqueue`): a batch of outbox mails is one round trip, not one each.
   */
  async enqueueMany(k: Kysely<DB>, jobs: readonly EnqueueOptions[]): Promise<void> {
    if (!jobs.length) return;
    const now = this.clock.now();
    const rows = jobs.map((o) => ({ id: newId(), name: o.name, org_id: o.orgId ?? null, payload: o.payload ?? {}, run_at: o.runAt ?? now, singleton_key: o.singletonKey ?? null, max_attempts: o.maxAttempts ?? null }));
    await sql`select enqueue_job(r.id, r.name, r.org_id, r.payload, r.run_at, r.singleton_key, r.max_attempts)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, name text, org_id uuid, payload jsonb, run_at timestamptz, singleton_key text, max_attempts integer)`.execute(k);
  }

  /** Declares (or re-times) a recurring job; the schedule row is the durable record. */
  async schedule(name: string, intervalSeconds: number, firstRunAt?: Date): Promise<void> {
    await this.#system(async (k) => {
      await k
        .insertInto('job_schedules')
        .values({ name, interval_seconds: intervalSeconds, next_run_at: firstRunAt ?? this.clock.now() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ interval_seconds: intervalSeconds }))
        .execute();
    });
  }

  /** Starts polling; safe to run on every app node. */
  start(pollMs = 1000): void {
    this.#stopped = false;
    const tick = async () => {
      if (this.#stopped) return;
      this.#running = this.runDue()
        .then(() => undefined)
        .catch((err: unknown) => this.log?.error({ err }, 'job worker tick failed'));
      await this.#running;
      if (!this.#stopped) this.#timer = setTimeout(tick, pollMs);
    };
    this.#timer = setTimeout(tick, 10);
  }

  /** Stops claiming new work and waits for the current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * One pass: fires due schedules, requeues jobs whose worker died, then runs
   * ready jobs until none is left. Tests call it directly with a manual clock.
   */
  async runDue(limit = 100): Promise<number> {
    await this.#fireSchedules();
    await this.#recoverStale();
    let ran = 0;
    while (ran < limit) {
      // One at a time: a claimed job's lock runs from its claim, so jobs
      // claimed in a batch behind a slow one could expire and run twice.
      const batch = await this.#claim(1);
      if (batch.length === 0) break;
      for (const job of batch) await this.#run(job);
      ran += batch.length;
    }
    return ran;
  }

  async #fireSchedules(): Promise<void> {
    const now = this.clock.now();
    await this.#system(async (k) => {
      const due = await k
        .selectFrom('job_schedules')
        .selectAll()
        .where('next_run_at', '<=', now)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const s of due) {
        // Enqueued even when this node lacks the handler: a node that has it claims the job.
        await this.enqueue(k, { name: s.name, singletonKey: `schedule:${s.name}`, maxAttempts: 1 });
        let next = new Date(s.next_run_at).getTime() + s.interval_seconds * 1000;
        if (next <= now.getTime()) next = now.getTime() + s.interval_seconds * 1000;
        await k.updateTable('job_schedules').set({ next_run_at: new Date(next), last_run_at: now }).where('name', '=', s.name).execute();
      }
    });
  }

  async #recoverStale(): Promise<void> {
    const now = this.clock.now();
    await this.#system((k) =>
      k
        .updateTable('jobs')
        .set({
          status: sql`case when attempts >= max_attempts then 'failed' else 'queued' end`,
          locked_by: null,
          locked_until: null,
          last_error: sql`coalesce(last_error, 'worker stopped before finishing')`,
          finished_at: sql`case when attempts >= max_attempts then ${now}::timestamptz else null end`,
        })
        .where('status', '=', 'running')
        .where('locked_until', '<', now)
        .execute(),
    );
  }

  async #claim(n: number): Promise<JobRecord[]> {
    const now = this.clock.now();
    const names = [...this.#handlers.keys()];
    if (names.length === 0) return [];
    return this.#system(async (k) => {
      const rows = await k
        .updateTable('jobs')
        .set({
          status: 'running',
          attempts: sql`attempts + 1`,
          locked_by: this.#workerId,
          locked_until: new Date(now.getTime() + LOCK_MS),
          started_at: now,
        })
        .where(
          'id',
          'in',
          k
            .selectFrom('jobs')
            .select('id')
            .where('status', '=', 'queued')
            .where('run_at', '<=', now)
            .where('name', 'in', names)
            .orderBy('run_at')
            .limit(n)
            .forUpdate()
            .skipLocked(),
        )
        .returning(['id', 'name', 'org_id', 'payload', 'attempts'])
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, orgId: r.org_id, payload: r.payload, attempts: r.attempts }));
    });
  }

  async #run(job: JobRecord): Promise<void> {
    const handler = this.#handlers.get(job.name)!;
    const ctl: JobControl = {
      progress: async (p) => {
        // Reporting progress also renews the lock: a long job that still reports is alive.
        const lockedUntil = new Date(this.clock.now().getTime() + LOCK_MS);
        await this.#system((k) => k.updateTable('jobs').set({ progress: JSON.stringify(p), locked_until: lockedUntil }).where('id', '=', job.id).execute());
      },
    };
    try {
      const result = await handler(job, ctl);
      await this.#system((k) =>
        k
          .updateTable('jobs')
          .set({ status: 'done', finished_at: this.clock.now(), result: result ? JSON.stringify(result) : null, locked_by: null, locked_until: null })
          .where('id', '=', job.id)
          .execute(),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log?.warn({ job: job.name, jobId: job.id, attempt: job.attempts, err: message }, 'job failed');
      // Exponential backoff: 30 s, 1 min, 2 min, ...
      const retryAt = new Date(this.clock.now().getTime() + 30_000 * 2 ** (job.attempts - 1));
      await this.#system((k) =>
        k
          .updateTable('jobs')
          .set({
            status: sql`case when attempts >= max_attempts then 'failed' else 'queued' end`,
            run_at: retryAt,
            last_error: message.slice(0, 2000),
            locked_by: null,
            locked_until: null,
            finished_at: sql`case when attempts >= max_attempts then ${this.clock.now()}::timestamptz else null end`,
          })
          .where('id', '=', job.id)
          .execute(),
      );
    }
  }

  async #system<T>(fn: (k: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return fn(tx);
    });
  }
}
