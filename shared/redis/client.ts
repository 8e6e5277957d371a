import { Redis } from 'ioredis';

/**
 * The Redis client every role and the CLI use, with one set of options. Auto-pipelining sends the
 * commands issued in one tick (concurrent requests, a projector's streams) as one write: on these
 * machines a socket syscall costs more than the command itself.
 */
export const createRedis = (url: string): Redis =>
  new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true });
