import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, setCsrfToken, toFieldErrors, withQuery } from '../../web/src/api.js';
import { NAV, visibleNav } from '../../web/src/nav.js';
import type { SessionInfo } from '../../src/domains/auth/schema.js';

function answer(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

describe('web API client', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('names fields without their location prefix', () => {
    expect(toFieldErrors([{ path: 'body.email', message: 'invalid' }, { path: 'body.roles.0', message: 'unknown role' }, { path: 'querystring.limit', message: 'too big' }, { path: 'body.email', message: 'second' }])).toEqual({
      email: 'invalid',
      'roles.0': 'unknown role',
      limit: 'too big',
    });
  });

  it('drops empty query parameters', () => {
    expect(withQuery('/api/members', { q: '', role: undefined, limit: 25, offset: 0 })).toBe('/api/members?limit=25&offset=0');
    expect(withQuery('/api/members', {})).toBe('/api/members');
  });

  it('sends the CSRF token on writes only, and keeps the one a session answer carries', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return url === '/api/auth/mfa/confirm' ? answer(200, { recoveryCodes: [], session: { csrfToken: 'rotated' } }) : answer(200, { ok: true });
    });
    setCsrfToken('t1');
    await api.get('/api/members', { q: 'ann' });
    await api.post('/api/auth/mfa/confirm', { code: '123456' });
    await api.delete('/api/tokens/x');
    const headers = calls.map((c) => c.init.headers as Record<string, string>);
    expect(calls[0]!.url).toBe('/api/members?q=ann');
    expect(headers[0]!['x-csrf-token']).toBeUndefined();
    expect(headers[1]!['x-csrf-token']).toBe('t1');
    expect(headers[1]!['content-type']).toBe('application/json');
    expect(calls[1]!.init.body).toBe('{"code":"123456"}');
    // The confirm answer rotated the session, and with it the token.
    expect(headers[2]!['x-csrf-token']).toBe('rotated');
  });

  it('turns problem+json into an ApiError with code, message, request id and field errors', async () => {
    vi.stubGlobal('fetch', async () =>
      answer(400, { code: 'VALIDATION_FAILED', detail: 'body.password: must be at least 12 characters', requestId: 'r-1', errors: [{ path: 'body.password', message: 'must be at least 12 characters' }] }, 'application/problem+json'),
    );
    const err = await api.post('/api/invitations/accept', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect([e.code, e.status, e.message, e.requestId]).toEqual(['VALIDATION_FAILED', 400, 'body.password: must be at least 12 characters', 'r-1']);
    expect(e.fieldErrors).toEqual({ password: 'must be at least 12 characters' });
  });

  it('reports an unreachable server as a NETWORK error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(api.get('/api/members')).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});

describe('navigation', () => {
  const session = (permissions: string[], kind = 'regulated_entity') => ({ permissions, org: { id: 'o', name: 'O', kind, mfaRequired: false } }) as unknown as SessionInfo;

  it('shows entries whose permission the session holds', () => {
    const paths = visibleNav(session(['members.read', 'orgs.read'])).map((i) => i.path);
    expect(paths).toContain('/admin/members');
    expect(paths).toContain('/orgs');
    expect(paths).not.toContain('/admin/audit-log');
    expect(paths).toContain('/account/security');
  });

  it('limits entries to org kinds', () => {
    const items = [...NAV, { path: '/cert/queue', label: 'Triage', orgKinds: ['cert'] }];
    expect(visibleNav(session([], 'cert'), items).map((i) => i.path)).toContain('/cert/queue');
    expect(visibleNav(session([], 'regulator'), items).map((i) => i.path)).not.toContain('/cert/queue');
  });
});
