import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { exportCatalog } from './export.js';
import { importOscalCatalog } from './import.js';
import { CatalogActions as A } from './policy.js';
import { ExportQuery, FrameworkDetail, FrameworkKey, FrameworkRow, ImportQuery, ImportResult, MappingQuery, MappingRow, RequirementDetail, RequirementQuery, RequirementRow } from './schema.js';
import * as catalogs from './service.js';

/** SP 800-53 rev5 is 3 MB of JSON; leave room for bigger catalogs. */
export const MAX_CATALOG_BYTES = 32 * 1024 * 1024;

const tags = ['catalogs'];
const Key = z.object({ key: FrameworkKey });

export function catalogRoutes(_deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/catalogs', {
      config: { action: A['catalogs.read'] },
      schema: { tags, summary: 'Frameworks: shipped (ISO/IEC 27001:2022, NIST CSF 2.0) and imported OSCAL catalogs', response: { 200: z.array(FrameworkRow) } },
    }, async (req) => catalogs.listFrameworks(req.ctx));

    app.post('/api/catalogs/imports', {
      config: { action: A['catalogs.import'] },
      bodyLimit: MAX_CATALOG_BYTES,
      schema: {
        tags,
        summary: 'Import an OSCAL 1.x catalog (the JSON body) for the whole platform. Invalid OSCAL answers 400 with the JSON path of the first problem and stores nothing; the same key again replaces that catalog in place (unchanged content: status "unchanged")',
        querystring: ImportQuery,
        body: z.unknown(),
        response: { 200: ImportResult },
      },
    }, async (req) => importOscalCatalog(req.ctx, req.body, req.query.key ? { key: req.query.key } : {}));

    app.get('/api/catalogs/:key', {
      config: { action: A['catalogs.read'] },
      schema: { tags, summary: 'A framework with counts per kind, themes, attribute values and mapped frameworks', params: Key, response: { 200: FrameworkDetail } },
    }, async (req) => catalogs.getFramework(req.ctx, req.params.key));

    app.get('/api/catalogs/:key/requirements', {
      config: { action: A['catalogs.read'] },
      schema: {
        tags,
        summary: 'Requirements in tree order: search (q), filter by kind, theme, parent (root for the top), refs, isNew and attributes (attr=control_type:detective,cybersecurity_concepts:respond), paginate',
        params: Key,
        querystring: RequirementQuery,
        response: { 200: Paged(RequirementRow) },
      },
    }, async (req) => catalogs.searchRequirements(req.ctx, req.params.key, req.query));

    app.get('/api/catalogs/:key/requirements/:ref', {
      config: { action: A['catalogs.read'] },
      schema: { tags, summary: 'One requirement with detail (OSCAL params, parts, links), parents, children and mappings to other frameworks', params: Key.extend({ ref: z.string().min(1).max(100) }), response: { 200: RequirementDetail } },
    }, async (req) => catalogs.getRequirement(req.ctx, req.params.key, req.params.ref));

    app.get('/api/catalogs/:key/mappings', {
      config: { action: A['catalogs.read'] },
      schema: { tags, summary: 'Mappings from this framework to another (either stored direction; subset/superset turned around)', params: Key, querystring: MappingQuery, response: { 200: z.array(MappingRow) } },
    }, async (req) => catalogs.getMappings(req.ctx, req.params.key, req.query.to, req.query.refs));

    app.get('/api/catalogs/:key/export', {
      config: { action: A['catalogs.read'] },
      schema: { tags, summary: 'The framework as CSV (one row per requirement) or JSON (with its mappings)', params: Key, querystring: ExportQuery },
    }, async (req, reply) => {
      const r = await exportCatalog(req.ctx, req.params.key, req.query.format);
      return reply.type(r.contentType).header('content-disposition', `attachment; filename="${r.filename}"`).send(r.body);
    });
  };
}
