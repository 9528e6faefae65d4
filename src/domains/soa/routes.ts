import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ctx } from '../../core/context.js';
import { complianceOverview } from './compliance.js';
import { loadSoaDocument, soaPdf, soaXlsx } from './exports.js';
import { soaOscalSsp } from './oscal.js';
import { SoaActions as A } from './policy.js';
import {
  ApproveBody, CompareQuery, Comparison, ComplianceOverview, ExportQuery, Framework, SoaBulkBody, SoaEntryBody, SoaPage, SoaQuery, SoaRow, VersionDetail, VersionParams, VersionRow, VersionsQuery,
} from './schema.js';
import * as soa from './service.js';

const tags = ['soa'];
const Ref = z.object({ ref: z.string().trim().min(1).max(100) });
const FrameworkQuery = z.object({ framework: Framework.default('iso27001-2022') });

async function orgName(ctx: Ctx): Promise<string> {
  const org = await ctx.db.kysely.selectFrom('orgs').select('name').where('id', '=', ctx.actor.orgId).executeTakeFirst();
  return org?.name ?? '';
}

export const soaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/soa', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'The Statement of Applicability: every control of the framework with decision, status, owner, evidence and risks (search, filter, paginate)', querystring: SoaQuery, response: { 200: SoaPage } },
  }, async (req) => soa.listSoa(req.ctx, req.query));

  app.get('/api/soa/controls/:ref', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'One SoA entry', params: Ref, querystring: FrameworkQuery, response: { 200: SoaRow } },
  }, async (req) => soa.getSoaEntry(req.ctx, req.query.framework, req.params.ref));

  app.put('/api/soa/controls/:ref', {
    config: { action: A['soa.edit'] },
    schema: { tags, summary: 'Decide one control: applicable, justification (required), status (derived or set), owner', params: Ref, querystring: FrameworkQuery, body: SoaEntryBody, response: { 200: SoaRow } },
  }, async (req) => soa.updateSoaEntry(req.ctx, req.query.framework, req.params.ref, req.body));

  app.post('/api/soa/bulk', {
    config: { action: A['soa.edit'] },
    schema: { tags, summary: 'The same decision and justification for many controls (all or nothing)', body: SoaBulkBody, response: { 200: z.object({ updated: z.number().int() }) } },
  }, async (req) => soa.bulkUpdateSoa(req.ctx, req.body));

  app.get('/api/soa/versions', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'Approved versions, newest first', querystring: VersionsQuery, response: { 200: z.array(VersionRow) } },
  }, async (req) => soa.listVersions(req.ctx, req.query.framework));

  app.post('/api/soa/versions', {
    config: { action: A['soa.approve'] },
    schema: { tags, summary: 'Approve the SoA as it stands (an immutable snapshot with approver and time)', body: ApproveBody, response: { 201: VersionRow } },
  }, async (req, reply) => reply.status(201).send(await soa.approveSoa(req.ctx, req.body)));

  app.get('/api/soa/versions/:version', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'One approved version with its frozen rows', params: VersionParams, querystring: VersionsQuery, response: { 200: VersionDetail } },
  }, async (req) => soa.getVersion(req.ctx, req.query.framework, req.params.version));

  app.get('/api/soa/compare', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'What changed per control between two versions (or a version and the current SoA)', querystring: CompareQuery, response: { 200: Comparison } },
  }, async (req) => soa.compareVersions(req.ctx, req.query.framework, req.query.from, req.query.to));

  app.get('/api/soa/export', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'The SoA as XLSX or PDF (current or an approved version), or the implementation as an OSCAL system security plan', querystring: ExportQuery },
  }, async (req, reply) => {
    const { format, framework, version } = req.query;
    const name = await orgName(req.ctx);
    const day = req.ctx.clock.now().toISOString().slice(0, 10);
    const base = `soa-${version ? `v${version}` : day}`;
    if (format === 'oscal') {
      const ssp = await soaOscalSsp(req.ctx, name, framework);
      return reply.type('application/json').header('content-disposition', `attachment; filename="${base}-ssp.json"`).send(JSON.stringify(ssp, null, 2));
    }
    const d = await loadSoaDocument(req.ctx, name, framework, version);
    if (format === 'pdf') return reply.type('application/pdf').header('content-disposition', `attachment; filename="${base}.pdf"`).send(await soaPdf(d));
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${base}.xlsx"`).send(await soaXlsx(d));
  });

  app.get('/api/compliance/:framework', {
    config: { action: A['soa.read'] },
    schema: { tags, summary: 'Compliance with a framework: % implemented overall, per group and attribute value, and the gap list (derived through catalog mappings)', params: z.object({ framework: Framework }), response: { 200: ComplianceOverview } },
  }, async (req) => complianceOverview(req.ctx, req.params.framework));
};
