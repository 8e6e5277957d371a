import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type TokenService } from '../../shared/auth/tokens.js';
import type { LogId, UserId } from '../../shared/events/index.js';
import { feedKeys } from '../../shared/feeds/keys.js';
import { buildHttpApp } from '../../shared/http/app.js';
import type { Cache } from '../../shared/memcached/client.js';
import { createPool, dropDatabase, ensureDatabase, type MysqlSettings } from '../../shared/mysql/pool.js';
import { eventually, testConfig } from '../../shared/testing/environment.js';
import { feedProjector, type FeedSettings } from '../../projections/feeds/projector.js';
import { deleteKeys, eventLog, HOUR, newLogId, newUserId, NOW } from '../../projections/feeds/testing.js';
import type { Projector } from '../../projections/runtime/projector.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { tableMigrations } from '../../projections/tables/schema.js';
import { queryRoutes } from '../../query-side/routes.js';
import { userDirectory } from '../../query-side/users.js';
import { FeedCursor } from '../../query-side/feed/cursor.js';
import { startTracking, type Tracking } from '../../query-side/tracking/tracking.js';

const config = testConfig('feed-route');
const mysqlSettings: MysqlSettings = mysqlSettingsOf(config, 2);

// The feed does not use the profile cache; the other routes answer without one.
const noCache: Cache = {
  get: () => Promise.resolve(undefined),
  add: () => Promise.resolve(),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
  ping: () => Promise.resolve(),
  close: () => undefined,
};
const settings: FeedSettings = { prefix: config.REDIS_KEY_PREFIX, length: 500, retentionDays: 7, clock: () => NOW };
let redis: Redis;
let pool: mysql.Pool;
let tokens: TokenService;
/** The route reading every page afresh, and one holding items and pages (tracked, ITEM_CACHE_MS at most). */
const apps: Record<'exact' | 'cached', FastifyInstance> = {} as never;
let app: FastifyInstance;
const ITEM_CACHE_MS = 1_000;
let projector: Projector;
let tracking: Tracking;
/** How many times the tracked connections were lost (everything held dropped). */
let trackingLost = 0;
let readClock = NOW;
const log = eventLog();

beforeAll(async () => {
  await ensureDatabase(mysqlSettings);
  pool = createPool(mysqlSettings);
  await migrate(pool, tableMigrations);
  redis = new Redis(config.REDIS_URL);
  projector = feedProjector(redis, settings);
  tokens = createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.JWT_TTL_SECONDS });
  tracking = startTracking(config.REDIS_URL);
  tracking.onInvalidate((key) => void (key === null && (trackingLost += 1)));
  for (const mode of ['exact', 'cached'] as const) {
    const built = buildHttpApp({ readiness: [] });
    // Strict: every request waits for a PING of its own (the bounded lag is tested with tracking).
    const reuse = mode === 'cached' ? { reuse: { itemCacheMs: ITEM_CACHE_MS, syncMs: 0 } } : {};
    queryRoutes({ redis, tracking, pool, tokens, clock: () => readClock, redisPrefix: config.REDIS_KEY_PREFIX, cache: noCache, feed: { length: 500, retentionDays: 7, ...reuse }, readYourWritesTimeoutMs: 2_000, leaderboardPageCacheMs: 0, leaderboardWholeMaxMembers: 0, users: userDirectory(pool, { ttlMs: 0, max: 100 }) })(built);
    await built.ready();
    apps[mode] = built;
  }
  app = apps.exact;
});

afterAll(async () => {
  await Promise.all(Object.values(apps).map((a) => a.close()));
  tracking?.close();
  await pool?.end();
  await dropDatabase(mysqlSettings);
  await deleteKeys(redis, config.REDIS_KEY_PREFIX);
  redis?.disconnect();
});

type FeedPage = {
  items: {
    logId: string;
    author: { id: string; handle: string | null; displayName: string | null };
    startedAt: string;
    endedAt: string;
    durationMinutes: number;
    quality: number | null;
  }[];
  nextCursor: string | null;
};

