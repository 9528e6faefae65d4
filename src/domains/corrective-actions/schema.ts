import { z } from 'zod';
import { Page } from '../../core/paging.js';

export const CaStatus = z.enum(['open', 'in_progress', 'done', 'cancelled']);
export const CaSourceType = z.enum(['incident', 'audit_finding', 'management_review', 'risk', 'other']);

export const CorrectiveActionRow = z.object({
  id: z.string().uuid(),
  title: z.string(),
  description: z.string(),
  source: z.object({ type: CaSourceType, id: z.string().uuid().nullable() }),
  ownerId: z.string().uuid().nullable(),
  dueDate: z.string().nullable(),
  status: CaStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  actions: z.array(z.string()),
});
export type CorrectiveActionRow = z.infer<typeof CorrectiveActionRow>;

export const CorrectiveActionCreate = z.strictObject({
  title: z.string().trim().min(3).max(300),
  description: z.string().trim().max(20000).default(''),
  source: z.strictObject({ type: CaSourceType, id: z.string().uuid().nullable() }).default({ type: 'other', id: null }),
  ownerId: z.string().uuid().nullable().optional(),
  dueDate: z.iso.date().nullable().optional(),
});
export type CorrectiveActionCreate = z.infer<typeof CorrectiveActionCreate>;

export const CorrectiveActionPatch = z.strictObject({
  title: z.string().trim().min(3).max(300).optional(),
  description: z.string().trim().max(20000).optional(),
  ownerId: z.string().uuid().nullable().optional(),
  dueDate: z.iso.date().nullable().optional(),
  status: CaStatus.optional(),
});

export const CorrectiveActionQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  status: CaStatus.optional(),
  sourceType: CaSourceType.optional(),
  sourceId: z.string().uuid().optional(),
  ownerId: z.string().uuid().optional(),
});
export type CorrectiveActionQuery = z.infer<typeof CorrectiveActionQuery>;
