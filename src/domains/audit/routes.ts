import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Paged } from '../../core/paging.js';
import { TenancyActions } from '../tenancy/policy.js';
import { AuditFilter, AuditQuery, AuditRow } from './schema.js';
import { exportAuditCsv, listAudit } from './service.js';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/audit-log', {
    config: { action: TenancyActions['audit.read'] },
    schema: { tags: ['audit'], summary: "The acting org's audit log (filter by action prefix, entity, actor, time)", querystring: AuditQuery, response: { 200: Paged(AuditRow) } },
  }, async (req) => listAudit(req.ctx, req.query));

  app.get('/api/audit-log/export.csv', {
    config: { action: TenancyActions['audit.read'] },
    schema: { tags: ['audit'], summary: 'The filtered audit log as CSV', querystring: AuditFilter },
  }, async (req, reply) => {
    const ctx = req.ctx;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-log-${ctx.clock.now().toISOString().slice(0, 10)}.csv"`)
      .send(Readable.from(exportAuditCsv(ctx, req.query)));
  });
};
