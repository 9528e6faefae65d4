import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds a PostgreSQL client program (pg_dump, pg_restore): MUHAFIZ_PG_BIN if
 * set, then PATH, then the newest /usr/lib/postgresql/<major>/bin (Debian
 * installs them there). pg_dump must be at least the server's major version.
 */
export function findPgTool(name: 'pg_dump' | 'pg_restore', env: NodeJS.ProcessEnv = process.env): string {
  const dirs: string[] = [];
  if (env.MUHAFIZ_PG_BIN) dirs.push(env.MUHAFIZ_PG_BIN);
  dirs.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((m) => join(debian, m, 'bin')));
  }
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} not found (looked in MUHAFIZ_PG_BIN, PATH and /usr/lib/postgresql/*/bin); install the PostgreSQL client programs`);
}

/**
 * Splits a connection URL into a password-free URL and libpq environment, so
 * the password never shows in the process list.
 */
export function libpqConnection(url: string): { url: string; env: Record<string, string> } {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  return { url: u.toString(), env };
}

/** Runs a PostgreSQL client program; rejects with its first stderr lines on failure. */
export async function runPgTool(program: string, args: string[], env: Record<string, string>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8000) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const name = program.split('/').at(-1);
        const first = stderr.trim().split('\n').slice(0, 3).join(' / ') || `exit code ${code}`;
        reject(new Error(`${name} failed: ${first}`));
      }
    });
  });
}
