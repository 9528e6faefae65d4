import { z } from 'zod';

/** `?limit=&offset=` for every list endpoint. */
export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type Page = z.infer<typeof Page>;

/** The envelope every list answers with. */
export const Paged = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export interface PagedResult<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Escapes %, _ and \ for a LIKE/ILIKE pattern and wraps it in %…%. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
