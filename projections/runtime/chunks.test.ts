import { describe, expect, it } from 'vitest';
import { chunks, chunksWithin } from './chunks.js';

describe('chunks', () => {
  it('cuts into consecutive parts of at most the size, keeping order', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
  });
});

describe('chunksWithin', () => {
  const len = (s: string) => s.length;

  it('cuts at the item count when the items are small', () => {
    expect(chunksWithin(['a', 'b', 'c', 'd', 'e'], 2, 100, len)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('cuts before an item that would take a part past its bytes', () => {
    expect(chunksWithin(['aaa', 'bb', 'cccc', 'd', 'e'], 10, 5, len)).toEqual([['aaa', 'bb'], ['cccc', 'd'], ['e']]);
  });

  it('sends an item bigger than the bytes alone rather than dropping or looping on it', () => {
    expect(chunksWithin(['a', 'xxxxxxxx', 'b'], 10, 4, len)).toEqual([['a'], ['xxxxxxxx'], ['b']]);
  });

  it('keeps every item once, in order', () => {
    const xs = Array.from({ length: 1_000 }, (_, i) => 'x'.repeat(i % 17));
    const parts = chunksWithin(xs, 50, 300, len);
    expect(parts.flat()).toEqual(xs);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(50);
      if (part.length > 1) expect(part.reduce((n, x) => n + x.length, 0)).toBeLessThanOrEqual(300);
    }
  });
});
