import { describe, expect, it } from 'vitest';
import { matchTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpAt } from './mfa.js';

const secret = newTotpSecret('ciso@bank.example').secret;
const t0 = new Date('2026-01-15T09:00:10Z');
const step0 = Math.floor(t0.getTime() / 30_000);
const at = (steps: number) => new Date(t0.getTime() + steps * 30_000);

describe('matchTotp', () => {
  it('matches the current code and answers its time step', () => {
    expect(matchTotp(secret, totpAt(secret, t0), t0, null)).toBe(step0);
  });

  it('tolerates one step of clock drift either way, not two', () => {
    expect(matchTotp(secret, totpAt(secret, at(-1)), t0, null)).toBe(step0 - 1);
    expect(matchTotp(secret, totpAt(secret, at(1)), t0, null)).toBe(step0 + 1);
    expect(matchTotp(secret, totpAt(secret, at(-2)), t0, null)).toBeNull();
    expect(matchTotp(secret, totpAt(secret, at(2)), t0, null)).toBeNull();
  });

  it('refuses a code at or before the last used step (replay), accepts a later one', () => {
    const used = matchTotp(secret, totpAt(secret, t0), t0, null)!;
    expect(matchTotp(secret, totpAt(secret, t0), t0, used)).toBeNull();
    // The previous step's code is still inside the drift window, but older than the last use.
    expect(matchTotp(secret, totpAt(secret, at(-1)), t0, used)).toBeNull();
    expect(matchTotp(secret, totpAt(secret, at(1)), at(1), used)).toBe(used + 1);
    // Even within the drift window, a code from the future step is accepted once.
    expect(matchTotp(secret, totpAt(secret, at(1)), t0, used)).toBe(used + 1);
    expect(matchTotp(secret, totpAt(secret, at(1)), at(1), used + 1)).toBeNull();
  });

  it('refuses anything that is not six digits', () => {
    const code = totpAt(secret, t0);
    expect(matchTotp(secret, ` ${code}`, t0, null)).toBeNull();
    expect(matchTotp(secret, code.slice(0, 5), t0, null)).toBeNull();
    expect(matchTotp(secret, 'abcdef', t0, null)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are ten distinct readable codes, hashed case- and space-insensitively', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$/);
    expect(recoveryCodeHash(` ${codes[0]!.toUpperCase()} `)).toBe(recoveryCodeHash(codes[0]!));
    expect(recoveryCodeHash(codes[0]!)).not.toBe(recoveryCodeHash(codes[1]!));
  });

  it('gives an otpauth URL naming the account and issuer', () => {
    const { secret: s, otpauthUrl } = newTotpSecret('ciso@bank.example');
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toContain('otpauth://totp/Muhafiz:ciso%40bank.example');
    expect(otpauthUrl).toContain(`secret=${s}`);
  });
});
