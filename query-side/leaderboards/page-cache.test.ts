import { describe, expect, it } from 'vitest';
import { pageCache } from './page-cache.js';

const counter = () => {
  let loads = 0;
  return { load: (value: string) => () => Promise.resolve(`${value}#${++loads}`), loads: () => loads };
};
/** Lets settled loads' callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('page cache', () => {
  it('serves a page from one load for its time, then the old one while a single reload runs, then the new one', async () => {
    let now = 1_000;
    const cache = pageCache<string>({ ttlMs: 250, max: 10 }, () => now);
    const c = counter();
    expect(await cache.get('a', c.load('a'))).toBe('a#1');
    now += 249;
    expect(await cache.get('a', c.load('a'))).toBe('a#1');
    now += 1;
    let finish: (page: string) => void = () => undefined;
    const reload = () => new Promise<string>((resolve) => (finish = resolve));
    expect(await cache.get('a', reload)).toBe('a#1');
    expect(await cache.get('a', reload)).toBe('a#1');
    finish('a#2');
    await settle();
    expect(await cache.get('a', c.load('a'))).toBe('a#2');
    expect(c.loads()).toBe(1);
  });

  it('keeps a page past its time, without a load, while `renew` says it is current', async () => {
    let now = 0;
    let current = true;
    const cache = pageCache<string>({ ttlMs: 250, max: 10, renew: () => current }, () => now);
    const c = counter();
    expect(await cache.get('a', c.load('a'))).toBe('a#1');
    for (now = 250; now < 2_000; now += 250) expect(cache.loaded('a', c.load('a'))).toBe('a#1');
    expect(c.loads()).toBe(1);
    current = false;
    // Renewed at 1750, so it is not looked at again before 2000.
    now = 1_999;
    expect(cache.loaded('a', c.load('a'))).toBe('a#1');
    expect(c.loads()).toBe(1);
    now = 2_000;
    expect(cache.loaded('a', c.load('a'))).toBe('a#1');
    await settle();
    expect(cache.loaded('a', c.load('a'))).toBe('a#2');
    expect(c.loads()).toBe(2);
  });

  it('drops a page whose reload failed: the next request waits for a fresh load', async () => {
    let now = 0;
    const cache = pageCache<string>({ ttlMs: 250, max: 10 }, () => now);
    const c = counter();
    await cache.get('a', c.load('a'));
    now = 300;
    expect(await cache.get('a', () => Promise.reject(new Error('redis down')))).toBe('a#1');
    await settle();
    expect(await cache.get('a', c.load('a'))).toBe('a#2');
  });

  it('shares one load among concurrent misses', async () => {
    const cache = pageCache<string>({ ttlMs: 250, max: 10 }, () => 0);
    const c = counter();
    const pages = await Promise.all([cache.get('a', c.load('a')), cache.get('a', c.load('a')), cache.get('b', c.load('b'))]);
    expect(pages).toEqual(['a#1', 'a#1', 'b#2']);
  });

  it('does not keep a failed load', async () => {
    const cache = pageCache<string>({ ttlMs: 250, max: 10 }, () => 0);
    await expect(cache.get('a', () => Promise.reject(new Error('redis down')))).rejects.toThrow('redis down');
    expect(await cache.get('a', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('keeps at most `max` pages, dropping the oldest', async () => {
    const cache = pageCache<string>({ ttlMs: 250, max: 2 }, () => 0);
    const c = counter();
    for (const key of ['a', 'b', 'c']) await cache.get(key, c.load(key));
    expect(await cache.get('b', c.load('b'))).toBe('b#2');
    expect(await cache.get('a', c.load('a'))).toBe('a#4');
  });

  it('loads every time when turned off (ttl 0)', async () => {
    const cache = pageCache<string>({ ttlMs: 0, max: 10 }, () => 0);
    const c = counter();
    await cache.get('a', c.load('a'));
    expect(await cache.get('a', c.load('a'))).toBe('a#2');
  });

  it('hands out a loaded page without a promise, as get would: nothing on a miss, the old page during a reload', async () => {
    let now = 0;
    const cache = pageCache<string>({ ttlMs: 250, max: 10 }, () => now);
    const c = counter();
    expect(cache.loaded('a', () => Promise.resolve('first'))).toBeUndefined();
    // The miss started the load; get joins it rather than loading again.
    expect(await cache.get('a', c.load('a'))).toBe('first');
    expect(cache.loaded('a', c.load('a'))).toBe('first');
    now = 300;
    let finish: (page: string) => void = () => undefined;
    const reload = () => new Promise<string>((resolve) => (finish = resolve));
    expect(cache.loaded('a', reload)).toBe('first');
    expect(cache.loaded('a', reload)).toBe('first');
    finish('second');
    await settle();
    expect(cache.loaded('a', c.load('a'))).toBe('second');
    expect(c.loads()).toBe(0);
  });

  it('hands out nothing without a promise when turned off (ttl 0), and loads nothing for it', () => {
    const cache = pageCache<string>({ ttlMs: 0, max: 10 }, () => 0);
    const c = counter();
    expect(cache.loaded('a', c.load('a'))).toBeUndefined();
    expect(c.loads()).toBe(0);
  });
});
