import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { receiveUpload, sendStoredFile } from '../../server/files.js';
import { acknowledge, campaignTargets, listCampaigns, myPendingAcknowledgements, remindCampaign, startCampaign } from './campaigns.js';
import { DocumentActions as A } from './policy.js';
import {
  CampaignCreateBody, CampaignRow, CampaignTargetQuery, CampaignTargetRow, DocumentCreateBody, DocumentDetail, DocumentQuery, DocumentRow, DocumentUpdateBody, DraftBody,
  PendingAck, TransitionBody, UploadFields, VersionFile,
} from './schema.js';
import * as docs from './service.js';

const Id = z.object({ id: z.string().uuid() });
const IdVersion = z.object({ id: z.string().uuid(), version: z.coerce.number().int().min(1) });
const tags = ['documents'];

export function documentRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/documents', {
      config: { action: A['documents.read'] },
      schema: { tags, summary: 'Policies and documents (search, filter by kind/classification/status/owner/review due, paginate)', querystring: DocumentQuery, response: { 200: Paged(DocumentRow) } },
    }, async (req) => docs.listDocuments(req.ctx, req.query));

    app.get('/api/documents/acknowledgements/mine', {
      config: { action: A['documents.acknowledge'] },
      schema: { tags, summary: 'Documents the signed-in user still has to read and accept', response: { 200: z.array(PendingAck) } },
    }, async (req) => myPendingAcknowledgements(req.ctx));

    app.post('/api/documents', {
      config: { action: A['documents.write'] },
      schema: { tags, summary: 'Create a document (version 1 as a markdown draft)', body: DocumentCreateBody, response: { 201: DocumentDetail } },
    }, async (req, reply) => reply.status(201).send(await docs.createDocument(req.ctx, req.body)));

    app.get('/api/documents/:id', {
      config: { action: A['documents.read'] },
      schema: { tags, summary: 'One document with its versions and text', params: Id, response: { 200: DocumentDetail } },
    }, async (req) => docs.getDocument(req.ctx, req.params.id));

    app.get('/api/documents/:id/versions/:version', {
      config: { action: A['documents.read'] },
      schema: { tags, summary: 'The markdown (or uploaded file details) of one version', params: IdVersion, response: { 200: z.object({ version: z.number().int(), status: z.string(), markdown: z.string(), file: VersionFile.nullable() }) } },
    }, async (req) => docs.getVersion(req.ctx, req.params.id, req.params.version));

    app.get('/api/documents/:id/versions/:version/file', {
      config: { action: A['documents.read'] },
      schema: { tags, summary: 'Download the uploaded file of a version (always as an attachment; readers: the published version only)', params: IdVersion },
    }, async (req, reply) => sendStoredFile(req, reply, deps.files, await docs.versionFile(req.ctx, req.params.id, req.params.version)));

    app.post('/api/documents/:id/draft/file', {
      config: { action: A['documents.write'], upload: true },
      schema: { tags, summary: 'Make the draft an uploaded file (multipart/form-data: part "file", optional field "changeNote"); it then goes through the same approval workflow', params: Id, consumes: ['multipart/form-data'], response: { 200: DocumentDetail } },
    }, async (req) => {
      await docs.assertDraftUploadable(req.ctx, req.params.id);
      const up = await receiveUpload(req, deps.files, UploadFields);
      return docs.uploadDraftFile(req.ctx, deps.files, req.params.id, { stored: up.stored, filename: up.filename, changeNote: up.fields.changeNote });
    });

    app.patch('/api/documents/:id', {
      config: { action: A['documents.write'] },
      schema: { tags, summary: 'Change title, kind, classification, owner or review cycle', params: Id, body: DocumentUpdateBody, response: { 200: DocumentDetail } },
    }, async (req) => docs.updateDocument(req.ctx, req.params.id, req.body));

    app.put('/api/documents/:id/draft', {
      config: { action: A['documents.write'] },
      schema: { tags, summary: 'Replace the text of the current draft', params: Id, body: DraftBody, response: { 200: DocumentDetail } },
    }, async (req) => docs.editDraft(req.ctx, req.params.id, req.body));

    app.post('/api/documents/:id/versions', {
      config: { action: A['documents.write'] },
      schema: { tags, summary: 'Start the next version as a draft (copy of the latest)', params: Id, body: z.strictObject({ changeNote: z.string().max(2000).optional() }), response: { 201: DocumentDetail } },
    }, async (req, reply) => reply.status(201).send(await docs.newVersion(req.ctx, req.params.id, req.body.changeNote)));

    app.post('/api/documents/:id/transition', {
      config: { action: A['documents.read'] },
      schema: { tags, summary: 'Workflow: submit, approve / reject (not the author), publish, retire', params: Id, body: TransitionBody, response: { 200: DocumentDetail } },
    }, async (req) => docs.transition(req.ctx, req.params.id, req.body.action, req.body.note));

    app.post('/api/documents/:id/acknowledge', {
      config: { action: A['documents.acknowledge'] },
      schema: { tags, summary: 'I have read and accept the published version', params: Id, response: { 200: z.object({ version: z.number().int(), acknowledgedAt: z.string() }) } },
    }, async (req) => acknowledge(req.ctx, req.params.id));

    app.get('/api/documents/:id/campaigns', {
      config: { action: A['documents.campaigns'] },
      schema: { tags, summary: "The document's acknowledgement campaigns with progress", params: Id, response: { 200: z.array(CampaignRow) } },
    }, async (req) => listCampaigns(req.ctx, req.params.id));

    app.post('/api/documents/:id/campaigns', {
      config: { action: A['documents.campaigns'] },
      schema: { tags, summary: 'Ask members (all, or by role) to acknowledge the published version by a date', params: Id, body: CampaignCreateBody, response: { 201: CampaignRow } },
    }, async (req, reply) => reply.status(201).send(await startCampaign(req.ctx, deps.mailer, req.params.id, req.body)));

    app.get('/api/documents/campaigns/:id', {
      config: { action: A['documents.campaigns'] },
      schema: { tags, summary: "A campaign's people: acknowledged or pending", params: Id, querystring: CampaignTargetQuery, response: { 200: Paged(CampaignTargetRow).extend({ campaign: CampaignRow }) } },
    }, async (req) => campaignTargets(req.ctx, req.params.id, req.query));

    app.post('/api/documents/campaigns/:id/remind', {
      config: { action: A['documents.campaigns'] },
      schema: { tags, summary: 'Remind everyone who has not acknowledged yet', params: Id, response: { 200: z.object({ reminded: z.number().int() }) } },
    }, async (req) => remindCampaign(req.ctx, deps.mailer, req.params.id));
  };
}