const handles = new Map<string, string>();
/** A user in the event log, the projector and the users table. */
const user = async (displayName = 'Sleeper'): Promise<UserId> => {
  const id = newUserId();
  const handle = `sleeper_${handles.size + 1}`;
  handles.set(id, handle);
  await projector.apply([log.registered(id)]);
  await pool.query(`INSERT INTO users (user_id, handle, display_name, timezone, registered_at) VALUES (?, ?, ?, 'Europe/Berlin', '2026-11-01 00:00:00.000')`, [
    id,
    handle,
    displayName,
  ]);
  return id;
};

const get = async (url: string, as?: UserId, on = app) => {
  const token = as && (await tokens.issue({ userId: as, roles: ['user'] }, Math.floor(Date.now() / 1000)));
  return on.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
};
const page = async (as: UserId, query = '', on = app): Promise<FeedPage> => {
  const res = await get(`/v1/feed${query}`, as, on);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<FeedPage>();
};
const ids = (p: FeedPage) => p.items.map((i) => i.logId);

/** A follows B, and B logs one night per entry of `hoursAgo`; returns the log ids in feed order. */
const followedAuthorWithLogs = async (hoursAgo: readonly number[]): Promise<{ a: UserId; b: UserId; logs: LogId[] }> => {
  const [a, b] = [await user(), await user()];
  await projector.apply([log.followed(a, b)]);
  const logs = hoursAgo.map((h) => ({ id: newLogId(), end: NOW - h * HOUR }));
  await projector.apply(logs.map((l) => log.logged(b, l.id, { endedAt: l.end })));
  const order = [...logs].sort((x, y) => y.end - x.end || (x.id < y.id ? 1 : -1));
  return { a, b, logs: order.map((l) => l.id) };
};

