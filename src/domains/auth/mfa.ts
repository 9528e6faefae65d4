import { authenticator } from 'otplib';
import { randomBytes } from 'node:crypto';
import { sha256 } from '../../core/ids.js';

const STEP_SECONDS = 30;

/** A new base32 TOTP secret and its otpauth:// URL for authenticator apps. */
export function newTotpSecret(accountEmail: string): { secret: string; otpauthUrl: string } {
  const secret = authenticator.generateSecret(20);
  return { secret, otpauthUrl: authenticator.keyuri(accountEmail, 'Muhafiz', secret) };
}

/**
 * Checks a TOTP code at `now` (±1 step for clock drift) and returns the time
 * step it matched, or null. Callers store the step and refuse any code at or
 * before it, so a code cannot be replayed.
 */
export function matchTotp(secret: string, code: string, now: Date, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const t = authenticator.clone({ epoch: now.getTime(), window: 1 });
  const delta = t.checkDelta(code, secret);
  if (delta === null) return null;
  const step = Math.floor(now.getTime() / 1000 / STEP_SECONDS) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code for a secret (tests and the CLI's self-check use it). */
export function totpAt(secret: string, now: Date): string {
  return authenticator.clone({ epoch: now.getTime() }).generate(secret);
}

/** Ten single-use recovery codes like `k3f9-x2mq-7hpa`; stored as sha256. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export function recoveryCodeHash(code: string): string {
  return sha256(code.trim().toLowerCase());
}
