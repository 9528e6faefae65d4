import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { ManualClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/server/app.js';
import { openRuntime, type Runtime } from '../../src/server/runtime.js';
import { openTestDb } from './db.js';

export interface TestApp {
  rt: Runtime;
  app: FastifyInstance;
  clock: ManualClock;
  close(): Promise<void>;
}

/** A runtime on a fresh test database with a manual clock, and its HTTP app (driven with inject). */
export async function testApp(overrides: Partial<Config> = {}, opts: { log?: Logger } = {}): Promise<TestApp> {
  const clock = new ManualClock(new Date());
  const db = await openTestDb();
  const config = loadConfig(
    { MUHAFIZ_DATA_DIR: `/tmp/muhafiz-test-data-${process.pid}`, MUHAFIZ_SECRET_KEY: 'test-secret-key-test-secret-key-1234567890', LOG_LEVEL: 'silent' },
    { publicUrl: 'http://127.0.0.1:8080', ...overrides },
  );
  const rt = await openRuntime(config, { clock, db, log: opts.log ?? pino({ level: 'silent' }), createAdmin: false });
  const app = await buildApp(rt);
  await app.ready();
  return {
    rt,
    app,
    clock,
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

/**
 * A browser-like client over app.inject: keeps the session cookie and sends
 * the CSRF token on writes, as the web UI does.
 */
let clients = 0;

export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  /** Each client comes from its own address, so per-address rate limits (sign-in) do not leak between tests. */
  readonly ip: string;
  constructor(
    private readonly app: FastifyInstance,
    opts: { ip?: string } = {},
  ) {
    clients += 1;
    this.ip = opts.ip ?? `10.${(process.pid >> 8) & 255}.${Math.floor(clients / 250) % 250}.${(clients % 250) + 1}`;
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        ...(this.cookie ? { cookie: `mfz_session=${this.cookie}` } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
    });
    const set = res.cookies.find((c) => c.name === 'mfz_session');
    if (set) this.cookie = set.value || undefined;
    const json = res.headers['content-type']?.toString().includes('json') ? (res.json() as { csrfToken?: string; session?: { csrfToken?: string } }) : undefined;
    const token = json?.csrfToken ?? json?.session?.csrfToken;
    if (token) this.csrf = token;
    return res;
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body ?? {});
  }
  patch(url: string, body: unknown) {
    return this.request('PATCH', url, body);
  }
  delete(url: string) {
    return this.request('DELETE', url);
  }
  /** POSTs a multipart/form-data body (see multipartBody() in ./multipart.ts). */
  upload(url: string, form: { payload: Buffer; headers: Record<string, string> }) {
    return this.request('POST', url, form.payload, form.headers);
  }
  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    return this.post('/api/auth/login', { email, password });
  }
}

/** Asserts an RFC 9457 problem+json answer with this status and code; returns the body. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string): { code: string; status: number; requestId: string; errors?: Array<{ path: string; message: string }>; detail: string } {
  if (res.statusCode !== status || !String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected ${status} ${code}, got ${res.statusCode} ${String(res.headers['content-type'])}: ${res.body}`);
  }
  const body = res.json();
  if (body.code !== code || body.status !== status) throw new Error(`expected code ${code}, got ${res.body}`);
  return body;
}
