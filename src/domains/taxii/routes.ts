import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../../core/access/index.js';
import { AppError, E } from '../../core/errors.js';
import type { AppDeps } from '../../server/deps.js';
import { resolveToken } from '../auth/tokens.js';
import { IntelActions } from '../intel/policy.js';
import { TaxiiErrors } from './errors.js';
import { KeptPages } from './kept-pages.js';
import { rateLimit } from '../../server/rate-limit.js';
import {
  addObjects,
  deleteObject,
  getCollection,
  getStatus,
  listCollections,
  manifestEntry,
  PUBLIC_COLLECTION,
  queryObjectDocs,
  queryObjects,
  queryPublicObjectDocs,
  queryPublicObjects,
  type Collection,
  type DocPage,
  type ObjectFilter,
} from './service.js';

type QueryPage = Awaited<ReturnType<typeof queryObjects>>;

/** How a root reads a collection: pages of rows (manifest, versions) and pages of objects. */
interface Reader {
  rows: (req: FastifyRequest, c: Collection, f: ObjectFilter) => Promise<QueryPage>;
  docs: (req: FastifyRequest, c: Collection, f: ObjectFilter, always?: boolean) => Promise<DocPage>;
}

/** The TAXII 2.1 media type: required in Accept, and as Content-Type on POST. */
export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
const MAX_CONTENT = 16 * 1024 * 1024;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/taxii+json') return false;
    const v = params.find((p) => p.startsWith('version='));
    return !v || v === 'version=2.1';
  });
}

function isTaxiiContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const [type, ...params] = ct.split(';').map((s) => s.trim().toLowerCase());
  const v = params.find((p) => p.startsWith('version='));
  return type === 'application/taxii+json' && (!v || v === 'version=2.1');
}

/** TAXII error bodies (section 3.6.1): title, description, http_status, error_code. */
function taxiiError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = 500;
  let title = 'Internal error';
  let code = 'INTERNAL';
  let description: string | undefined;
  if (err instanceof AppError) {
    status = err.status;
    title = err.message;
    code = err.code;
    if (err.errors?.length) description = err.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    if (err.headers) void reply.headers(err.headers);
  } else {
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode < 500) {
      status = fe.statusCode;
      title = status === 413 ? 'The request body is too large' : fe.message;
      code = fe.code ?? 'BAD_REQUEST';
    } else req.log.error({ err }, 'TAXII request failed');
  }
  if (status === 401) void reply.header('www-authenticate', 'Basic realm="TAXII", Bearer');
  return reply.status(status).type(TAXII_MEDIA).send({ title, ...(description ? { description } : {}), error_code: code, http_status: String(status), error_id: req.id });
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

function filterOf(q: Record<string, unknown>): ObjectFilter {
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1) throw TaxiiErrors.TAXII_BAD_REQUEST('limit must be a positive integer');
  const addedAfter = q.added_after === undefined ? undefined : String(q.added_after);
  if (addedAfter !== undefined && Number.isNaN(Date.parse(addedAfter))) throw TaxiiErrors.TAXII_BAD_REQUEST('added_after must be a timestamp');
  return {
    limit: Math.min(limit, MAX_LIMIT),
    addedAfter,
    next: q.next === undefined ? undefined : String(q.next),
    ids: list(q['match[id]']),
    types: list(q['match[type]']),
    versions: list(q['match[version]']),
    specVersions: list(q['match[spec_version]']),
  };
}

function dateHeaders(reply: FastifyReply, first?: string, last?: string): void {
  if (first) void reply.header('x-taxii-date-added-first', first);
  if (last) void reply.header('x-taxii-date-added-last', last);
}

function publicCollection(c: Collection) {
  return { id: c.id, title: c.title, description: c.description, can_read: c.can_read, can_write: c.can_write, media_types: c.media_types };
}

type RouteOpts = { config: { auth: 'public' }; schema: { hide: true } };

/**
 * The read endpoints of a TAXII API root (objects, object by id, versions,
 * manifest) over a collection resolver and a query; shared by the
 * authenticated root and the public CLEAR root.
 */
