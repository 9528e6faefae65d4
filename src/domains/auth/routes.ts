import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { E } from '../../core/errors.js';
import type { AppDeps } from '../../server/deps.js';
import { clearSessionCookie, setSessionCookie } from '../../server/auth-plugin.js';
import { rateLimit } from '../../server/rate-limit.js';
import * as auth from './service.js';
import * as tokens from './tokens.js';
import { resolveSession } from './sessions.js';
import { AuthActions } from './policy.js';
import { ChangePasswordBody, LoginBody, MfaCodeBody, MfaEnrolment, RecoveryCodes, SessionInfo, SessionRow, SwitchOrgBody, TokenCreateBody, TokenCreated, TokenRow } from './schema.js';

const Ok = z.object({ ok: z.literal(true) });

export function authRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const meta = (req: { id: string; ip: string; headers: Record<string, unknown> }): auth.RequestMeta => ({
      requestId: req.id,
      ip: req.ip,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    });
    const loginLimit = rateLimit(deps.db, deps.clock, { name: 'login', max: 20, windowMs: 15 * 60_000 });
    const mfaLimit = rateLimit(deps.db, deps.clock, { name: 'mfa', max: 20, windowMs: 15 * 60_000 });
    const tag = ['auth'];

    app.post('/api/auth/login', {
      config: { auth: 'public' },
      preHandler: loginLimit,
      schema: { tags: tag, summary: 'Sign in with email and password', body: LoginBody, response: { 200: SessionInfo } },
    }, async (req, reply) => {
      const s = await auth.login(deps, meta(req), req.body, req.session);
      setSessionCookie(reply, deps, s.rawId);
      return auth.sessionInfo(deps, meta(req), await sessionFor(deps, s.rawId));
    });

    app.post('/api/auth/mfa', {
      config: { auth: 'session' },
      preHandler: mfaLimit,
      schema: { tags: tag, summary: 'Complete sign-in with a TOTP or recovery code', body: MfaCodeBody, response: { 200: SessionInfo } },
    }, async (req, reply) => {
      const s = await auth.verifyMfa(deps, meta(req), req.session!, req.body.code);
      setSessionCookie(reply, deps, s.rawId);
      return auth.sessionInfo(deps, meta(req), await sessionFor(deps, s.rawId));
    });

    app.get('/api/auth/session', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'The signed-in user, acting org, roles, permissions and CSRF token', response: { 200: SessionInfo } },
    }, async (req) => auth.sessionInfo(deps, meta(req), req.session!));

    app.post('/api/auth/mfa/enrol', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'Start TOTP enrolment (returns the secret and otpauth URL)', response: { 200: MfaEnrolment } },
    }, async (req) => {
      if (req.session!.stage === 'mfa_pending') throw E.MFA_REQUIRED();
      return auth.startMfaEnrolment(deps, meta(req), req.session!);
    });

    app.post('/api/auth/mfa/confirm', {
      config: { auth: 'session' },
      preHandler: mfaLimit,
      schema: { tags: tag, summary: 'Confirm enrolment with a first code; returns recovery codes once', body: MfaCodeBody, response: { 200: RecoveryCodes.extend({ session: SessionInfo }) } },
    }, async (req, reply) => {
      if (req.session!.stage === 'mfa_pending') throw E.MFA_REQUIRED();
      const r = await auth.confirmMfaEnrolment(deps, meta(req), req.session!, req.body.code);
      setSessionCookie(reply, deps, r.session.rawId);
      return { recoveryCodes: r.recoveryCodes, session: await auth.sessionInfo(deps, meta(req), await sessionFor(deps, r.session.rawId)) };
    });

    app.post('/api/auth/switch-org', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'Switch the acting organisation', body: SwitchOrgBody, response: { 200: SessionInfo } },
    }, async (req, reply) => {
      if (req.session!.stage === 'mfa_pending') throw E.MFA_REQUIRED();
      const s = await auth.switchOrg(deps, meta(req), req.session!, req.body.orgId);
      setSessionCookie(reply, deps, s.rawId);
      return auth.sessionInfo(deps, meta(req), await sessionFor(deps, s.rawId));
    });

    app.post('/api/auth/logout', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'Sign out (this session, or everywhere with ?everywhere=true)', querystring: z.object({ everywhere: z.enum(['true', 'false']).default('false') }), response: { 200: z.object({ revoked: z.number() }) } },
    }, async (req, reply) => {
      const revoked = await auth.logout(deps, meta(req), req.session!, req.query.everywhere === 'true');
      clearSessionCookie(reply);
      return { revoked };
    });

    app.post('/api/auth/password', {
      config: { auth: 'session' },
      preHandler: loginLimit,
      schema: { tags: tag, summary: 'Change your password (signs out your other sessions)', body: ChangePasswordBody, response: { 200: Ok } },
    }, async (req) => {
      auth.requireActiveSession(req.session!);
      await auth.changePassword(deps, meta(req), req.session!, req.body.currentPassword, req.body.newPassword);
      return { ok: true as const };
    });

    app.get('/api/auth/sessions', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'Your live sessions', response: { 200: z.object({ items: z.array(SessionRow) }) } },
    }, async (req) => {
      auth.requireActiveSession(req.session!);
      return { items: await auth.sessionsOf(deps, meta(req), req.session!) };
    });

    app.delete('/api/auth/sessions/:id', {
      config: { auth: 'session' },
      schema: { tags: tag, summary: 'End one of your sessions', params: z.object({ id: z.string() }), response: { 200: Ok } },
    }, async (req) => {
      auth.requireActiveSession(req.session!);
      await auth.revokeOwnSession(deps, meta(req), req.session!, req.params.id);
      return { ok: true as const };
    });

    app.get('/api/tokens', {
      config: { action: AuthActions['tokens.read'] },
      schema: { tags: ['tokens'], summary: 'API tokens (yours, or all of the org for admins)', response: { 200: z.object({ items: z.array(TokenRow) }) } },
    }, async (req) => ({ items: await tokens.listTokens(req.ctx) }));

    app.post('/api/tokens', {
      config: { action: AuthActions['tokens.create'] },
      schema: { tags: ['tokens'], summary: 'Create an API token; the token is shown only in this answer', body: TokenCreateBody, response: { 201: TokenCreated } },
    }, async (req, reply) => reply.status(201).send(await tokens.createToken(req.ctx, req.body)));

    app.delete('/api/tokens/:id', {
      config: { action: AuthActions['tokens.read'] },
      schema: { tags: ['tokens'], summary: 'Revoke an API token', params: z.object({ id: z.string().uuid() }), response: { 200: TokenRow } },
    }, async (req) => tokens.revokeToken(req.ctx, req.params.id));
  };
}

function sessionFor(deps: AppDeps, rawId: string) {
  return resolveSession(deps, rawId);
}
