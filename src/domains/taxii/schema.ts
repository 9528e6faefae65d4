import { z } from 'zod';
import { TlpLevel } from '../sharing/schema.js';

export const FeedKind = z.enum(['taxii', 'misp']);

export const FeedCreateBody = z.strictObject({
  /** `taxii`: an external TAXII 2.1 collection; `misp`: a MISP feed (manifest.json + one file per event). */
  kind: FeedKind.default('taxii'),
  name: z.string().trim().min(1).max(200),
  /** The collection URL (https://taxii.example/api1/collections/<id>/) or the MISP feed's folder URL. */
  url: z.string().url().max(2000),
  username: z.string().max(200).optional(),
  /** Password or token for HTTP Basic (or a bearer token when no username is given, and always for MISP); stored sealed. */
  secret: z.string().max(2000).optional(),
  tlp: TlpLevel.default('amber'),
  intervalSeconds: z.number().int().min(60).max(7 * 86400).default(3600),
});

/**
 * Changes to a feed's name, URL, schedule, TLP or credentials; an empty
 * `secret` removes it. A new URL is another collection: its cursor starts over
 * and it is polled at once.
 */
export const FeedUpdateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  url: z.string().url().max(2000).optional(),
  enabled: z.boolean().optional(),
  intervalSeconds: z.number().int().min(60).max(7 * 86400).optional(),
  tlp: TlpLevel.optional(),
  username: z.string().max(200).nullable().optional(),
  secret: z.string().max(2000).optional(),
});

export const FeedRow = z.object({
  id: z.string().uuid(),
  kind: FeedKind,
  name: z.string(),
  url: z.string(),
  username: z.string().nullable(),
  hasSecret: z.boolean(),
  tlp: z.string(),
  intervalSeconds: z.number(),
  enabled: z.boolean(),
  cursor: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastStatus: z.string().nullable(),
  lastError: z.string().nullable(),
  lastCount: z.number().nullable(),
  lastFetched: z.number().nullable(),
  totalCount: z.number(),
  nextRunAt: z.string(),
});
export type FeedRow = z.infer<typeof FeedRow>;
