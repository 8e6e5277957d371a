import type { Redis } from 'ioredis';

/**
 * How far each projection has applied each stream, as global positions: a sorted set per
 * projection, member = stream id, score = highest position applied. Projectors write it after
 * their effects are durable; the query side reads it to wait for a client's own write.
 */
export const progressKey = (prefix: string, projection: string): string => `${prefix}progress:${projection}`;

export const appliedPosition = async (redis: Redis, prefix: string, projection: string, streamId: string): Promise<number> =>
  Number((await redis.zscore(progressKey(prefix, projection), streamId)) ?? 0);

export type ReadConsistency = { readonly reached: boolean; readonly applied: number; readonly waitedMs: number };

/**
 * Waits (bounded) until a projection has applied the caller's stream up to `minPosition`, so a
 * client reads its own write. Answers how far it got, for the response header.
 */
export const awaitPosition = async (
  redis: Redis,
  prefix: string,
  projection: string,
  streamId: string,
  minPosition: number,
  maxWaitMs: number,
): Promise<ReadConsistency> => {
  const started = Date.now();
  for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
    const applied = await appliedPosition(redis, prefix, projection, streamId);
    const waitedMs = Date.now() - started;
    if (applied >= minPosition) return { reached: true, applied, waitedMs };
    if (waitedMs >= maxWaitMs) return { reached: false, applied, waitedMs };
    await new Promise((r) => setTimeout(r, Math.min(delay, maxWaitMs - waitedMs)));
  }
};

/** The header value: `fresh` or `stale; applied=<position>; requested=<position>`. */
export const consistencyHeader = (c: ReadConsistency, requested: number): string =>
  c.reached ? 'fresh' : `stale; applied=${c.applied}; requested=${requested}`;
