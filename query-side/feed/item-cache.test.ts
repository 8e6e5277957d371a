import { describe, expect, it } from 'vitest';
import { itemCache } from './item-cache.js';

describe('feed item cache', () => {
  it('holds items until their generation ends, `ttlMs` after it began, then drops them all', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 10 });
    cache.set('a', 'A', 5_000);
    cache.set('b', 'B', 5_900);
    expect([cache.get('a', 5_999), cache.get('b', 5_999)]).toEqual(['A', 'B']);
    expect([cache.get('a', 6_000), cache.get('b', 6_000)]).toEqual([undefined, undefined]);
    expect(cache.get('c', 5_000)).toBeUndefined();
  });

  it('starts a new generation when the clock goes back to before the held one began', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 10 });
    cache.set('a', 'A', 90_000);
    expect(cache.get('a', 90_000)).toBe('A');
    expect(cache.get('a', 89_999)).toBeUndefined();
  });

  it('holds at most `max` items, replacing held ones but taking no new ones past it', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 2 });
    cache.set('a', 'A1', 0);
    cache.set('b', 'B', 0);
    cache.set('c', 'C', 0);
    cache.set('a', 'A2', 0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual(['A2', 'B', undefined]);
  });
});

describe('feed item cache, told of changes', () => {
  it('drops one item, or all of them', () => {
    const cache = itemCache<string>({ ttlMs: 1_000, max: 10 });
    cache.set('a', 'A', 0);
    cache.set('b', 'B', 0);
    cache.drop('a');
    expect([cache.get('a', 1), cache.get('b', 1)]).toEqual([undefined, 'B']);
    cache.clear();
    expect(cache.get('b', 1)).toBeUndefined();
    cache.set('c', 'C', 2);
    expect(cache.get('c', 3)).toBe('C');
  });
});
