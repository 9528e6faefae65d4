import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import { AssetActions as A } from './policy.js';
import {
  AssetCreateBody, AssetDetail, AssetGraph, AssetQuery, AssetRow, AssetUpdateBody, DependenciesBody, ExportQuery, GraphQuery, ImportBody, ImportReport,
} from './schema.js';
import * as assets from './service.js';
import { exportAssetsCsv, exportAssetsXlsx, importAssets } from './transfer.js';

const Id = z.object({ id: z.string().uuid() });
const tags = ['assets'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const assetRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/assets', {
    config: { action: A['assets.read'] },
    schema: { tags, summary: 'The asset inventory (search, filter by type/owner/criticality/tag, sort, paginate)', querystring: AssetQuery, response: { 200: Paged(AssetRow) } },
  }, async (req) => assets.listAssets(req.ctx, req.query));

  app.get('/api/assets/graph', {
    config: { action: A['assets.read'] },
    schema: { tags, summary: 'Dependency graph: nodes and edges, cycles flagged (whole inventory or around `root`)', querystring: GraphQuery, response: { 200: AssetGraph } },
  }, async (req) => assets.assetGraph(req.ctx, req.query));

  app.get('/api/assets/export', {
    config: { action: A['assets.read'] },
    schema: { tags, summary: 'Export the (filtered) inventory as CSV or XLSX, in the import layout', querystring: ExportQuery },
  }, async (req, reply) => {
    const { format, ...filter } = req.query;
    const day = req.ctx.clock.now().toISOString().slice(0, 10);
    const body = format === 'xlsx' ? await exportAssetsXlsx(req.ctx, filter) : await exportAssetsCsv(req.ctx, filter);
    return reply
      .type(format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="assets-${day}.${format}"`)
      .send(body);
  });

  app.post('/api/assets/import', {
    config: { action: A['assets.manage'] },
    // A 10 MB sheet is ~14 MB as base64 JSON: larger than the default body limit.
    bodyLimit: 15 * 1024 * 1024,
    schema: {
      tags,
      summary: 'Import CSV or XLSX (base64). dryRun reports every bad cell with line and column; a commit is all-or-nothing',
      body: ImportBody,
      response: { 200: ImportReport },
    },
  }, async (req) => importAssets(req.ctx, { format: req.body.format, content: Buffer.from(req.body.content, 'base64'), dryRun: req.body.dryRun }));

  app.get('/api/assets/:id', {
    config: { action: A['assets.read'] },
    schema: { tags, summary: 'One asset with its dependencies and dependents', params: Id, response: { 200: AssetDetail } },
  }, async (req) => assets.getAsset(req.ctx, req.params.id));

  app.post('/api/assets', {
    config: { action: A['assets.manage'] },
    schema: { tags, summary: 'Add an asset', body: AssetCreateBody, response: { 201: AssetDetail } },
  }, async (req, reply) => reply.status(201).send(await assets.createAsset(req.ctx, req.body)));

  app.patch('/api/assets/:id', {
    config: { action: A['assets.manage'] },
    schema: { tags, summary: 'Change an asset (only the fields given)', params: Id, body: AssetUpdateBody, response: { 200: AssetDetail } },
  }, async (req) => assets.updateAsset(req.ctx, req.params.id, req.body));

  app.put('/api/assets/:id/dependencies', {
    config: { action: A['assets.manage'] },
    schema: { tags, summary: 'Replace what the asset depends on', params: Id, body: DependenciesBody, response: { 200: AssetDetail } },
  }, async (req) => assets.setDependencies(req.ctx, req.params.id, req.body.dependsOn));

  app.delete('/api/assets/:id', {
    config: { action: A['assets.manage'] },
    schema: { tags, summary: 'Delete an asset (refused while risks or incidents reference it)', params: Id, response: { 204: z.null() } },
  }, async (req, reply) => {
    await assets.deleteAsset(req.ctx, req.params.id);
    return reply.status(204).send(null);
  });
};
