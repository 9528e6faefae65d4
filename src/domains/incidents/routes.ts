import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Page, Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { receiveUpload, sendStoredFile } from '../../server/files.js';
import { CorrectiveActionRow } from '../corrective-actions/schema.js';
import { IncidentActions as A } from './policy.js';
import { RegimeInstallBody, RegimeRow, RegimeUpdateBody } from './regimes/schema.js';
import { RSIT } from './rsit.js';
import {
  AttachmentFields,
  AttachmentRow,
  AssignBody,
  Correlation,
  DraftPatchBody,
  IncidentCreateBody,
  IncidentDetail,
  IncidentQuery,
  IncidentRow,
  JournalBody,
  LessonsBody,
  RiskReviewOpened,
  MessageBody,
  MessageRow,
  NoteBody,
  NoteRow,
  StageDiff,
  StageRow,
  StageSubmitBody,
  TaskBody,
  TaskPatchBody,
  TaskRow,
  TimelineEntry,
  TransitionBody,
} from './schema.js';
import { incidentsWorkbook, statsWorkbook } from './export.js';
import * as attachments from './service/attachments.js';
import * as cases from './service/cases.js';
import * as handling from './service/handling.js';
import { incidentStats } from './service/stats.js';
import * as lessons from './service/lessons.js';
import { exportRows, listIncidents } from './service/queue.js';
import * as regimes from './service/regimes.js';
import * as reports from './service/reports.js';

const Id = z.object({ id: z.string().uuid() });
const StatsQuery = z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), orgId: z.string().uuid().optional() });
const CaseQuery = Page.extend({ q: z.string().trim().max(200).optional(), status: z.enum(['open', 'closed']).optional() });
const CaseCreateBody = z.strictObject({ title: z.string().trim().min(3).max(300), description: z.string().trim().max(20000).default(''), incidentIds: z.array(z.string().uuid()).max(500).default([]) });
const CasePatchBody = z.strictObject({ title: z.string().trim().min(3).max(300).optional(), status: z.enum(['open', 'closed']).optional(), addIncidentIds: z.array(z.string().uuid()).max(500).optional(), removeIncidentIds: z.array(z.string().uuid()).max(500).optional() });

