import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import { CorrectiveActionActions as A } from './policy.js';
import { CorrectiveActionCreate, CorrectiveActionPatch, CorrectiveActionQuery, CorrectiveActionRow } from './schema.js';
import * as svc from './service.js';

const Id = z.object({ id: z.string().uuid() });

/** /api/corrective-actions: the org's own corrective actions. */
export const correctiveActionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/corrective-actions', {
    config: { action: A['corrective_actions.read'] },
    schema: { tags: ['corrective-actions'], summary: 'Corrective actions (search, filter by status/source/owner, paginate)', querystring: CorrectiveActionQuery, response: { 200: Paged(CorrectiveActionRow) } },
  }, async (req) => svc.listCorrectiveActions(req.ctx, req.query));

  app.get('/api/corrective-actions/:id', {
    config: { action: A['corrective_actions.read'] },
    schema: { tags: ['corrective-actions'], summary: 'One corrective action', params: Id, response: { 200: CorrectiveActionRow } },
  }, async (req) => svc.getCorrectiveAction(req.ctx, req.params.id));

  app.post('/api/corrective-actions', {
    config: { action: A['corrective_actions.manage'] },
    schema: { tags: ['corrective-actions'], summary: 'Create a corrective action', body: CorrectiveActionCreate, response: { 201: CorrectiveActionRow } },
  }, async (req, reply) => reply.status(201).send(await svc.createCorrectiveAction(req.ctx, req.body)));

  app.patch('/api/corrective-actions/:id', {
    config: { action: A['corrective_actions.manage'] },
    schema: { tags: ['corrective-actions'], summary: 'Change, assign or close a corrective action', params: Id, body: CorrectiveActionPatch, response: { 200: CorrectiveActionRow } },
  }, async (req) => svc.updateCorrectiveAction(req.ctx, req.params.id, req.body));
};
