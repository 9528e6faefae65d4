import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import { Page, Paged } from '../../core/paging.js';
import { TenancyActions } from '../tenancy/policy.js';
import { getJob, listOutbox } from './service.js';

const OutboxRow = z.object({ id: z.string(), to: z.string(), subject: z.string(), body: z.string(), status: z.string(), error: z.string().nullable(), createdAt: z.string(), sentAt: z.string().nullable() });
const JobRow = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  progress: z.record(z.string(), z.unknown()).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  lastError: z.string().nullable(),
  attempts: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const outboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/outbox', {
    config: { action: TenancyActions['outbox.read'] },
    schema: { tags: ['mail'], summary: 'Outgoing mail (kept here when no SMTP server is configured)', querystring: Page, response: { 200: Paged(OutboxRow) } },
  }, async (req) => listOutbox(req.ctx, req.query));

  app.get('/api/jobs/:id', {
    config: { action: TenancyActions['jobs.read'] },
    schema: { tags: ['jobs'], summary: 'Status and progress of a background job', params: z.object({ id: z.string().uuid() }), response: { 200: JobRow } },
  }, async (req) => {
    const j = await getJob(req.ctx, req.params.id);
    if (!j) throw notFound('Job', 'JOB_NOT_FOUND');
    return {
      id: j.id,
      name: j.name,
      status: j.status,
      progress: j.progress,
      result: j.result,
      lastError: j.last_error,
      attempts: j.attempts,
      createdAt: j.created_at.toISOString(),
      startedAt: j.started_at?.toISOString() ?? null,
      finishedAt: j.finished_at?.toISOString() ?? null,
    };
  });
};
