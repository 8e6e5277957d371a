import type { Redis } from 'ioredis';
import type mysql from 'mysql2/promise';
import type { TokenService } from '../shared/auth/tokens.js';
import type { Clock } from '../shared/ids.js';
import type { Cache } from '../shared/memcached/client.js';
import type { Tracking } from './tracking/tracking.js';
import type { UserDirectory } from './users.js';

/** Everything the read API needs; the launcher builds the real ones, tests their own. */
export type QueryDeps = {
  readonly redis: Redis;
  readonly pool: mysql.Pool;
  readonly tokens: TokenService;
  readonly clock: Clock;
  readonly redisPrefix: string;
  /** Handles and names for pages of user ids. */
  readonly users: UserDirectory;
  /** Profile cache (Memcached); an optimisation only: every route answers without it. */
  readonly cache: Cache;
  /**
   * Redis client-side caching: what the process reads on `tracking.redis` it may hold until Redis
   * reports a change. Without it, feed pages are read afresh every time and board reads last
   * `leaderboardPageCacheMs` at most.
   */
  readonly tracking?: Tracking | undefined;
  /**
   * Home feeds: entries kept per feed and days a log stays in feeds (older ones are dropped on
   * read). With `reuse` (and `tracking`), the query process holds feed items and pages it read
   * until Redis reports a change to them, for `itemCacheMs` at most; a held page is answered once
   * every change Redis finished `syncMs` before the request has been heard of (0: before it).
   */
  readonly feed: { readonly length: number; readonly retentionDays: number; readonly reuse?: { readonly itemCacheMs: number; readonly syncMs: number } };
  /**
   * How long a global leaderboard read (ranks, names, places) is reused before it is read again;
   * 0 reads it every time. With `tracking`, a whole board's ranks are reused past that until
   * Redis reports a change to it (its names are still refreshed this often).
   */
  readonly leaderboardPageCacheMs: number;
  /** Boards of at most this many members are read whole, every caller's place answered from that read. */
  readonly leaderboardWholeMaxMembers: number;
  /** How long a read with `minPosition` waits for the projection to reach it. */
  readonly readYourWritesTimeoutMs: number;
};
