import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Page, Paged } from '../../core/paging.js';
import { SharingActions as A } from './policy.js';
import { SharingGroupCreateBody, SharingGroupMembersBody, SharingGroupRow } from './schema.js';
import { createSharingGroup, getSharingGroup, listSharingGroups, updateSharingGroupMembers } from './service.js';

const Id = z.object({ id: z.string().uuid() });

export const sharingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/sharing-groups', {
    config: { action: A['sharing_groups.read'] },
    schema: { tags: ['sharing'], summary: 'Sharing groups the acting org runs or belongs to', querystring: Page, response: { 200: Paged(SharingGroupRow) } },
  }, async (req) => listSharingGroups(req.ctx, req.query));

  app.post('/api/sharing-groups', {
    config: { action: A['sharing_groups.manage'] },
    schema: { tags: ['sharing'], summary: 'Create a sharing group (optionally hiding its membership from members)', body: SharingGroupCreateBody, response: { 201: SharingGroupRow } },
  }, async (req, reply) => reply.status(201).send(await createSharingGroup(req.ctx, req.body)));

  app.get('/api/sharing-groups/:id', {
    config: { action: A['sharing_groups.read'] },
    schema: { tags: ['sharing'], summary: 'One sharing group', params: Id, response: { 200: SharingGroupRow } },
  }, async (req) => getSharingGroup(req.ctx, req.params.id));

  app.post('/api/sharing-groups/:id/members', {
    config: { action: A['sharing_groups.manage'] },
    schema: { tags: ['sharing'], summary: 'Add and remove member organisations', params: Id, body: SharingGroupMembersBody, response: { 200: SharingGroupRow } },
  }, async (req) => updateSharingGroupMembers(req.ctx, req.params.id, req.body));
};
