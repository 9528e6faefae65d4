import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/connect.js';
import type { Clock } from '../core/clock.js';
import { E } from '../core/errors.js';

export interface RateLimitRule {
  /** Name of the bucket, e.g. `login`. */
  name: string;
  max: number;
  windowMs: number;
  /** What to count by: the client address by default. */
  key?: (req: FastifyRequest) => string;
}

/**
 * Fixed-window rate limiting counted in PostgreSQL, so every app node shares
 * one count (an in-memory limiter would give each node its own). Used on the
 * sign-in endpoints, which are few and slow anyway.
 */
export function rateLimit(db: Database, clock: Clock, rule: RateLimitRule) {
  return async function limit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = `${rule.name}:${rule.key ? rule.key(req) : req.ip}`;
    const now = clock.now();
    const cutoff = new Date(now.getTime() - rule.windowMs);
    const row = await db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      const { rows } = await sql<{ hits: number; window_start: Date }>`
        insert into rate_limits (key, window_start, hits) values (${key}, ${now}, 1)
        on conflict (key) do update set
          hits = case when rate_limits.window_start <= ${cutoff} then 1 else rate_limits.hits + 1 end,
          window_start = case when rate_limits.window_start <= ${cutoff} then ${now}::timestamptz else rate_limits.window_start end
        returning hits, window_start`.execute(tx);
      return rows[0]!;
    });
    const resetMs = new Date(row.window_start).getTime() + rule.windowMs - now.getTime();
    void reply.header('ratelimit-limit', String(rule.max));
    void reply.header('ratelimit-remaining', String(Math.max(0, rule.max - row.hits)));
    if (row.hits > rule.max) {
      const err = E.RATE_LIMITED(`Too many attempts; try again in ${Math.ceil(resetMs / 1000)} seconds`);
      Object.assign(err, { headers: { 'retry-after': String(Math.ceil(resetMs / 1000)) } });
      throw err;
    }
  };
}
