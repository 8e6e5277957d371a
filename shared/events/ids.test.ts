import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuid, UUID_SOURCE } from './ids.js';

const pattern = new RegExp(`^${UUID_SOURCE}$`);

describe('isUuid', () => {
  it('accepts lower-case UUIDs and nothing else', () => {
    expect(isUuid('0c9f3a52-7d1e-4b8a-9f00-a1b2c3d4e5f6')).toBe(true);
    for (const s of [
      '0C9F3A52-7D1E-4B8A-9F00-A1B2C3D4E5F6', // upper case
      '0c9f3a52-7d1e-4b8a-9f00-a1b2c3d4e5f', // one short
      '0c9f3a52-7d1e-4b8a-9f00-a1b2c3d4e5f6a', // one long
      '0c9f3a527d1e-4b8a-9f00-a1b2c3d4e5f6-', // a dash moved
      '0c9f3a52-7d1e-4b8a-9f00-a1b2c3d4e5g6', // not hex
      '0c9f3a52-7d1e-4b8a-9f00_a1b2c3d4e5f6',
      '',
    ])
      expect(isUuid(s), s).toBe(false);
  });

  it('agrees with the pattern other checks are built from, on near-UUIDs', () => {
    const near = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABG-_'), minLength: 34, maxLength: 38 });
    const uuidLike = fc.uuid().map((u) => u.toLowerCase());
    const mutated = fc.tuple(uuidLike, fc.nat(35), fc.constantFrom(...'0a-fgF_ ')).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1));
    fc.assert(fc.property(fc.oneof(near, uuidLike, mutated), (s) => isUuid(s) === pattern.test(s)), { numRuns: 5_000 });
  });
});