// Every behaviour below holds whether items are read each time or reused (ids are always fresh).
describe.each(['exact', 'cached'] as const)('GET /v1/feed (%s items)', (mode) => {
  beforeAll(() => void (app = apps[mode]));
  afterAll(() => void (app = apps.exact));

  it('lists the caller’s feed newest first, with each author’s handle and name', async () => {
    const [a, b, c] = [await user('Ann'), await user('Bob'), await user('Cleo')];
    const stranger = newUserId(); // followed, but not (yet) in the users table
    const [l1, l2, l3, l4] = [newLogId(), newLogId(), newLogId(), newLogId()];
    await projector.apply([log.registered(stranger), log.followed(a, b), log.followed(a, c), log.followed(a, stranger)]);
    await projector.apply([
      log.logged(b, l1, { endedAt: NOW - 3 * HOUR, minutes: 420, quality: 3 }),
      log.logged(c, l2, { endedAt: NOW - HOUR, minutes: 480 }),
      log.logged(b, l3, { endedAt: NOW - 2 * HOUR, minutes: 390, quality: null }),
      log.logged(stranger, l4, { endedAt: NOW - 4 * HOUR }),
    ]);

    const at = (ms: number) => new Date(ms).toISOString();
    const bob = { id: b, handle: handles.get(b), displayName: 'Bob' };
    const body = await page(a);
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([
      { logId: l2, author: { id: c, handle: handles.get(c), displayName: 'Cleo' }, startedAt: at(NOW - 9 * HOUR), endedAt: at(NOW - HOUR), durationMinutes: 480, quality: 4 },
      { logId: l3, author: bob, startedAt: at(NOW - 2 * HOUR - 390 * 60_000), endedAt: at(NOW - 2 * HOUR), durationMinutes: 390, quality: null },
      { logId: l1, author: bob, startedAt: at(NOW - 10 * HOUR), endedAt: at(NOW - 3 * HOUR), durationMinutes: 420, quality: 3 },
      { logId: l4, author: { id: stranger, handle: null, displayName: null }, startedAt: at(NOW - 12 * HOUR), endedAt: at(NOW - 4 * HOUR), durationMinutes: 480, quality: 4 },
    ]);
  });

  it('answers HEAD with the headers of GET and no body, twice (the second from a held page when cached)', async () => {
    const { a } = await followedAuthorWithLogs([1, 2]);
    for (let i = 0; i < 2; i++) {
      const full = await get('/v1/feed', a);
      expect(full.headers['cache-control']).toBe('private, no-cache');
      expect(full.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(full.headers['content-length'])).toBe(full.rawPayload.length);
      const token = await tokens.issue({ userId: a, roles: ['user'] }, Math.floor(Date.now() / 1000));
      const head = await app.inject({ method: 'HEAD', url: '/v1/feed', headers: { authorization: `Bearer ${token}` } });
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-length']).toBe(full.headers['content-length']);
      expect(head.rawPayload.length).toBe(0);
    }
  });

  it('is empty for someone who follows no one', async () => {
    expect(await page(await user())).toEqual({ items: [], nextCursor: null });
  });

  it('pages with a cursor that stays put while newer logs arrive', async () => {
    // Two nights end at the same instant: they are ordered by log id, and neither is lost or repeated.
    const { a, b, logs } = await followedAuthorWithLogs([1, 2, 2, 3, 4]);
    const first = await page(a, '?limit=2');
    expect(ids(first)).toEqual(logs.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));

    await projector.apply([log.logged(b, newLogId(), { endedAt: NOW - HOUR / 2 })]);
    const second = await page(a, `?limit=2&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual(logs.slice(2, 4));
    const third = await page(a, `?limit=2&cursor=${second.nextCursor}`);
    expect(ids(third)).toEqual(logs.slice(4));
    expect(third.nextCursor).toBeNull();
  });

  it('has no next page when the last page is exactly full', async () => {
    const { a, logs } = await followedAuthorWithLogs([1, 2, 3, 4]);
    const first = await page(a, '?limit=2');
    const second = await page(a, `?limit=2&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual(logs.slice(2));
    expect(second.nextCursor).toBeNull();
    expect(await page(a, '?limit=4')).toMatchObject({ nextCursor: null });
  });

  it('answers an empty page for a cursor after the last item, and for one whose rest was retracted', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2, 3]);
    const after = FeedCursor.encode({ score: NOW - 3 * HOUR, logId: logs[2] ?? '' });
    expect(await page(a, `?cursor=${after}`)).toEqual({ items: [], nextCursor: null });

    const first = await page(a, '?limit=2');
    await projector.apply([log.retracted(b, logs[2] ?? newLogId())]);
    expect(await page(a, `?limit=2&cursor=${first.nextCursor}`)).toEqual({ items: [], nextCursor: null });
  });

  it('clamps the limit into 1…100', async () => {
    const { a } = await followedAuthorWithLogs(Array.from({ length: 101 }, (_, i) => i / 10));
    expect((await page(a, '?limit=0')).items).toHaveLength(1);
    const most = await page(a, '?limit=1000');
    expect(most.items).toHaveLength(100);
    expect(most.nextCursor).toEqual(expect.any(String));
    expect((await page(a)).items).toHaveLength(20);
  });

  it('refuses a cursor it did not hand out, a limit that is not a number and unknown parameters', async () => {
    const a = await user();
    const forged = Buffer.from('o:20').toString('base64url');
    for (const query of ['?cursor=nonsense', `?cursor=${forged}`, '?limit=ten', `?userId=${a}`]) {
      const res = await get(`/v1/feed${query}`, a);
      expect(res.statusCode, query).toBe(422);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('answers JSON with names escaped, and leaves out an item that is not in the stored layout', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2, 3]);
    await pool.query('UPDATE users SET display_name = ? WHERE user_id = ?', ['Bob "the owl" \\ Ö 😴', b]);
    const k = feedKeys(config.REDIS_KEY_PREFIX);
    const stored = (await redis.get(k.item(logs[1] ?? ''))) ?? '';
    await redis.set(k.item(logs[1] ?? ''), stored.replace('"quality":4', '"quality":"4"'), 'KEEPTTL');

    const res = await get('/v1/feed?limit=2', a);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json<FeedPage>();
    expect(ids(body)).toEqual([logs[0]]);
    expect(body.items[0]?.author).toEqual({ id: b, handle: handles.get(b), displayName: 'Bob "the owl" \\ Ö 😴' });
    // The left-out item still counts as shown: the next page starts after it.
    expect(ids(await page(a, `?cursor=${body.nextCursor ?? ''}`))).toEqual([logs[2]]);
  });

  it('drops entries past the retention when read', async () => {
    const { a, logs } = await followedAuthorWithLogs([1, 5 * 24, 6 * 24]);
    readClock = NOW + 2 * 24 * HOUR - HOUR; // the night that ended 6 days ago is now past the 7
    try {
      expect(ids(await page(a))).toEqual(logs.slice(0, 2));
      expect(await redis.zcard(feedKeys(config.REDIS_KEY_PREFIX).home(a))).toBe(2);
    } finally {
      readClock = NOW;
    }
  });

  it('drops an entry the moment it passes the retention, even from a page it has just shown', async () => {
    const { a, logs } = await followedAuthorWithLogs([1, 6 * 24]);
    const leaves = NOW - 6 * 24 * HOUR + 7 * 24 * HOUR; // the older night's last moment in the feed
    readClock = leaves - 10;
    try {
      expect(ids(await page(a))).toEqual(logs);
      expect(ids(await page(a))).toEqual(logs);
      readClock = leaves + 1;
      expect(ids(await page(a))).toEqual(logs.slice(0, 1));
    } finally {
      readClock = NOW;
    }
  });

  it('skips an item gone from Redis and fills the page from the entries after it', async () => {
    const { a, logs } = await followedAuthorWithLogs([1, 2, 3, 4]);
    await redis.del(feedKeys(config.REDIS_KEY_PREFIX).item(logs[1] ?? ''));
    const first = await page(a, '?limit=2');
    expect(ids(first)).toEqual([logs[0], logs[2]]);
    expect(ids(await page(a, `?limit=2&cursor=${first.nextCursor}`))).toEqual([logs[3]]);
  });

  it('shows a retraction at once, even of an item it has just shown', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2]);
    expect(ids(await page(a))).toEqual(logs);
    expect(ids(await page(a))).toEqual(logs);
    await projector.apply([log.retracted(b, logs[0] ?? newLogId())]);
    expect(ids(await page(a))).toEqual([logs[1]]);
  });

  it('shows a new night at once, and a correction, even on a page it has just shown', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([2, 3]);
    const [first, again] = [await get('/v1/feed', a), await get('/v1/feed', a)];
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body);
    expect(ids(again.json<FeedPage>())).toEqual(logs);
    const newest = newLogId();
    await projector.apply([log.logged(b, newest, { endedAt: NOW - HOUR })]);
    expect(ids(await page(a))).toEqual([newest, ...logs]);
    await projector.apply([log.corrected(b, logs[1] ?? newLogId(), { endedAt: NOW - 3 * HOUR, minutes: 300 })]);
    expect((await page(a)).items.map((i) => i.durationMinutes)).toEqual([480, 480, 300]);
  });

  it('shows changes made while its connection to Redis was lost', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2]);
    expect(ids(await page(a))).toEqual(logs);
    const lost = trackingLost;
    await redis.client('KILL', 'ID', String(await tracking.redis.client('ID')));
    await eventually(() => Promise.resolve(trackingLost > lost ? true : undefined), 5_000, 10);
    await projector.apply([log.retracted(b, logs[0] ?? newLogId())]);
    expect(ids(await page(a))).toEqual([logs[1]]);
    // And once it is back, it holds pages again and hears of their changes.
    expect(ids(await page(a))).toEqual([logs[1]]);
    await projector.apply([log.retracted(b, logs[1] ?? newLogId())]);
    expect(ids(await page(a))).toEqual([]);
  });
});

