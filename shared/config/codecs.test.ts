import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { NonNegativeIntFromString, PositiveIntFromString } from './codecs.js';

const accepts = (codec: typeof PositiveIntFromString, s: string) => {
  const r = codec.decode(s);
  return E.isRight(r) ? r.right : 'refused';
};

describe('integer settings', () => {
  it.each([
    ['0', 'refused', 0],
    ['1', 1, 1],
    ['250', 250, 250],
    ['007', 'refused', 'refused'],
    ['-1', 'refused', 'refused'],
    ['1.5', 'refused', 'refused'],
    ['', 'refused', 'refused'],
    ['ten', 'refused', 'refused'],
  ])('%j: positive → %j, non-negative → %j', (s, positive, nonNegative) => {
    expect(accepts(PositiveIntFromString, s)).toBe(positive);
    expect(accepts(NonNegativeIntFromString, s)).toBe(nonNegative);
  });
});