function readRoutes(
  app: FastifyInstance,
  root: string,
  opts: RouteOpts,
  collection: (req: FastifyRequest) => Promise<Collection>,
  read: Reader,
): void {
  app.get(`${root}/collections/:cid/objects/`, opts, async (req, reply) => {
    const c = await collection(req);
    const page = await read.docs(req, c, filterOf(req.query as Record<string, unknown>));
    dateHeaders(reply, page.first, page.last);
    // The stored JSON texts spliced in by the database, never re-serialised: objects stay exactly as received.
    return reply.send(page.body);
  });

  app.get(`${root}/collections/:cid/objects/:oid/`, opts, async (req, reply) => {
    const p = req.params as { cid: string; oid: string };
    const c = await collection(req);
    const page = await read.docs(req, c, { ...filterOf(req.query as Record<string, unknown>), ids: [p.oid] }, true);
    if (!page.count && !page.more && !(req.query as Record<string, unknown>).next) throw TaxiiErrors.TAXII_OBJECT_NOT_FOUND();
    dateHeaders(reply, page.first, page.last);
    return reply.send(page.body);
  });

  app.get(`${root}/collections/:cid/objects/:oid/versions/`, opts, async (req, reply) => {
    const p = req.params as { cid: string; oid: string };
    const c = await collection(req);
    const f = filterOf(req.query as Record<string, unknown>);
    const page = await read.rows(req, c, { ...f, ids: [p.oid], versions: ['all'] });
    if (!page.items.length && !f.next) throw TaxiiErrors.TAXII_OBJECT_NOT_FOUND();
    dateHeaders(reply, page.first, page.last);
    return { more: page.more, ...(page.next ? { next: page.next } : {}), versions: page.items.map((i) => i.version) };
  });

  app.get(`${root}/collections/:cid/manifest/`, opts, async (req, reply) => {
    const c = await collection(req);
    const page = await read.rows(req, c, filterOf(req.query as Record<string, unknown>));
    dateHeaders(reply, page.first, page.last);
    return { more: page.more, ...(page.next ? { next: page.next } : {}), ...(page.items.length ? { objects: page.items.map(manifestEntry) } : {}) };
  });
}

/** The TAXII content-type parsers: TAXII JSON is parsed, anything else is refused with 415 by the hook, not parsed. */
function taxiiParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/taxii+json', { parseAs: 'string', bodyLimit: MAX_CONTENT }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(TaxiiErrors.TAXII_BAD_REQUEST(`The body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_CONTENT }, (_req, _body, done) => done(null, undefined));
}

const kept = new WeakMap<AppDeps, KeptPages>();

/** The object pages kept by one server (both API roots share the memory MUHAFIZ_TAXII_CACHE_MB gives). */
export function keptPages(deps: AppDeps): KeptPages {
  let pages = kept.get(deps);
  if (!pages) kept.set(deps, (pages = new KeptPages(deps.config.taxiiCacheBytes)));
  return pages;
}

function taxiiHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply) => {
    void reply.header('content-type', TAXII_MEDIA);
    void reply.header('cache-control', 'no-store');
  });
}

/**
 * The TAXII 2.1 server at /taxii2/: discovery, one API root, collections,
 * objects (GET/POST/DELETE), object by id, versions, manifest and status.
 * Authentication: HTTP Basic whose password is an API token (the user name
 * is ignored), or `Authorization: Bearer <token>`.
 */