describe('GET /v1/feed, reading every item', () => {
  it('skips an item retracted a moment ago, whose feed entries are not removed yet', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2]);
    // A retraction removes the item first and the feed entries after: read in between.
    let during: FeedPage | undefined;
    const pausing = feedProjector(redis, settings, { afterSnapshot: async () => void (during = await page(a)) });
    await pausing.apply([log.retracted(b, logs[0] ?? newLogId())]);
    expect(during && ids(during)).toEqual([logs[1]]);
  });
});

describe('GET /v1/feed, reusing items', () => {
  beforeAll(() => void (app = apps.cached));
  afterAll(() => void (app = apps.exact));

  it('shows an author’s new name once the page’s time is up; a page read exactly shows it at once', async () => {
    const { a, b } = await followedAuthorWithLogs([1, 2]);
    const names = (p: FeedPage) => p.items.map((i) => i.author.displayName);
    expect(names(await page(a))).toEqual(['Sleeper', 'Sleeper']);
    await pool.query('UPDATE users SET display_name = ? WHERE user_id = ?', ['Owl', b]);
    expect(names(await page(a, '', apps.exact))).toEqual(['Owl', 'Owl']);
    readClock = NOW + ITEM_CACHE_MS - 1;
    try {
      expect(names(await page(a))).toEqual(['Sleeper', 'Sleeper']);
      readClock = NOW + ITEM_CACHE_MS;
      expect(names(await page(a))).toEqual(['Owl', 'Owl']);
    } finally {
      readClock = NOW;
    }
  });
});

