import { existsSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { E } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromRoot } from '../core/paths.js';
import { authPlugin, isMachinePath } from './auth-plugin.js';
import type { AppDeps } from './deps.js';
import { problemHandler } from './problem.js';
import { domainRoutes } from './routes.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Assembles the HTTP server: security headers, auth, OpenAPI, every domain's routes, the UI. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    // A caller's X-Request-Id is kept when it looks like one, so logs can be joined across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemHandler);
  // A plain-text body is never valid here; refusing it also stops form-based CSRF.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (req.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  });

  // Security headers: the helmet middleware built once. @fastify/helmet builds
  // it again for every request (parsing the CSP each time), about 2% of a
  // kept TAXII page's time under load.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: deps.config.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, () => done()));
  await app.register(cookie);
  // multipart/form-data is parsed (streamed, never buffered) only on routes that declare `config.upload` (see server/files.ts).
  await app.register(multipart, { limits: { files: 1, fileSize: deps.config.uploadLimit + 1, fields: 10, fieldSize: 8192 } });
  app.addHook('preValidation', async (req) => {
    if (req.isMultipart() && !req.routeOptions.config?.upload) throw E.UNSUPPORTED_MEDIA_TYPE('Unsupported content type; send application/json');
  });
  await app.register(authPlugin, { deps });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Muhafiz API',
        version: '0.1.0',
        description:
          'ISMS, sectoral CERT, threat exchange and supervision. Authenticate with the session cookie (plus `X-CSRF-Token` on writes) or `Authorization: Bearer <API token>`. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token created under Settings → API tokens' },
          session: { type: 'apiKey', in: 'cookie', name: 'mfz_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(deps.db.kysely);
      return { status: 'ready', driver: deps.db.driver };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  for (const routes of domainRoutes(deps)) await app.register(routes);

  const webRoot = fromRoot('web/dist');
  const haveUi = existsSync(webRoot);
  if (haveUi) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: false, maxAge: '1h', immutable: false });
  }
  app.setNotFoundHandler({ preValidation: async () => undefined }, async (req, reply) => {
    if (isMachinePath(req.url) || !haveUi || req.method !== 'GET') throw E.NOT_FOUND(`No route ${req.method} ${req.url.split('?')[0]}`);
    // The UI's own routes (/risks, /incidents/…) all load the single page.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  return app as unknown as FastifyInstance;
}