export function taxiiRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    app.setErrorHandler(taxiiError);
    taxiiParsers(app);

    app.addHook('preHandler', async (req) => {
      if (!acceptsTaxii(req.headers.accept)) throw TaxiiErrors.TAXII_NOT_ACCEPTABLE();
      if (req.method === 'POST' && !isTaxiiContentType(req.headers['content-type'])) throw TaxiiErrors.TAXII_UNSUPPORTED_MEDIA_TYPE();
      if (!req.actor) {
        const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (basic) {
          const decoded = Buffer.from(basic, 'base64').toString('utf8');
          req.actor = await resolveToken(deps, decoded.slice(decoded.indexOf(':') + 1), req.arrival);
        }
      }
      // With the public root enabled, anyone may read the discovery document that points to it.
      if (!req.actor && !req.headers.authorization && deps.config.taxiiPublic && req.method === 'GET' && req.routeOptions.url === '/taxii2/') return;
      if (!req.actor) throw req.authError ?? E.UNAUTHENTICATED();
      authorize(req.actor, IntelActions['intel.read']);
    });
    taxiiHeaders(app);

    const base = `${deps.config.publicUrl.replace(/\/$/, '')}/taxii2`;
    const opts: RouteOpts = { config: { auth: 'public' }, schema: { hide: true } };

    app.get('/taxii2/', opts, async () => ({
      title: 'Muhafiz TAXII 2.1',
      description: 'Threat intelligence of the sector, filtered by TLP and sharing groups for each caller',
      default: `${base}/api/`,
      api_roots: deps.config.taxiiPublic ? [`${base}/api/`, `${base}/public/`] : [`${base}/api/`],
    }));

    app.get('/taxii2/api/', opts, async () => ({
      title: 'Muhafiz threat exchange',
      description: 'Collections per audience: all visible, community (CLEAR/GREEN), own organisation, each sharing group',
      versions: [TAXII_MEDIA],
      max_content_length: MAX_CONTENT,
    }));

    app.get('/taxii2/api/status/:sid/', opts, async (req) => getStatus(req.ctx, (req.params as { sid: string }).sid));

    app.get('/taxii2/api/collections/', opts, async (req) => ({ collections: (await listCollections(req.ctx)).map(publicCollection) }));

    app.get('/taxii2/api/collections/:cid/', opts, async (req) => publicCollection(await getCollection(req.ctx, (req.params as { cid: string }).cid)));

    app.post('/taxii2/api/collections/:cid/objects/', { ...opts, bodyLimit: MAX_CONTENT }, async (req, reply) => {
      const c = await getCollection(req.ctx, (req.params as { cid: string }).cid);
      const body = req.body as { objects?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.objects)) throw TaxiiErrors.TAXII_BAD_REQUEST('The body must be an envelope: {"objects": [...]}');
      return reply.status(202).send(await addObjects(req.ctx, c, body.objects, deps.mailer));
    });

    app.delete('/taxii2/api/collections/:cid/objects/:oid/', opts, async (req, reply) => {
      const p = req.params as { cid: string; oid: string };
      const c = await getCollection(req.ctx, p.cid);
      await deleteObject(req.ctx, c, p.oid, list((req.query as Record<string, unknown>)['match[version]']));
      return reply.status(200).send('');
    });

    readRoutes(app, '/taxii2/api', opts, (req) => getCollection(req.ctx, (req.params as { cid: string }).cid), {
      rows: (req, c, f) => queryObjects(req.ctx, c, f),
      docs: (req, c, f, always) => queryObjectDocs(req.ctx, c, f, always, keptPages(deps)),
    });
  };
}

/**
 * The public TAXII API root at /taxii2/public/ (only with
 * MUHAFIZ_TAXII_PUBLIC=true): no credentials, one read-only collection of
 * TLP:CLEAR objects, rate-limited per client address. Credentials, when
 * sent, are ignored: the reader is always anonymous here.
 */
export function taxiiPublicRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    if (!deps.config.taxiiPublic) return;
    app.setErrorHandler(taxiiError);
    taxiiParsers(app);
    const limit = rateLimit(deps.db, deps.clock, { name: 'taxii-public', max: deps.config.taxiiPublicRate, windowMs: 60_000 });
    app.addHook('preHandler', async (req, reply) => {
      if (!acceptsTaxii(req.headers.accept)) throw TaxiiErrors.TAXII_NOT_ACCEPTABLE();
      await limit(req, reply);
    });
    taxiiHeaders(app);
    const opts: RouteOpts = { config: { auth: 'public' }, schema: { hide: true } };
    const root = '/taxii2/public';
    const cid = (req: FastifyRequest) => (req.params as { cid: string }).cid;
    const collection = async (req: FastifyRequest) => {
      if (cid(req) !== PUBLIC_COLLECTION.id) throw TaxiiErrors.TAXII_COLLECTION_NOT_FOUND();
      return PUBLIC_COLLECTION;
    };

    app.get(`${root}/`, opts, async () => ({
      title: 'Muhafiz public threat intelligence',
      description: 'TLP:CLEAR objects, for anyone; read-only',
      versions: [TAXII_MEDIA],
      max_content_length: 0,
    }));
    app.get(`${root}/collections/`, opts, async () => ({ collections: [publicCollection(PUBLIC_COLLECTION)] }));
    app.get(`${root}/collections/:cid/`, opts, async (req) => publicCollection(await collection(req)));
    readRoutes(app, root, opts, collection, { rows: (_req, _c, f) => queryPublicObjects(deps.db, f), docs: (req, _c, f, always) => queryPublicObjectDocs(deps.db, f, always, keptPages(deps), req.arrival) });
    const readOnly = async () => {
      throw TaxiiErrors.TAXII_FORBIDDEN('The public collection is read-only');
    };
    app.post(`${root}/collections/:cid/objects/`, opts, readOnly);
    app.delete(`${root}/collections/:cid/objects/:oid/`, opts, readOnly);
  };
}