describe('GET /v1/feed, holding pages, when Redis’s news of a change comes late', () => {
  /**
   * The real tracking, but its invalidations reach the route as late as Redis allows: only when
   * the route waits for them (`synced`). A page held past a change it was told of too late to see
   * would show here.
   */
  const late = (real: Tracking): Tracking => {
    const listeners: ((key: string | null) => void)[] = [];
    const pending: (string | null)[] = [];
    real.onInvalidate((key) => void pending.push(key));
    const synced = async () => {
      const answer = await real.synced();
      for (const key of pending.splice(0)) for (const listener of listeners) listener(key);
      return answer;
    };
    return {
      ...real,
      redis: real.redis,
      synced,
      // Strict here: the route is built with `syncMs: 0`.
      syncedWithin: () => synced(),
      onInvalidate: (listener) => void listeners.push(listener),
    };
  };
  let lateApp: FastifyInstance;
  let lateTracking: Tracking;
  /** Runs while a page is being read, after its reads from Redis and before it is held. */
  let whileReading: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    lateApp = buildHttpApp({ readiness: [] });
    lateTracking = late(tracking);
    const names = userDirectory(pool, { ttlMs: 0, max: 100 });
    const users = {
      summaries: async (userIds: readonly string[]) => {
        const during = whileReading;
        whileReading = undefined;
        await during?.();
        return names.summaries(userIds);
      },
    };
    queryRoutes({ redis, tracking: lateTracking, pool, tokens, clock: () => readClock, redisPrefix: config.REDIS_KEY_PREFIX, cache: noCache, feed: { length: 500, retentionDays: 7, reuse: { itemCacheMs: ITEM_CACHE_MS, syncMs: 0 } }, readYourWritesTimeoutMs: 2_000, leaderboardPageCacheMs: 0, leaderboardWholeMaxMembers: 0, users })(lateApp);
    await lateApp.ready();
  });
  afterAll(() => lateApp.close());

  it('shows a retraction made just before the request', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2]);
    expect(ids(await page(a, '', lateApp))).toEqual(logs);
    await projector.apply([log.retracted(b, logs[0] ?? newLogId())]);
    expect(ids(await page(a, '', lateApp))).toEqual([logs[1]]);
  });

  it('does not hold a page whose item changed while it was being read', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1, 2]);
    // The correction, and the news of it, both arrive after the read from Redis and before the page is held.
    whileReading = async () => {
      await projector.apply([log.corrected(b, logs[1] ?? newLogId(), { endedAt: NOW - 2 * HOUR, minutes: 300 })]);
      await lateTracking.synced();
    };
    // This read may show the night before or after the correction; the next one must show it after.
    await page(a, '', lateApp);
    expect((await page(a, '', lateApp)).items.map((i) => i.durationMinutes)).toEqual([480, 300]);
  });
});

describe('who may read which feed', () => {
  it('needs a valid bearer token', async () => {
    expect((await get('/v1/feed')).statusCode).toBe(401);
    const res = await app.inject({ method: 'GET', url: '/v1/feed', headers: { authorization: 'Bearer not.a.token' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('shows each user only their own feed', async () => {
    const { a, b, logs } = await followedAuthorWithLogs([1]);
    expect(ids(await page(a))).toEqual(logs);
    expect(ids(await page(b))).toEqual([]);
  });
});
