import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from './passwords.js';

describe('passwordProblem', () => {
  it('accepts a long, uncommon passphrase', () => {
    expect(passwordProblem('correct-horse-battery-9')).toBeNull();
    expect(passwordProblem('Vapur iskelesi 1923!')).toBeNull();
  });

  it('refuses short and overlong passwords', () => {
    expect(passwordProblem('a'.repeat(MIN_PASSWORD_LENGTH - 1) + 'b')).toBeNull();
    expect(passwordProblem('Tr0ub4dor&3')).toBe(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
    expect(passwordProblem('x'.repeat(MAX_PASSWORD_LENGTH) + 'y')).toBe(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  });

  it('refuses listed passwords, in any case, and listed words with digits or symbols tacked on', () => {
    expect(passwordProblem('qwerty123456')).toMatch(/common or breached/);
    expect(passwordProblem('QWERTY123456')).toMatch(/common or breached/);
    expect(passwordProblem('Password2024!!')).toMatch(/common password with digits or symbols/);
    expect(passwordProblem('!!12345dragon')).toMatch(/common password/);
  });

  it('refuses one repeated character and passwords holding the email name', () => {
    expect(passwordProblem('zzzzzzzzzzzzzz')).toBe('must not repeat one character');
    expect(passwordProblem('my-name-is-ayse.kaya!', { email: 'ayse.kaya@bank.example' })).toBe('must not contain your email address');
    expect(passwordProblem('my-name-is-ayse.kaya!', { email: 'other@bank.example' })).toBeNull();
  });
});

describe('hashPassword / verifyPassword', () => {
  it('round-trips with argon2id and refuses a wrong or missing hash', async () => {
    const hash = await hashPassword('correct-horse-battery-9');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct-horse-battery-9')).toBe(true);
    expect(await verifyPassword(hash, 'correct-horse-battery-8')).toBe(false);
    expect(await verifyPassword(null, 'anything-at-all')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything-at-all')).toBe(false);
  });
});
