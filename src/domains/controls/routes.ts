import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import { listChecks, recordCheck } from './checks.js';
import { createEvidence, deleteEvidence, downloadEvidence, getEvidence, listEvidence, reviewEvidence, updateEvidence } from './evidence.js';
import { ControlActions as A } from './policy.js';
import {
  CheckQuery, CheckRecordBody, CheckRow, ControlCreateBody, ControlDetail, ControlQuery, ControlRow, ControlUpdateBody, EvidenceCreateBody, EvidenceQuery, EvidenceReviewBody, EvidenceRow,
  EvidenceUpdateBody,
} from './schema.js';
import * as controls from './service.js';

const Id = z.object({ id: z.string().uuid() });
const tags = ['controls'];
/** Evidence files up to the store's limit travel as base64 JSON. */
const EVIDENCE_BODY_LIMIT = 40 * 1024 * 1024;

/** RFC 6266 filename with a plain-ASCII fallback. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const controlRoutes: FastifyPluginAsyncZod = async (app) => {
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
    bodyLimit: EVIDENCE_BODY_LIMIT,
    schema: { tags, summary: 'Add evidence: a file (base64, stored content-addressed) or a link, for applied controls', body: EvidenceCreateBody, response: { 201: EvidenceRow } },
  }, async (req, reply) => reply.status(201).send(await createEvidence(req.ctx, req.body)));

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
  }, async (req, reply) => {
    const f = await downloadEvidence(req.ctx, req.params.id);
    return reply
      .type('application/octet-stream')
      .header('content-disposition', disposition(f.name))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .header('digest', `sha-256=${Buffer.from(f.sha256, 'hex').toString('base64')}`)
      .send(f.bytes);
  });
};
