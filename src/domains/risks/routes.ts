import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import { RiskActions as A } from './policy.js';
import { applyPreset, getMethod, setMethod } from './method-service.js';
import { PRESETS } from './method.js';
import { heatMap, registerPdf, registerXlsx } from './reports.js';
import {
  AcceptanceBody, HeatMap, HistoryRow, MethodChangeResult, PresetBody, RegisterExportQuery, ReviewBody, RiskCreateBody, RiskDetail, RiskFilter, RiskMethod,
  RiskMethodInput, RiskQuery, RiskRow, RiskUpdateBody, TaskCreateBody, TaskRow, TaskUpdateBody,
} from './schema.js';
import * as risks from './service.js';
import { acceptRisk, addTask, reviewRisk, updateTask } from './treatment.js';

const Id = z.object({ id: z.string().uuid() });
const TaskId = z.object({ id: z.string().uuid(), taskId: z.string().uuid() });
const tags = ['risks'];

export const riskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/risks/method', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: "The org's risk method: scales, matrix, levels, appetite", response: { 200: RiskMethod } },
  }, async (req) => getMethod(req.ctx));

  app.get('/api/risks/method/presets', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'The shipped methods', response: { 200: z.record(z.string(), RiskMethodInput) } },
  }, async () => PRESETS);

  app.put('/api/risks/method', {
    config: { action: A['risks.method'] },
    schema: { tags, summary: 'Replace the method; every risk is re-scored and the change recorded in its history', body: RiskMethodInput, response: { 200: MethodChangeResult } },
  }, async (req) => setMethod(req.ctx, req.body));

  app.post('/api/risks/method/preset', {
    config: { action: A['risks.method'] },
    schema: { tags, summary: 'Switch to a shipped method (re-scores every risk)', body: PresetBody, response: { 200: MethodChangeResult } },
  }, async (req) => applyPreset(req.ctx, req.body.preset));

  app.get('/api/risks/heatmap', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'Heat map: open risks per likelihood x impact cell, inherent vs current vs residual', querystring: RiskFilter.omit({ sort: true, order: true }), response: { 200: HeatMap } },
  }, async (req) => heatMap(req.ctx, req.query));

  app.get('/api/risks/export', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'The (filtered) risk register as XLSX or PDF', querystring: RegisterExportQuery },
  }, async (req, reply) => {
    const { format, ...filter } = req.query;
    const ctx = req.ctx;
    const day = ctx.clock.now().toISOString().slice(0, 10);
    if (format === 'pdf') {
      const org = await ctx.db.kysely.selectFrom('orgs').select('name').where('id', '=', ctx.actor.orgId).executeTakeFirst();
      const pdf = await registerPdf(ctx, filter, org?.name ?? '');
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="risk-register-${day}.pdf"`).send(pdf);
    }
    const xlsx = await registerXlsx(ctx, filter);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="risk-register-${day}.xlsx"`)
      .send(xlsx);
  });

  app.get('/api/risks', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'The risk register (search, filter, sort, paginate)', querystring: RiskQuery, response: { 200: Paged(RiskRow) } },
  }, async (req) => risks.listRisks(req.ctx, req.query));

  app.post('/api/risks', {
    config: { action: A['risks.manage'] },
    schema: { tags, summary: 'Create a risk scenario', body: RiskCreateBody, response: { 201: RiskDetail } },
  }, async (req, reply) => reply.status(201).send(await risks.createRisk(req.ctx, req.body)));

  app.get('/api/risks/:id', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'One risk with assets, treatment tasks and reviews', params: Id, response: { 200: RiskDetail } },
  }, async (req) => risks.getRisk(req.ctx, req.params.id));

  app.patch('/api/risks/:id', {
    config: { action: A['risks.manage'] },
    schema: { tags, summary: 'Change a risk (only the fields given)', params: Id, body: RiskUpdateBody, response: { 200: RiskDetail } },
  }, async (req) => risks.updateRisk(req.ctx, req.params.id, req.body));

  app.get('/api/risks/:id/history', {
    config: { action: A['risks.read'] },
    schema: { tags, summary: 'Score history (creation, edits, reviews, method changes)', params: Id, response: { 200: z.array(HistoryRow) } },
  }, async (req) => risks.riskHistory(req.ctx, req.params.id));

  app.post('/api/risks/:id/tasks', {
    config: { action: A['risks.manage'] },
    schema: { tags, summary: 'Add a treatment task linked to Annex A controls', params: Id, body: TaskCreateBody, response: { 201: TaskRow } },
  }, async (req, reply) => reply.status(201).send(await addTask(req.ctx, req.params.id, req.body)));

  app.patch('/api/risks/:id/tasks/:taskId', {
    config: { action: A['risks.tasks'] },
    schema: { tags, summary: 'Change a treatment task (control owners may change its status)', params: TaskId, body: TaskUpdateBody, response: { 200: TaskRow } },
  }, async (req) => updateTask(req.ctx, req.params.id, req.params.taskId, req.body));

  app.post('/api/risks/:id/acceptance', {
    config: { action: A['risks.accept'] },
    schema: { tags, summary: 'Sign off the acceptance of the risk (the risk owner only)', params: Id, body: AcceptanceBody, response: { 200: RiskDetail } },
  }, async (req) => acceptRisk(req.ctx, req.params.id, req.body));

  app.post('/api/risks/:id/review', {
    config: { action: A['risks.manage'] },
    schema: { tags, summary: 'Record a review: outcome, re-rating, next review date', params: Id, body: ReviewBody, response: { 200: RiskDetail } },
  }, async (req) => reviewRisk(req.ctx, req.params.id, req.body));
};
