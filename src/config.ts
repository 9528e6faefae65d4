import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting the platform reads from the environment (see docs/configuration.md). */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  MUHAFIZ_DATA_DIR: z.string().default('./data'),
  MUHAFIZ_PUBLIC_URL: z.string().url().optional(),
  MUHAFIZ_TRUST_PROXY: bool,
  MUHAFIZ_SECRET_KEY: z.string().min(32).optional(),
  MUHAFIZ_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  MUHAFIZ_SESSION_MAX_HOURS: z.coerce.number().int().min(1).default(12),
  MUHAFIZ_ADMIN_EMAIL: z.string().email().optional(),
  MUHAFIZ_ADMIN_PASSWORD: z.string().optional(),
  MUHAFIZ_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  MUHAFIZ_UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(26_214_400),
  MUHAFIZ_WORKERS: z.coerce.number().int().min(0).default(1),
  MUHAFIZ_TAXII_PUBLIC: bool,
  MUHAFIZ_TAXII_PUBLIC_RATE: z.coerce.number().int().min(1).default(60),
  MUHAFIZ_TAXII_CACHE_MB: z.coerce.number().int().min(0).default(64),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Muhafiz <no-reply@muhafiz.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  /** Served over TLS (directly or behind a proxy): Secure cookies and HSTS. */
  tls: boolean;
  trustProxy: boolean;
  secretKey: string | undefined;
  sessionIdleMs: number;
  sessionMaxMs: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  bodyLimit: number;
  uploadLimit: number;
  workers: number;
  /** Serve the unauthenticated, read-only TAXII API root of TLP:CLEAR objects (/taxii2/public/). */
  taxiiPublic: boolean;
  /** Requests per minute per client address on the public TAXII root. */
  taxiiPublicRate: number;
  /** Memory for TAXII object pages kept between identical requests, in bytes (0: none kept). */
  taxiiCacheBytes: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
}

/** Reads the configuration; a bad value fails fast naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  const publicUrl = e.MUHAFIZ_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.MUHAFIZ_DATA_DIR,
    publicUrl,
    trustProxy: e.MUHAFIZ_TRUST_PROXY,
    secretKey: e.MUHAFIZ_SECRET_KEY,
    sessionIdleMs: e.MUHAFIZ_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.MUHAFIZ_SESSION_MAX_HOURS * 3_600_000,
    adminEmail: e.MUHAFIZ_ADMIN_EMAIL,
    adminPassword: e.MUHAFIZ_ADMIN_PASSWORD,
    bodyLimit: e.MUHAFIZ_BODY_LIMIT_BYTES,
    uploadLimit: e.MUHAFIZ_UPLOAD_LIMIT_BYTES,
    workers: e.MUHAFIZ_WORKERS,
    taxiiPublic: e.MUHAFIZ_TAXII_PUBLIC,
    taxiiPublicRate: e.MUHAFIZ_TAXII_PUBLIC_RATE,
    taxiiCacheBytes: e.MUHAFIZ_TAXII_CACHE_MB * 1024 * 1024,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    ...overrides,
    // Derived from the URL actually served, so an overridden publicUrl brings its scheme along.
    tls: overrides.tls ?? (overrides.publicUrl ?? publicUrl).startsWith('https://'),
  };
}
