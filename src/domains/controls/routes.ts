import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { receiveUpload, sendStoredFile } from '../../server/files.js';
import { listChecks, recordCheck } from './checks.js';
import { createFileEvidence, createLinkEvidence, deleteEvidence, evidenceFile, getEvidence, listEvidence, reviewEvidence, updateEvidence } from './evidence.js';
import { ControlActions as A } from './policy.js';
import {
  CheckQuery, CheckRecordBody, CheckRow, ControlCreateBody, ControlDetail, ControlQuery, ControlRow, ControlUpdateBody, EvidenceFileFields, EvidenceLinkBody, EvidenceQuery, EvidenceReviewBody, EvidenceRow,
  EvidenceUpdateBody,
} from './schema.js';
import * as controls from './service.js';

const Id = z.object({ id: z.string().uuid() });
const tags = ['controls'];

export const controlRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/controls', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'Applied controls (search, filter by status, owner, mapped requirement, checks due; paginate)', querystring: ControlQuery, response: { 200: Paged(ControlRow) } },
  }, async (req) => controls.listControls(req.ctx, req.query));

  app.post('/api/controls', {
    config: { action: A['controls.manage'] },
    schema: { tags, summary: 'Create an applied control mapped to requirements of any framework', body: ControlCreateBody, response: { 201: ControlDetail } },
  }, async (req, reply) => reply.status(201).send(await controls.createControl(req.ctx, req.body)));

  app.get('/api/controls/checks', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'Recurring control checks (open, overdue, done)', querystring: CheckQuery, response: { 200: Paged(CheckRow) } },
  }, async (req) => listChecks(req.ctx, req.query));

  app.get('/api/controls/:id', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'One applied control with its checks and evidence', params: Id, response: { 200: ControlDetail } },
  }, async (req) => controls.getControl(req.ctx, req.params.id));

  app.patch('/api/controls/:id', {
    config: { action: A['controls.manage'] },
    schema: { tags, summary: 'Change an applied control (requirements replace the mappings)', params: Id, body: ControlUpdateBody, response: { 200: ControlDetail } },
  }, async (req) => controls.updateControl(req.ctx, req.params.id, req.body));

  app.delete('/api/controls/:id', {
    config: { action: A['controls.manage'] },
    schema: { tags, summary: 'Delete an applied control', params: Id },
  }, async (req, reply) => {
    await controls.deleteControl(req.ctx, req.params.id);
    return reply.status(204).send();
  });

  app.post('/api/controls/:id/checks', {
    config: { action: A['controls.evidence'] },
    schema: { tags, summary: "Record the result of the control's due (or an ad-hoc) check", params: Id, body: CheckRecordBody, response: { 201: CheckRow } },
  }, async (req, reply) => reply.status(201).send(await recordCheck(req.ctx, req.params.id, req.body)));

  app.get('/api/evidence', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'Evidence (search, filter by control, state, kind; paginate)', querystring: EvidenceQuery, response: { 200: Paged(EvidenceRow) } },
  }, async (req) => listEvidence(req.ctx, req.query));

  app.post('/api/evidence', {
    config: { action: A['controls.evidence'] },
    schema: { tags, summary: 'Add link evidence for applied controls', body: EvidenceLinkBody, response: { 201: EvidenceRow } },
  }, async (req, reply) => reply.status(201).send(await createLinkEvidence(req.ctx, req.body)));

  app.post('/api/evidence/upload', {
    config: { action: A['controls.evidence'], upload: true },
    schema: {
      tags,
      summary: 'Upload an evidence file (multipart/form-data: part "file" plus title, description, validFrom, validUntil, controlIds comma-separated); stored content-addressed, type sniffed',
      response: { 201: EvidenceRow },
    },
  }, async (req, reply) => {
    const up = await receiveUpload(req, deps.files, EvidenceFileFields);
    return reply.status(201).send(await createFileEvidence(req.ctx, up.fields, { store: deps.files, stored: up.stored, filename: up.filename }));
  });

  app.get('/api/evidence/:id', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'One evidence item', params: Id, response: { 200: EvidenceRow } },
  }, async (req) => getEvidence(req.ctx, req.params.id));

  app.patch('/api/evidence/:id', {
    config: { action: A['controls.evidence'] },
    schema: { tags, summary: 'Change title, validity period or linked controls', params: Id, body: EvidenceUpdateBody, response: { 200: EvidenceRow } },
  }, async (req) => updateEvidence(req.ctx, req.params.id, req.body));

  app.delete('/api/evidence/:id', {
    config: { action: A['controls.evidence'] },
    schema: { tags, summary: 'Delete an evidence item', params: Id },
  }, async (req, reply) => {
    await deleteEvidence(req.ctx, req.params.id);
    return reply.status(204).send();
  });

  app.post('/api/evidence/:id/review', {
    config: { action: A['controls.review'] },
    schema: { tags, summary: 'Review evidence (the owner of a linked control): accepted or rejected', params: Id, body: EvidenceReviewBody, response: { 200: EvidenceRow } },
  }, async (req) => reviewEvidence(req.ctx, req.params.id, req.body));

  app.get('/api/evidence/:id/file', {
    config: { action: A['controls.read'] },
    schema: { tags, summary: 'Download the stored file (always as an attachment, never rendered)', params: Id },
  }, async (req, reply) => sendStoredFile(req, reply, deps.files, await evidenceFile(req.ctx, req.params.id)));
};
