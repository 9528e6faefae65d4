import { z } from 'zod';
import { Page } from '../../core/paging.js';

export const NotificationRow = z.object({
  id: z.string().uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationRow = z.infer<typeof NotificationRow>;

export const NotificationQuery = Page.extend({ unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true') });
export const MarkReadBody = z.strictObject({ ids: z.array(z.string().uuid()).max(500).optional() });
