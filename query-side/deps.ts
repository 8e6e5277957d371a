import type { Redis } from 'ioredis';
import type mysql from 'mysql2/promise';
import type { TokenService } from '../shared/auth/tokens.js';
import type { Clock } from '../shared/ids.js';

/** Everything the read API needs; the launcher builds the real ones, tests their own. */
export type QueryDeps = {
  readonly redis: Redis;
  readonly pool: mysql.Pool;
  readonly tokens: TokenService;
  readonly clock: Clock;
  readonly redisPrefix: string;
};
