import { describe, expect, it } from 'vitest';
import { readAhead, type ReadPage } from './read-ahead.js';

/** A store's readAll over positions in memory, counting reads and the most under way at once. */
const storeOf = (positions: readonly number[]) => {
  const stats = { reads: 0, underWay: 0, most: 0 };
  const read: ReadPage<number> = async (after, limit) => {
    stats.reads++;
    stats.most = Math.max(stats.most, ++stats.underWay);
    await new Promise((r) => setTimeout(r, 1));
    stats.underWay--;
    return positions.filter((p) => p > after).slice(0, limit);
  };
  return { read, stats };
};

const collect = async (positions: readonly number[], from: number, to: number, pageSize = 10, depth = 2) => {
  const { read, stats } = storeOf(positions);
  const pages: (readonly number[])[] = [];
  for await (const page of readAhead(read, (p) => p, { from, to, pageSize, depth })) pages.push(page);
  return { pages, stats };
};

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('readAhead', () => {
  it('yields every event of a dense store after `from` up to `to`, in order, in pages of at most the page size, reading ranges at once', async () => {
    const { pages, stats } = await collect(range(1, 105), 3, 97);
    expect(pages.flat()).toEqual(range(4, 97));
    expect(Math.max(...pages.map((p) => p.length))).toBeLessThanOrEqual(10);
    expect(stats.most).toBe(2);
  });

  it('keeps `depth` reads under way while the consumer works on a page', async () => {
    const { read, stats } = storeOf(range(1, 100));
    const underWay: number[] = [];
    for await (const page of readAhead(read, (p) => p, { from: 0, to: 100, pageSize: 10, depth: 2 })) {
      underWay.push(stats.underWay);
      expect(page.length).toBe(10);
    }
    // Two ranges ahead of every page but the last two.
    expect(underWay).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 1, 0]);
  });

  it('misses nothing in a sparse store (positions 1,000 apart), nor around gaps and bursts', async () => {
    const sparse = range(1_000, 200_000, 1_000);
    expect((await collect(sparse, 0, 200_000)).pages.flat()).toEqual(sparse);
    const bursty = [...range(1, 30), ...range(5_000, 5_040), ...range(90_000, 90_003, 1), ...range(90_100, 99_100, 300)];
    const { pages } = await collect(bursty, 0, 100_000, 7, 3);
    expect(pages.flat()).toEqual(bursty);
    expect(Math.max(...pages.map((p) => p.length))).toBeLessThanOrEqual(7);
  });

  it('adapts the span to the density: a sparse store is not read a few events per read', async () => {
    const sparse = range(1_000, 1_000_000, 1_000);
    const { stats } = await collect(sparse, 0, 1_000_000, 10);
    // 1,000 events, 10 per page: about 100 reads once the span has followed the density.
    expect(stats.reads).toBeLessThan(200);
  });

  it('yields nothing for an empty range and stops at `to` even when the store holds more', async () => {
    expect((await collect(range(1, 50), 50, 50)).pages).toEqual([]);
    expect((await collect(range(1, 50), 0, 25)).pages.flat()).toEqual(range(1, 25));
  });

  it('passes a failed read on to the consumer', async () => {
    const read: ReadPage<number> = (after) => (after >= 20 ? Promise.reject(new Error('lost')) : Promise.resolve(range(after + 1, after + 10)));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(read, (p) => p, { from: 0, to: 100, pageSize: 10, depth: 2 })) seen.push(...page);
      })(),
    ).rejects.toThrow('lost');
    expect(seen).toEqual(range(1, 20));
  });
});
