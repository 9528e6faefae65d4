import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize, type Actor } from '../core/access/index.js';
import { changeWatch } from '../core/change-watch.js';
import type { Ctx } from '../core/context.js';
import { AppError, E } from '../core/errors.js';
import { resolveSession, type ResolvedSession } from '../domains/auth/sessions.js';
import { resolveToken } from '../domains/auth/tokens.js';
import { requireActiveSession } from '../domains/auth/service.js';
import type { AppDeps } from './deps.js';

export const SESSION_COOKIE = 'mfz_session';

/** How a route is reached: `public` (no sign-in), `session` (any session, even half signed-in), `actor` (default). */
export type RouteAuth = 'public' | 'session' | 'actor';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The access action the route performs; checked before the handler runs. */
    action?: string;
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    session: ResolvedSession | null;
    actor: Actor | null;
    /** The service context; throws UNAUTHENTICATED on routes without an actor. */
    ctx: Ctx;
    /** Set when credentials were presented but were not valid. */
    authError: AppError | null;
    /** The change-watch round count when the request came in (src/core/change-watch.ts). */
    arrival: number;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Resolves who is calling (a session cookie or an `Authorization: Bearer`
 * token), enforces CSRF on cookie-authenticated writes, and checks the
 * action each route declares. Handlers then read `req.ctx`.
 */
export const authPlugin = fp(async function authPlugin(app: FastifyInstance, opts: { deps: AppDeps }) {
  const { deps } = opts;
  const publicOrigin = new URL(deps.config.publicUrl).origin;

  app.decorateRequest('session', null);
  app.decorateRequest('actor', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('arrival', 0);
  const watch = changeWatch(deps.db);
  // Before anything else of the request: what is kept for it (token lookups, TAXII pages) is judged by checks started after this.
  app.addHook('onRequest', (req, _reply, done) => {
    req.arrival = watch.arrival();
    done();
  });
  app.decorateRequest('ctx', {
    getter(this: FastifyRequest): Ctx {
      if (!this.actor) throw this.authError ?? E.UNAUTHENTICATED();
      return { db: deps.db, actor: this.actor, requestId: this.id, ip: this.ip, clock: deps.clock, arrival: this.arrival };
    },
  });

  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    const auth: RouteAuth = req.routeOptions.config.auth ?? (isUiRequest(req) ? 'public' : 'actor');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = req.cookies[SESSION_COOKIE];
    try {
      if (bearer) {
        req.actor = await resolveToken(deps, bearer, req.arrival);
      } else if (cookie) {
        req.session = await resolveSession(deps, cookie);
        req.actor = req.session.actor;
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.authError = err;
      if (cookie && !bearer) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }

    // CSRF: cookie-authenticated writes must echo the session's token, and a
    // browser-sent Origin must be ours. Bearer tokens are not sent by browsers
    // on their own, so they need neither.
    if (!SAFE_METHODS.has(req.method) && !bearer) {
      const origin = req.headers.origin;
      if (origin && origin !== publicOrigin && origin !== `${req.protocol}://${req.host}`) throw E.CSRF_FAILED('Cross-origin request refused');
      if (req.session) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameToken(sent, req.session.csrfToken)) throw E.CSRF_FAILED();
      }
    }

    if (auth === 'public') return;
    if (req.authError) throw req.authError;
    if (auth === 'session') {
      if (!req.session) throw E.UNAUTHENTICATED();
      return;
    }
    if (!req.actor) {
      if (req.session) requireActiveSession(req.session);
      throw E.UNAUTHENTICATED();
    }
    const action = req.routeOptions.config.action;
    if (action) authorize(req.actor, action);
  });
});

/**
 * The web UI's files (served by @fastify/static, whose routes carry
 * `config.file`) and the single-page fallback for unknown non-API paths hold
 * no data: anyone may load them, or the sign-in page could never appear.
 */
function isUiRequest(req: FastifyRequest): boolean {
  const config = req.routeOptions.config as { file?: unknown };
  if (typeof config.file === 'string') return true;
  return req.is404 && !isMachinePath(req.url);
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure behind TLS, path /. */
export function setSessionCookie(reply: FastifyReply, deps: AppDeps, rawId: string): void {
  void reply.setCookie(SESSION_COOKIE, rawId, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.tls,
    maxAge: Math.round(deps.config.sessionMaxMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** API and TAXII paths answer 404 for an unknown route; only UI paths fall back to the app shell. */
export function isMachinePath(url: string): boolean {
  return url.startsWith('/api/') || url === '/taxii2' || url.startsWith('/taxii2/');
}
