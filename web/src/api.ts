/**
 * The one way the UI talks to the server: JSON over fetch with the session
 * cookie, the CSRF token on every write, and problem+json turned into ApiError.
 */

/** One field the server (or the client-side zod check) rejected, keyed by field name without the `body.` prefix. */
export type FieldErrors = Record<string, string>;

export interface Problem {
  code: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

/** A failed API call: `code` is the stable machine code (`INVITATION_NOT_FOUND`, …). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly fieldErrors: FieldErrors;
  constructor(p: Problem) {
    super(p.detail);
    this.name = 'ApiError';
    this.code = p.code;
    this.status = p.status;
    this.requestId = p.requestId;
    this.fieldErrors = toFieldErrors(p.errors ?? []);
  }
}

/** `body.roles.0` -> `roles.0`, `querystring.limit` -> `limit`: forms name fields without the location. */
export function toFieldErrors(errors: Array<{ path: string; message: string }>): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const key = e.path.replace(/^(body|querystring|params)\.?/, '') || '_';
    out[key] ??= e.message;
  }
  return out;
}

let csrfToken: string | null = null;

/** Remembers the CSRF token from GET /api/auth/session or a sign-in answer. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/x` plus the query parameters that have a value. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

let onUnauthenticated: (() => void) | null = null;

/** Called when a request meets 401 on an authenticated route (the session ended elsewhere). */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

/** Calls the API; resolves with the parsed JSON body or rejects with ApiError. */
export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (file upload) is sent as multipart/form-data with the boundary fetch chooses.
  const form = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: form ? (body as FormData) : JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError({ code: 'NETWORK', status: 0, detail: 'The server cannot be reached; check your connection and try again' });
  }
  const type = res.headers.get('content-type') ?? '';
  const json: unknown = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const p = (json ?? {}) as Partial<Problem>;
    const err = new ApiError({
      code: p.code ?? `HTTP_${res.status}`,
      status: res.status,
      detail: p.detail ?? res.statusText,
      ...(p.requestId ? { requestId: p.requestId } : {}),
      ...(p.errors ? { errors: p.errors } : {}),
    });
    if (res.status === 401 && !path.startsWith('/api/auth/') && onUnauthenticated) onUnauthenticated();
    throw err;
  }
  // Every answer that carries a session (sign-in, MFA, org switch) also carries the new CSRF token.
  const token = (json as { csrfToken?: unknown; session?: { csrfToken?: unknown } } | null)?.csrfToken ?? (json as { session?: { csrfToken?: unknown } } | null)?.session?.csrfToken;
  if (typeof token === 'string') csrfToken = token;
  return json as T;
}

/** Posts a multipart form (file uploads) with the CSRF token; resolves with the JSON answer or rejects with ApiError. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const res = await fetch(path, { method: 'POST', body: form, credentials: 'same-origin', headers: { accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) } });
  const json: unknown = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const p = (json ?? {}) as Partial<Problem>;
    throw new ApiError({ code: p.code ?? `HTTP_${res.status}`, status: res.status, detail: p.detail ?? res.statusText, ...(p.requestId ? { requestId: p.requestId } : {}), ...(p.errors ? { errors: p.errors } : {}) });
  }
  return json as T;
}

export const api = {
  put: <T>(path: string, body: unknown, query?: Query) => request<T>('PUT', path, body, query),
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown = {}, query?: Query) => request<T>('POST', path, body, query),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** Uploads one file (multipart part "file") with optional text fields. */
  upload: <T>(path: string, file: File, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    form.append('file', file, file.name);
    return request<T>('POST', path, form);
  },
};

/** Human-readable size: 1.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** The list envelope every list endpoint answers with. */
export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
