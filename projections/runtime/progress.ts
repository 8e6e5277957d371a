import type { Redis } from 'ioredis';
import { progressKey } from '../../shared/projections/progress.js';
import { metadataOf, type ProjectionItem, type Projector } from './projector.js';

/**
 * Records, once a batch's effects are durable, the highest position applied per stream (ZADD GT:
 * a redelivered older item never moves it back). A crash in between only makes it lag, which
 * read-your-writes treats as "not yet": safe.
 */
export const withProgress = (projector: Projector, redis: Redis, prefix: string): Projector => ({
  name: projector.name,
  apply: async (items: readonly ProjectionItem[]) => {
    await projector.apply(items);
    const highest = new Map<string, number>();
    for (const item of items) {
      const meta = metadataOf(item);
      highest.set(meta.streamId, Math.max(highest.get(meta.streamId) ?? 0, meta.position));
    }
    if (highest.size === 0) return;
    const args = [...highest].flatMap(([stream, position]) => [position, stream]);
    await redis.zadd(progressKey(prefix, projector.name), 'GT', ...args);
  },
});
