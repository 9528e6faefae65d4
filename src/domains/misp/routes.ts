import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../server/deps.js';
import { IntelActions as A } from '../intel/policy.js';
import { TlpLevel } from '../sharing/schema.js';
import { exportEvent, feedHashes, feedManifest, importEvent, pullFeed } from './service.js';

const Audience = z.object({ audience: z.enum(['community', 'all']) });
const Uuid = z.string().regex(/^[0-9a-fA-F-]{36}$/);

/** MISP interoperability: event JSON in and out, a MISP feed per audience, pulling MISP feeds. */
export function mispRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/misp/events', {
      config: { action: A['intel.import'] },
      bodyLimit: 64 * 1024 * 1024,
      schema: { tags: ['misp'], summary: 'Import a MISP event ({"Event": {...}}): a report plus indicators, TLP from tlp: tags or distribution', body: z.unknown(), response: { 200: z.object({ total: z.number(), inserted: z.number(), unchanged: z.number(), observables: z.number(), matches: z.number(), tlp: z.string() }) } },
    }, async (req) => importEvent(req.ctx, req.body, { mailer: deps.mailer }));

    app.get('/api/misp/events/:uuid', {
      config: { action: A['intel.read'] },
      schema: { tags: ['misp'], summary: 'A report and its indicators as MISP event JSON', params: z.object({ uuid: Uuid }) },
    }, async (req) => exportEvent(req.ctx, req.params.uuid));

    app.post('/api/misp/feeds/pull', {
      config: { action: A['intel.import'] },
      schema: { tags: ['misp'], summary: 'Pull a MISP feed now (manifest.json, then each event)', body: z.strictObject({ url: z.string().url(), token: z.string().max(2000).optional(), tlp: TlpLevel.optional() }), response: { 200: z.object({ events: z.number(), inserted: z.number() }) } },
    }, async (req) => pullFeed(req.ctx, req.body.url, { token: req.body.token, tlp: req.body.tlp, mailer: deps.mailer }));

    // The feed itself, in MISP's layout, for MISP instances to pull (Authorization: Bearer <API token>).
    app.get('/misp/feeds/:audience/manifest.json', {
      config: { action: A['intel.read'] },
      schema: { hide: true, params: Audience },
    }, async (req) => feedManifest(req.ctx, req.params.audience));

    app.get('/misp/feeds/:audience/hashes.csv', {
      config: { action: A['intel.read'] },
      schema: { hide: true, params: Audience },
    }, async (req, reply) => reply.type('text/csv').send(await feedHashes(req.ctx, req.params.audience)));

    app.get('/misp/feeds/:audience/:file', {
      config: { action: A['intel.read'] },
      schema: { hide: true, params: Audience.extend({ file: z.string().regex(/^[0-9a-fA-F-]{36}\.json$/) }) },
    }, async (req) => exportEvent(req.ctx, req.params.file.slice(0, 36), req.params.audience));
  };
}
