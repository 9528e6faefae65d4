import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '../../src/domains/auth/schema.js';
import { api, ApiError, setCsrfToken } from './api.js';

export type { SessionInfo };

export const SESSION_KEY = ['session'] as const;

/** GET /api/auth/session; null when nobody is signed in. */
export async function fetchSession(): Promise<SessionInfo | null> {
  try {
    const s = await api.get<SessionInfo>('/api/auth/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** The signed-in session (undefined while loading, null when signed out). */
export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

/** The active session; only call below the sign-in gate, where one exists. */
export function useActiveSession(): SessionInfo {
  const { data } = useSession();
  if (!data) throw new Error('useActiveSession outside the signed-in area');
  return data;
}

/**
 * Stores a session the server just answered with (sign-in, MFA, org switch).
 * A new acting org or stage invalidates every other cached answer.
 */
export function applySession(qc: QueryClient, s: SessionInfo | null): void {
  setCsrfToken(s?.csrfToken ?? null);
  const prev = qc.getQueryData<SessionInfo | null>(SESSION_KEY);
  qc.setQueryData(SESSION_KEY, s);
  if (!s || prev?.org?.id !== s.org?.id || prev?.stage !== s.stage || prev?.user.id !== s.user.id) {
    // Queries marked `meta: { public: true }` (an invitation preview) do not depend on who is signed in.
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] && q.meta?.public !== true });
  }
}

/** Whether the session grants `permission` (one of the action names from /api/auth/session). */
export function can(s: SessionInfo | null | undefined, permission: string): boolean {
  return Boolean(s?.permissions.includes(permission));
}

export function useApplySession() {
  const qc = useQueryClient();
  return (s: SessionInfo | null) => applySession(qc, s);
}
