import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../launcher/system.js';
import type { Config } from '../../shared/config/index.js';
import { memcachedCache, type Cache } from '../../shared/memcached/client.js';
import { profileKey } from '../../shared/profiles/profile.js';
import { eventually } from '../../shared/testing/environment.js';
import { errorPaths, eventuallyRead, expectProblem, follow, get, queryApp, register, startSystem, type Caller } from './support.js';

// GET /v1/users/:userId on the whole system: users made through the command API, projected into
// MySQL and Memcached by the pipeline, read through the cache-aside route.
let config: Config;
let system: System;
let stop: () => Promise<void>;
let cache: Cache;
let ada: Caller;
let bob: Caller;

type Profile = { id: string; handle: string; displayName: string; timezone: string; registeredAt: string; followers: number; following: number };

beforeAll(async () => {
  ({ config, system, stop } = await startSystem('query_profile'));
  cache = memcachedCache(config.MEMCACHED_SERVERS);
  ada = await register(system.app, 'ada_profile', 'Europe/Berlin', 'Ada L.');
  bob = await register(system.app, 'bob_profile');
  await follow(system.app, bob, ada);
  // Settled: the follow is in MySQL and the projector has refreshed Ada's cached profile.
  await eventuallyRead<Profile>(system.app, `/v1/users/${ada.userId}`, bob, (p) => p.followers === 1);
  await eventually(async () => ((await cache.get(key(ada)))?.includes('"followers":1') ? true : undefined));
});

afterAll(async () => {
  cache?.close();
  await stop?.();
});

const key = (user: Caller) => profileKey(config.REDIS_KEY_PREFIX, user.userId);
const profileOf = (user: Caller, caller: Caller = bob, headers: Record<string, string> = {}) => get(system.app, `/v1/users/${user.userId}`, caller, headers);

describe('GET /v1/users/:userId', () => {
  it('answers the public profile to any signed-in user, cacheable privately for 5 s', async () => {
    const res = await profileOf(ada);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      id: ada.userId,
      handle: 'ada_profile',
      displayName: 'Ada L.',
      timezone: 'Europe/Berlin',
      registeredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as string,
      followers: 1,
      following: 0,
    });
    expect(res.headers['cache-control']).toBe('private, max-age=5');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect((await profileOf(bob, bob)).json<Profile>()).toMatchObject({ id: bob.userId, followers: 0, following: 1 });
  });

  it('requires a token, a user id, and a known user', async () => {
    expectProblem(await get(system.app, `/v1/users/${ada.userId}`), 401, 'UNAUTHENTICATED');
    const bad = await get(system.app, '/v1/users/not-a-uuid', bob);
    expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(errorPaths(bad)).toEqual(['/userId']);
    expectProblem(await get(system.app, `/v1/users/${crypto.randomUUID()}`, bob), 404, 'USER_NOT_FOUND');
  });

  it('answers 304 to If-None-Match with the current ETag, 200 with another', async () => {
    const first = await profileOf(ada);
    const etag = String(first.headers.etag);
    const again = await profileOf(ada, bob, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('private, max-age=5');
    expect((await profileOf(ada, bob, { 'if-none-match': `"stale", W/${etag}` })).statusCode).toBe(304);
    const other = await profileOf(ada, bob, { 'if-none-match': '"stale"' });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual(first.json());
  });

  it('fills the cache on a miss, then serves the next read from Memcached', async () => {
    await cache.delete(key(ada));
    const fromMysql = await profileOf(ada);
    expect(fromMysql.statusCode).toBe(200);
    const cached = await cache.get(key(ada));
    expect(cached && JSON.parse(cached)).toEqual(fromMysql.json());

    // Change only the cached copy: the next answer shows it, so it came from Memcached.
    await cache.set(key(ada), JSON.stringify({ ...fromMysql.json<Profile>(), displayName: 'From the cache' }), 60);
    const fromCache = await profileOf(ada);
    expect(fromCache.json<Profile>().displayName).toBe('From the cache');
    expect(fromCache.headers.etag).not.toBe(fromMysql.headers.etag);
    await cache.delete(key(ada));
  });

  it('reads MySQL when the cached entry does not decode', async () => {
    await cache.set(key(ada), '{"id":"something else"', 60);
    const res = await profileOf(ada);
    expect(res.statusCode).toBe(200);
    expect(res.json<Profile>().displayName).toBe('Ada L.');
    await cache.delete(key(ada));
  });

  it('fills a miss with ADD, never SET, so a reader cannot overwrite the projector’s fresher copy', async () => {
    const calls: string[] = [];
    const real = memcachedCache(config.MEMCACHED_SERVERS);
    const recording: Cache = {
      ...real,
      get: (k) => (calls.push('get'), real.get(k)),
      add: (k, v, ttl) => (calls.push('add'), real.add(k, v, ttl)),
      set: (k, v, ttl) => (calls.push('set'), real.set(k, v, ttl)),
    };
    const reader = queryApp(config, { cache: recording });
    try {
      await cache.delete(key(bob));
      expect((await get(reader.app, `/v1/users/${bob.userId}`, ada)).statusCode).toBe(200);
      expect(calls).toEqual(['get', 'add']);
      expect(await cache.get(key(bob))).toBeDefined();
      // ADD leaves an entry that is there (as the projector's SET leaves it); the reader gets it.
      await cache.set(key(bob), JSON.stringify({ ...(await profileOf(bob)).json<Profile>(), displayName: 'Projected' }), 60);
      await real.add(key(bob), '{}', 60);
      calls.length = 0;
      expect((await get(reader.app, `/v1/users/${bob.userId}`, ada)).json<Profile>().displayName).toBe('Projected');
      expect(calls).toEqual(['get']);
    } finally {
      await cache.delete(key(bob));
      await reader.close();
    }
  });

  it('still answers from MySQL when Memcached is down', async () => {
    const down = queryApp(config, { cache: memcachedCache(['127.0.0.1:1']) });
    try {
      const started = Date.now();
      const res = await get(down.app, `/v1/users/${ada.userId}`, bob);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Profile>()).toMatchObject({ id: ada.userId, displayName: 'Ada L.', followers: 1 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expectProblem(await get(down.app, `/v1/users/${crypto.randomUUID()}`, bob), 404, 'USER_NOT_FOUND');
    } finally {
      await down.close();
    }
  });
});
