import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { renderAdvisoryPdf } from './pdf.js';
import { AdvisoryActions as A } from './policy.js';
import { AdvisoryCreateBody, AdvisoryPatchBody, AdvisoryQuery, AdvisoryRow, Progress, ResponseBody } from './schema.js';
import * as svc from './service.js';

const Id = z.object({ id: z.string().uuid() });

export function advisoryRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const d = { mailer: deps.mailer };
  return async (app) => {
    app.get('/api/advisories', {
      config: { action: A['advisories.read'] },
      schema: { tags: ['advisories'], summary: "The CERT's advisories, or those delivered to the acting org", querystring: AdvisoryQuery, response: { 200: Paged(AdvisoryRow) } },
    }, async (req) => svc.listAdvisories(req.ctx, req.query));

    app.post('/api/advisories', {
      config: { action: A['advisories.write'] },
      schema: { tags: ['advisories'], summary: 'Draft an advisory', body: AdvisoryCreateBody, response: { 201: AdvisoryRow } },
    }, async (req, reply) => reply.status(201).send(await svc.createAdvisory(req.ctx, req.body)));

    app.get('/api/advisories/:id', {
      config: { action: A['advisories.read'] },
      schema: { tags: ['advisories'], summary: 'One advisory (with the acting recipient’s answer)', params: Id, response: { 200: AdvisoryRow } },
    }, async (req) => svc.getAdvisory(req.ctx, req.params.id));

    app.patch('/api/advisories/:id', {
      config: { action: A['advisories.write'] },
      schema: { tags: ['advisories'], summary: 'Edit a draft advisory', params: Id, body: AdvisoryPatchBody, response: { 200: AdvisoryRow } },
    }, async (req) => svc.updateAdvisory(req.ctx, req.params.id, req.body));

    app.post('/api/advisories/:id/publish', {
      config: { action: A['advisories.write'] },
      schema: { tags: ['advisories'], summary: 'Publish: deliver in-app and by mail to the audience', params: Id, response: { 200: AdvisoryRow.extend({ recipients: z.number().int() }) } },
    }, async (req) => svc.publishAdvisory(req.ctx, d, req.params.id));

    app.post('/api/advisories/:id/response', {
      config: { action: A['advisories.read'] },
      schema: { tags: ['advisories'], summary: 'Acknowledge; report applicability and remediation (recipient)', params: Id, body: ResponseBody, response: { 200: AdvisoryRow } },
    }, async (req) => svc.respond(req.ctx, req.params.id, req.body));

    app.get('/api/advisories/:id/progress', {
      config: { action: A['advisories.read'] },
      schema: { tags: ['advisories'], summary: 'Per-organisation acknowledgement and remediation (CERT)', params: Id, response: { 200: Progress } },
    }, async (req) => svc.progress(req.ctx, req.params.id));

    app.get('/api/advisories/:id/pdf', {
      config: { action: A['advisories.read'] },
      schema: { tags: ['advisories'], summary: 'PDF rendition', params: Id },
    }, async (req, reply) => {
      const a = await svc.advisoryForPdf(req.ctx, req.params.id);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${a.ref}.pdf"`).send(await renderAdvisoryPdf(a));
    });
  };
}
