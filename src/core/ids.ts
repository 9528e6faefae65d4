import { v5 as uuidv5, v7 as uuidv7, validate } from 'uuid';
import { randomBytes, createHash } from 'node:crypto';

/** A time-ordered UUID (v7): index-friendly primary keys. */
export function newId(): string {
  return uuidv7();
}

/** A name-based UUID (v5), e.g. deterministic STIX cyber-observable ids. */
export function nameId(name: string, namespace: string): string {
  return uuidv5(name, namespace);
}

export function isUuid(value: string): boolean {
  return validate(value);
}

/** A random secret, url-safe, with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** sha256 hex of a string: how secrets (session ids, tokens, invitation links) are stored. */
export function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
