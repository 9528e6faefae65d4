import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { lookupObservables } from './lookup.js';
import { z } from 'zod';
import { newId } from '../../core/ids.js';
import { Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { correlateObservables } from './correlation.js';
import { getImport, queueImport, queueRecorrelation } from './imports.js';
import { IntelActions as A } from './policy.js';
import { exportBundle, getObject, listObjects, listVersions, objectGraph } from './read.js';
import {
  GraphResponse,
  ImportQuery,
  ImportRow,
  LookupBody,
  LookupRow,
  MatchQuery,
  MatchRow,
  ObjectDetail,
  ObjectQuery,
  ObjectSummary,
  SightingBody,
  SightingCounts,
  WatchlistBody,
} from './schema.js';
import { addSighting, listMatches } from './sightings.js';
import { reshareAnonymised } from './reshare.js';
import { claimIdentity } from './identities.js';
import { AlertSettings, getAlertSettings, setAlertSettings } from './alerts.js';
import { listWarningLists, updateWarningList } from './warning-lists.js';

/** Largest bundle the API takes in one request (the ATT&CK Enterprise bundle is ~50 MB). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

const StixId = z.object({ id: z.string().regex(/^[a-z0-9-]+--[0-9a-fA-F-]{36}$/, 'a STIX id, <type>--<uuid>') });
const Id = z.object({ id: z.string().uuid() });

export function intelRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/intel/imports', {
      config: { action: A['intel.import'] },
      bodyLimit: MAX_BUNDLE_BYTES,
      schema: {
        tags: ['intel'],
        summary: 'Import a STIX 2.1 bundle (the body). Validated at once (400 names id, path, reason); stored by a job; poll the import for progress',
        querystring: ImportQuery,
        body: z.unknown(),
        response: { 202: ImportRow },
      },
    }, async (req, reply) => {
      const { source, allowAnonymisedReshare, ...sharing } = req.query;
      return reply.status(202).send(await queueImport(req.ctx, deps.jobs, req.body, { source, sharing, allowAnonymisedReshare: allowAnonymisedReshare === 'true' }));
    });

    app.post('/api/intel/objects/:id/reshare-anonymised', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: 'CERT: re-share a constituent\'s object anonymised (source stripped) as TLP:GREEN, where the constituent allowed it', params: StixId, response: { 201: z.object({ id: z.string(), inserted: z.number() }) } },
    }, async (req, reply) => {
      const r = await reshareAnonymised(req.ctx, req.params.id, deps.mailer);
      return reply.status(201).send({ id: r.id, inserted: r.inserted });
    });

    app.get('/api/intel/imports/:id', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'An import with its progress and outcome', params: Id, response: { 200: ImportRow } },
    }, async (req) => getImport(req.ctx, req.params.id));

    app.get('/api/intel/objects', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Search STIX objects visible to the acting org (latest versions)', querystring: ObjectQuery, response: { 200: Paged(ObjectSummary) } },
    }, async (req) => listObjects(req.ctx, req.query));

    app.get('/api/intel/objects/:id', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'One STIX object (latest visible version, or ?version=)', params: StixId, querystring: z.object({ version: z.string().max(64).optional() }), response: { 200: ObjectDetail } },
    }, async (req) => getObject(req.ctx, req.params.id, req.query.version));

    app.get('/api/intel/objects/:id/versions', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Every visible version of a STIX object', params: StixId, response: { 200: z.array(ObjectSummary) } },
    }, async (req) => listVersions(req.ctx, req.params.id));

    app.get('/api/intel/objects/:id/graph', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Relationships around an object, as nodes and edges', params: StixId, response: { 200: GraphResponse } },
    }, async (req) => objectGraph(req.ctx, req.params.id));

    app.get('/api/intel/export', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Export visible objects matching the filters as one STIX 2.1 bundle', querystring: ObjectQuery.omit({ limit: true, offset: true }) },
    }, async (req, reply) => {
      const r = await exportBundle(req.ctx, req.query, `bundle--${newId()}`);
      return reply.header('content-type', 'application/stix+json;version=2.1').header('content-disposition', 'attachment; filename="bundle.json"').send(r.text);
    });

    app.post('/api/intel/objects/:id/sightings', {
      config: { action: A['intel.sight'] },
      schema: { tags: ['intel'], summary: 'Report a sighting (or a false positive) of an indicator', params: StixId, body: SightingBody, response: { 201: z.object({ id: z.string().uuid(), counts: SightingCounts }) } },
    }, async (req, reply) => reply.status(201).send(await addSighting(req.ctx, req.params.id, req.body)));

    app.post('/api/intel/watchlist', {
      config: { action: A['intel.watchlist'] },
      schema: { tags: ['intel'], summary: 'Add values to a watchlist of the acting org; they are correlated at once', body: WatchlistBody, response: { 200: z.object({ matches: z.number().int() }) } },
    }, async (req) => ({ matches: (await correlateObservables(req.ctx, { kind: 'watchlist', ref: req.body.name }, req.body.observables, { mailer: deps.mailer })).length }));

    app.get('/api/intel/matches', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Correlation matches the acting org may see (both sides visible)', querystring: MatchQuery, response: { 200: Paged(MatchRow) } },
    }, async (req) => listMatches(req.ctx, req.query));

    app.post('/api/intel/lookup', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'What each value matches among the intelligence and own incidents the acting org may see (nothing stored)', body: LookupBody, response: { 200: z.array(LookupRow) } },
    }, async (req) => lookupObservables(req.ctx, req.body));

    app.post('/api/intel/recorrelate', {
      config: { action: A['intel.recorrelate'] },
      schema: { tags: ['intel'], summary: 'Start a full re-correlation of the acting org (a job; poll /api/jobs/:id)', response: { 202: z.object({ jobId: z.string().uuid() }) } },
    }, async (req, reply) => {
      return reply.status(202).send({ jobId: await queueRecorrelation(req.ctx, deps.jobs) });
    });

    app.post('/api/intel/identities', {
      config: { action: A['intel.import'] },
      schema: { tags: ['intel'], summary: 'Record that a STIX identity (created_by_ref) stands for the acting org', body: z.strictObject({ identityId: z.string().max(100) }), response: { 200: z.object({ identityId: z.string(), orgId: z.string().uuid() }) } },
    }, async (req) => claimIdentity(req.ctx, req.body.identityId));

    app.get('/api/intel/alert-settings', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'How the acting org is alerted about new matches', response: { 200: AlertSettings } },
    }, async (req) => getAlertSettings(req.ctx));

    app.put('/api/intel/alert-settings', {
      config: { action: A['intel.watchlist'] },
      schema: { tags: ['intel'], summary: 'Set email and webhook alerts for new matches', body: AlertSettings, response: { 200: AlertSettings } },
    }, async (req) => setAlertSettings(req.ctx, req.body));

    app.get('/api/intel/warning-lists', {
      config: { action: A['intel.read'] },
      schema: { tags: ['intel'], summary: 'Warning lists (values that flag likely false positives)', response: { 200: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), description: z.string(), enabled: z.boolean(), entries: z.array(z.string()) })) } },
    }, async (req) => listWarningLists(req.ctx));

    app.patch('/api/intel/warning-lists/:id', {
      config: { action: A['warninglists.manage'] },
      schema: { tags: ['intel'], summary: 'Enable, disable or replace the entries of a warning list (platform administrators)', params: z.object({ id: z.string().max(100) }), body: z.strictObject({ enabled: z.boolean().optional(), entries: z.array(z.string().max(300)).max(100_000).optional() }) },
    }, async (req) => updateWarningList(req.ctx, req.params.id, req.body));

  };
}
