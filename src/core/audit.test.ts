import { describe, expect, it } from 'vitest';
import { digest, GENESIS_HASH, recordHash, type ChainedFields } from './audit.js';

const base: ChainedFields = {
  org_id: '0190a000-0000-7000-8000-000000000001',
  seq: 7,
  id: '0190a000-0000-7000-8000-0000000000aa',
  at: new Date('2026-01-15T09:00:00.000Z'),
  actor_user_id: '0190a000-0000-7000-8000-0000000000bb',
  actor_token_id: null,
  actor_label: 'ciso@bank.example',
  action: 'risks.update',
  entity_type: 'risk',
  entity_id: 'r-1',
  before_digest: digest({ level: 'high' }),
  after_digest: digest({ level: 'low' }),
  details: { fields: ['level'], note: 'ok' },
  request_id: 'req-1',
  ip: '10.0.0.1',
  prev_hash: GENESIS_HASH,
};

describe('recordHash', () => {
  it('is a stable sha256 hex over the record', () => {
    expect(recordHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(recordHash({ ...base })).toBe(recordHash(base));
  });

  it('changes when any chained field or the previous hash changes', () => {
    const h = recordHash(base);
    const changes: Array<Partial<ChainedFields>> = [
      { seq: 8 },
      { at: new Date('2026-01-15T09:00:00.001Z') },
      { actor_label: 'someone@else' },
      { action: 'risks.delete' },
      { entity_id: 'r-2' },
      { after_digest: digest({ level: 'medium' }) },
      { details: { fields: ['level'], note: 'changed' } },
      { ip: null },
      { prev_hash: 'f'.repeat(64) },
    ];
    for (const change of changes) expect(recordHash({ ...base, ...change }), JSON.stringify(change)).not.toBe(h);
  });

  it('ignores fields outside the chain (the stored hash, driver extras) and key order in details', () => {
    const row = { ...base, hash: 'a'.repeat(64), extra: 1 } as ChainedFields;
    expect(recordHash(row)).toBe(recordHash(base));
    expect(recordHash({ ...base, details: { note: 'ok', fields: ['level'] } })).toBe(recordHash(base));
  });

  it('digests states canonically and leaves absent states null', () => {
    expect(digest({ a: 1, b: 2 })).toBe(digest({ b: 2, a: 1 }));
    expect(digest(null)).toBeNull();
    expect(digest(undefined)).toBeNull();
  });
});
