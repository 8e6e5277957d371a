import { Redis } from 'ioredis';

/**
 * The Redis client every role and the CLI use, with one set of options. Auto-pipelining sends the
 * commands issued in one tick (a projector's streams, a rebuild's window) as one write: on these
 * machines a socket syscall costs more than the command itself. The read API turns it off: its
 * requests issue one or two commands each and seldom share a tick, so waiting for the tick's end
 * cost more than it saved (S6, same run: +2 to +23% requests/s without it, 8 of 8 rounds).
 */
export const createRedis = (url: string, { autoPipelining = true }: { readonly autoPipelining?: boolean } = {}): Redis =>
  new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: autoPipelining });
