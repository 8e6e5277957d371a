import { describe, expect, it } from 'vitest';
import { itemCache } from './item-cache.js';

describe('feed item cache', () => {
  it('hands an item out until its time is up', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 10 });
    cache.set('a', 'A', 5_000);
    expect(cache.get('a', 5_999)).toBe('A');
    expect(cache.get('a', 6_000)).toBeUndefined();
    expect(cache.get('b', 5_000)).toBeUndefined();
  });

  it('restarts an item’s time when it is set again, and keeps at most `max` items, oldest out first', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 2 });
    cache.set('a', 'A1', 0);
    cache.set('b', 'B', 0);
    cache.set('a', 'A2', 500);
    cache.set('c', 'C', 500);
    expect([cache.get('a', 1_200), cache.get('b', 600), cache.get('c', 600)]).toEqual(['A2', undefined, 'C']);
  });
});
