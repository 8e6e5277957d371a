import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { createTokenService } from '../../shared/auth/tokens.js';
import type { Config } from '../../shared/config/index.js';
import { buildHttpApp } from '../../shared/http/app.js';
import { memcachedCache } from '../../shared/memcached/client.js';
import { createPool } from '../../shared/mysql/pool.js';
import { eventually } from '../../shared/testing/environment.js';
import { mysqlSettingsOf } from '../../launcher/infrastructure.js';
import type { QueryDeps } from '../../query-side/deps.js';
import { userDirectory } from '../../query-side/users.js';
import { queryRoutes } from '../../query-side/routes.js';
import { startTracking } from '../../query-side/tracking/tracking.js';

export type Caller = { readonly userId: string; readonly token: string; readonly handle: string };

export { startSystem } from '../system.js';

/**
 * A second query API over the same read models, with dependencies of the test's choosing (a
 * fixed clock, a dead or recording cache). Tokens issued by the system verify here too. It owns
 * (and closes) every dependency, those given included.
 */
export const queryApp = (config: Config, overrides: Partial<QueryDeps> = {}, routes = queryRoutes) => {
  const pool = overrides.pool ?? createPool({ ...mysqlSettingsOf(config), poolSize: 2 });
  // Its own unless the test gives one (or none, as `tracking: undefined`).
  const tracking = 'tracking' in overrides ? undefined : startTracking(config.REDIS_URL);
  const deps: QueryDeps = {
    redis: overrides.redis ?? new Redis(config.REDIS_URL),
    pool,
    cache: overrides.cache ?? memcachedCache(config.MEMCACHED_SERVERS),
    tokens: createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.JWT_TTL_SECONDS }),
    clock: () => Date.now(),
    redisPrefix: config.REDIS_KEY_PREFIX,
    tracking,
    feed: { length: config.FEED_LENGTH, retentionDays: config.FEED_RETENTION_DAYS, ...(config.FEED_ITEM_CACHE_MS > 0 && { reuse: { itemCacheMs: config.FEED_ITEM_CACHE_MS, syncMs: config.FEED_SYNC_MS } }) },
    readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
    leaderboardPageCacheMs: config.LEADERBOARD_PAGE_CACHE_MS,
    leaderboardWholeMaxMembers: config.LEADERBOARD_WHOLE_MAX_MEMBERS,
    users: userDirectory(pool, { ttlMs: 5_000, max: 1_000 }),
    ...overrides,
  };
  const app = buildHttpApp({ readiness: [] });
  routes(deps)(app);
  return {
    app,
    deps,
    close: async () => {
      await app.close();
      deps.cache.close();
      deps.redis.disconnect();
      deps.tracking?.close();
      await deps.pool.end();
    },
  };
};

const bearer = (caller: Caller | undefined) => (caller ? { authorization: `Bearer ${caller.token}` } : {});

export const get = (app: FastifyInstance, url: string, caller?: Caller, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, headers: { ...bearer(caller), ...headers } });

/** Registers through the command API. */
export const register = async (app: FastifyInstance, handle: string, timezone = 'UTC', displayName = handle): Promise<Caller> => {
  const res = await app.inject({ method: 'POST', url: '/v1/users', payload: { handle, displayName, timezone, password: 'correct horse battery' } });
  expect(res.statusCode, res.body).toBe(201);
  const { userId, token } = res.json<{ userId: string; token: string }>();
  return { userId, token, handle };
};

/** Logs a night through the command API; instants are ISO 8601 with an offset. */
export const logSleep = async (app: FastifyInstance, caller: Caller, startedAt: string, endedAt: string, extra: { quality?: number; note?: string } = {}): Promise<string> => {
  const res = await app.inject({ method: 'POST', url: '/v1/sleep-logs', headers: bearer(caller), payload: { startedAt, endedAt, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ logId: string }>().logId;
};

/** A night of `minutes` ending at `endedAt` (UTC). */
export const logNight = (app: FastifyInstance, caller: Caller, endedAt: string, minutes: number, extra: { quality?: number; note?: string } = {}): Promise<string> =>
  logSleep(app, caller, new Date(Date.parse(endedAt) - minutes * 60_000).toISOString(), endedAt, extra);

export const follow = async (app: FastifyInstance, follower: Caller, followee: Caller, method: 'PUT' | 'DELETE' = 'PUT'): Promise<void> => {
  const res = await app.inject({ method, url: `/v1/following/${followee.userId}`, headers: bearer(follower) });
  expect(res.statusCode, res.body).toBe(200);
};

/** Waits until a read route answers 200 with a body that `ready` accepts; returns that body. */
export const eventuallyRead = <A>(app: FastifyInstance, url: string, caller: Caller, ready: (body: A) => boolean, timeoutMs = 30_000): Promise<A> =>
  eventually(async () => {
    const res = await get(app, url, caller);
    if (res.statusCode !== 200) return undefined;
    const body = res.json<A>();
    return ready(body) ? body : undefined;
  }, timeoutMs);

/** Asserts an application/problem+json answer with this status and code. */
export const expectProblem = (res: LightMyRequestResponse, status: number, code: string): void => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json<{ code: string }>().code).toBe(code);
};

/** The JSON Pointer paths of a 422's field errors. */
export const errorPaths = (res: LightMyRequestResponse): string[] => res.json<{ errors?: { path: string }[] }>().errors?.map((e) => e.path) ?? [];
