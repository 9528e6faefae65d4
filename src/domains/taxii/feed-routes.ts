import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../server/deps.js';
import { IntelActions as A } from '../intel/policy.js';
import { createFeed, deleteFeed, listFeeds, runFeedNow, updateFeed } from './feeds.js';
import { FeedCreateBody, FeedRow, FeedUpdateBody } from './schema.js';

/** Feeds: subscriptions to external TAXII collections and MISP feeds (admin API). */
export function feedRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/intel/feeds', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: "The acting org's TAXII and MISP feeds with schedule, last run, counts and errors", response: { 200: z.array(FeedRow) } },
    }, async (req) => listFeeds(req.ctx));

    app.post('/api/intel/feeds', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: 'Subscribe to an external TAXII 2.1 collection or MISP feed (credentials stored sealed)', body: FeedCreateBody, response: { 201: FeedRow } },
    }, async (req, reply) => reply.status(201).send(await createFeed(req.ctx, deps.secrets, req.body)));

    app.post('/api/intel/feeds/:id/run', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: 'Poll a feed now', params: z.object({ id: z.string().uuid() }), response: { 200: FeedRow } },
    }, async (req) => runFeedNow(req.ctx, deps, req.params.id));

    app.patch('/api/intel/feeds/:id', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: "Change a feed's name, URL (its cursor starts over), schedule, TLP or credentials, or pause it", params: z.object({ id: z.string().uuid() }), body: FeedUpdateBody, response: { 200: FeedRow } },
    }, async (req) => updateFeed(req.ctx, deps.secrets, req.params.id, req.body));

    app.delete('/api/intel/feeds/:id', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: 'Remove a feed (what it imported stays)', params: z.object({ id: z.string().uuid() }) },
    }, async (req, reply) => {
      await deleteFeed(req.ctx, req.params.id);
      return reply.status(204).send();
    });
  };
}