function xlsx(reply: FastifyReply, name: string, body: Buffer) {
  return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

const Ok = z.object({ ok: z.literal(true) });

// Routes on one incident declare no route-level action: the service first
// looks the incident up (another tenant's id is INCIDENT_NOT_FOUND, 404) and
// only then checks the role, so an id never leaks through a 403.
export function incidentRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const d = { mailer: deps.mailer };
  return async (app) => {
    app.get('/api/rsit', {
      schema: { tags: ['incidents'], summary: 'The ENISA Reference Security Incident Taxonomy (classes and types)', response: { 200: z.object({ name: z.string(), version: z.string(), source: z.string(), classes: z.array(z.object({ key: z.string(), label: z.string(), types: z.array(z.object({ key: z.string(), label: z.string(), description: z.string() })) })) }) } },
    }, async () => RSIT);

    app.get('/api/regimes', {
      config: { action: A['regimes.read'] },
      schema: { tags: ['regimes'], summary: 'Reporting regimes: own, or those of the CERTs serving the acting org', response: { 200: z.array(RegimeRow) } },
    }, async (req) => regimes.listRegimes(req.ctx));

    app.post('/api/regimes', {
      config: { action: A['regimes.manage'] },
      schema: { tags: ['regimes'], summary: 'Install a shipped preset (dora, nis2, local) as an editable regime', body: RegimeInstallBody, response: { 201: RegimeRow } },
    }, async (req, reply) => reply.status(201).send(await regimes.installPreset(req.ctx, req.body)));

    app.patch('/api/regimes/:id', {
      config: { action: A['regimes.manage'] },
      schema: { tags: ['regimes'], summary: 'Tune thresholds and deadlines, or make the regime the default', params: Id, body: RegimeUpdateBody, response: { 200: RegimeRow } },
    }, async (req) => regimes.updateRegime(req.ctx, req.params.id, req.body));

    app.get('/api/incidents', {
      config: { action: A['incidents.read'] },
      schema: { tags: ['incidents'], summary: "Own reports, or the CERT's triage queue (filters, search, deadline sort, pagination)", querystring: IncidentQuery, response: { 200: Paged(IncidentRow) } },
    }, async (req) => listIncidents(req.ctx, req.query));

    app.get('/api/incidents/stats', {
      config: { action: A['incidents.read'] },
      schema: { tags: ['incidents'], summary: 'Chart-ready statistics: by class, severity, entity, month; medians; deadline adherence; advisory rates', querystring: StatsQuery },
    }, async (req) => incidentStats(req.ctx, req.query));

    app.get('/api/incidents/stats.xlsx', {
      config: { action: A['incidents.export'] },
      schema: { tags: ['incidents'], summary: 'The statistics as an Excel workbook', querystring: StatsQuery },
    }, async (req, reply) => xlsx(reply, 'incident-statistics.xlsx', await statsWorkbook(await incidentStats(req.ctx, req.query))));

    app.get('/api/incidents/export.xlsx', {
      config: { action: A['incidents.export'] },
      schema: { tags: ['incidents'], summary: 'The filtered incident list as an Excel workbook (up to 10,000 rows)', querystring: IncidentQuery.omit({ limit: true, offset: true }) },
    }, async (req, reply) => xlsx(reply, 'incidents.xlsx', await incidentsWorkbook(await exportRows(req.ctx, req.query))));

    app.get('/api/cases', {
      config: { action: A['incidents.coordinate'] },
      schema: { tags: ['cases'], summary: 'Coordination cases (CERT)', querystring: CaseQuery },
    }, async (req) => cases.listCases(req.ctx, req.query));

    app.post('/api/cases', {
      config: { action: A['incidents.coordinate'] },
      schema: { tags: ['cases'], summary: 'Link incidents of several entities into one case', body: CaseCreateBody },
    }, async (req, reply) => reply.status(201).send(await cases.createCase(req.ctx, req.body)));

    app.get('/api/cases/:id', {
      config: { action: A['incidents.coordinate'] },
      schema: { tags: ['cases'], summary: 'Affected entities, shared observables and one timeline (no report content)', params: Id },
    }, async (req) => cases.getCase(req.ctx, req.params.id));

    app.patch('/api/cases/:id', {
      config: { action: A['incidents.coordinate'] },
      schema: { tags: ['cases'], summary: 'Add or remove incidents, rename or close the case', params: Id, body: CasePatchBody },
    }, async (req) => cases.updateCase(req.ctx, req.params.id, req.body));

    app.post('/api/incidents', {
      config: { action: A['incidents.report'] },
      schema: { tags: ['incidents'], summary: 'Open a draft incident report', body: IncidentCreateBody, response: { 201: IncidentDetail } },
    }, async (req, reply) => reply.status(201).send(await reports.createIncident(req.ctx, req.body)));

    app.get('/api/incidents/:id', {
      schema: { tags: ['incidents'], summary: 'One incident with deadlines and the major-incident suggestion', params: Id, response: { 200: IncidentDetail } },
    }, async (req) => reports.getIncident(req.ctx, req.params.id));

    app.patch('/api/incidents/:id/draft', {
      schema: { tags: ['incidents'], summary: 'Autosave the draft report (null clears a field)', params: Id, body: DraftPatchBody, response: { 200: IncidentDetail } },
    }, async (req) => reports.patchDraft(req.ctx, req.params.id, req.body));

    app.post('/api/incidents/:id/stages', {
      schema: { tags: ['incidents'], summary: 'Submit the draft as the initial, intermediate or final stage (all-or-nothing)', params: Id, body: StageSubmitBody, response: { 200: IncidentDetail } },
    }, async (req) => reports.submitStage(req.ctx, d, req.params.id, req.body.stage));

    app.get('/api/incidents/:id/attachments', {
      schema: { tags: ['incidents'], summary: 'Attachments: the entity sees its current ones (removed=true adds removed ones), the CERT those listed in submitted stages', params: Id, querystring: z.object({ removed: z.enum(['true', 'false']).optional() }), response: { 200: z.array(AttachmentRow) } },
    }, async (req) => attachments.listAttachments(req.ctx, req.params.id, { removed: req.query.removed === 'true' }));

    app.post('/api/incidents/:id/attachments', {
      config: { upload: true },
      schema: { tags: ['incidents'], summary: 'Attach a file to the report (multipart/form-data: part "file", optional field "description"); listed in the next submitted stage', params: Id, consumes: ['multipart/form-data'], response: { 201: AttachmentRow } },
    }, async (req, reply) => {
      await attachments.assertAttachable(req.ctx, req.params.id);
      const up = await receiveUpload(req, deps.files, AttachmentFields);
      return reply.status(201).send(await attachments.addAttachment(req.ctx, deps.files, req.params.id, { stored: up.stored, filename: up.filename, description: up.fields.description }));
    });

    app.get('/api/incidents/:id/attachments/:attachmentId/file', {
      schema: { tags: ['incidents'], summary: 'Download an attachment (always as an attachment; the CERT: those listed in a submitted stage)', params: z.object({ id: z.string().uuid(), attachmentId: z.string().uuid() }) },
    }, async (req, reply) => sendStoredFile(req, reply, deps.files, await attachments.attachmentForDownload(req.ctx, req.params.id, req.params.attachmentId)));

    app.delete('/api/incidents/:id/attachments/:attachmentId', {
      schema: { tags: ['incidents'], summary: 'Take an attachment off the working copy (submitted stages keep listing it)', params: z.object({ id: z.string().uuid(), attachmentId: z.string().uuid() }), response: { 200: Ok } },
    }, async (req) => {
      await attachments.removeAttachment(req.ctx, req.params.id, req.params.attachmentId);
      return { ok: true as const };
    });

    app.get('/api/incidents/:id/stages', {
      schema: { tags: ['incidents'], summary: 'Submitted stages (immutable snapshots)', params: Id, response: { 200: z.array(StageRow) } },
    }, async (req) => reports.listStages(req.ctx, req.params.id));

    app.get('/api/incidents/:id/diff', {
      schema: { tags: ['incidents'], summary: 'What changed between two submitted stages', params: Id, querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }), response: { 200: StageDiff } },
    }, async (req) => lessons.diffStages(req.ctx, req.params.id, req.query.from, req.query.to));

    app.post('/api/incidents/:id/transition', {
      schema: { tags: ['incidents'], summary: 'Move through the NIST SP 800-61 lifecycle (CERT)', params: Id, body: TransitionBody, response: { 200: IncidentDetail } },
    }, async (req) => handling.transition(req.ctx, d, req.params.id, req.body.to, req.body.reason));

    app.post('/api/incidents/:id/assign', {
      schema: { tags: ['incidents'], summary: 'Assign to an analyst (CERT)', params: Id, body: AssignBody, response: { 200: IncidentDetail } },
    }, async (req) => handling.assign(req.ctx, d, req.params.id, req.body.assigneeId));

    app.get('/api/incidents/:id/messages', {
      schema: { tags: ['incidents'], summary: 'The thread between the entity and the CERT', params: Id, response: { 200: z.array(MessageRow) } },
    }, async (req) => handling.listMessages(req.ctx, req.params.id));

    app.post('/api/incidents/:id/messages', {
      schema: { tags: ['incidents'], summary: 'Write a TLP-marked message to the other side', params: Id, body: MessageBody, response: { 201: MessageRow } },
    }, async (req, reply) => reply.status(201).send(await handling.postMessage(req.ctx, d, req.params.id, req.body)));

    app.get('/api/incidents/:id/notes', {
      schema: { tags: ['incidents'], summary: 'Internal notes (CERT only)', params: Id, response: { 200: z.array(NoteRow) } },
    }, async (req) => handling.listNotes(req.ctx, req.params.id));

    app.post('/api/incidents/:id/notes', {
      schema: { tags: ['incidents'], summary: 'Add an internal note (CERT only)', params: Id, body: NoteBody, response: { 201: NoteRow } },
    }, async (req, reply) => reply.status(201).send(await handling.addNote(req.ctx, req.params.id, req.body.body)));

    app.get('/api/incidents/:id/timeline', {
      schema: { tags: ['incidents'], summary: 'States, stages, messages (and, for the CERT, its journal) in time order', params: Id, response: { 200: z.array(TimelineEntry) } },
    }, async (req) => handling.timeline(req.ctx, req.params.id));

    app.post('/api/incidents/:id/journal', {
      schema: { tags: ['incidents'], summary: "Add an entry to the CERT's journal", params: Id, body: JournalBody, response: { 200: Ok } },
    }, async (req) => {
      await handling.addJournalEntry(req.ctx, req.params.id, req.body.text);
      return { ok: true as const };
    });

    app.get('/api/incidents/:id/tasks', {
      schema: { tags: ['incidents'], summary: 'Tasks on the incident (CERT)', params: Id, response: { 200: z.array(TaskRow) } },
    }, async (req) => handling.listTasks(req.ctx, req.params.id));

    app.post('/api/incidents/:id/tasks', {
      schema: { tags: ['incidents'], summary: 'Add a task (CERT)', params: Id, body: TaskBody, response: { 201: TaskRow } },
    }, async (req, reply) => reply.status(201).send(await handling.addTask(req.ctx, req.params.id, req.body)));

    app.patch('/api/incidents/:id/tasks/:taskId', {
      schema: { tags: ['incidents'], summary: 'Change a task (CERT)', params: Id.extend({ taskId: z.string().uuid() }), body: TaskPatchBody, response: { 200: TaskRow } },
    }, async (req) => handling.updateTask(req.ctx, req.params.id, req.params.taskId, req.body));

    app.get('/api/incidents/:id/correlations', {
      schema: { tags: ['incidents'], summary: 'Other incidents sharing an observable (exact match, CERT)', params: Id, response: { 200: z.array(Correlation) } },
    }, async (req) => handling.correlations(req.ctx, req.params.id));

    app.post('/api/incidents/:id/lessons', {
      schema: { tags: ['incidents'], summary: 'Record lessons learned after closure and turn them into corrective actions (entity)', params: Id, body: LessonsBody, response: { 200: z.object({ lessonsLearned: z.string(), correctiveActions: z.array(CorrectiveActionRow), riskReviews: z.array(RiskReviewOpened) }) } },
    }, async (req) => lessons.recordLessons(req.ctx, req.params.id, req.body));
  };
}
