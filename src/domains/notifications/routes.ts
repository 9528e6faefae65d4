import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import { MarkReadBody, NotificationQuery, NotificationRow } from './schema.js';
import { listNotifications, markRead } from './service.js';

export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/notifications', {
    schema: { tags: ['notifications'], summary: 'Your notifications in the acting org', querystring: NotificationQuery, response: { 200: Paged(NotificationRow).extend({ unread: z.number() }) } },
  }, async (req) => listNotifications(req.ctx, req.query));

  app.post('/api/notifications/read', {
    schema: { tags: ['notifications'], summary: 'Mark notifications read (all when no ids are given)', body: MarkReadBody, response: { 200: z.object({ updated: z.number() }) } },
  }, async (req) => ({ updated: await markRead(req.ctx, req.body.ids) }));
};
