import { setNewest } from '../../shared/bounded-map.js';

/**
 * Feed items held by the query process for `ttlMs`. With fan-out on write one log's item is shown
 * in every follower's feed, so a page need only read its feed's ids from Redis and the few items
 * it has not seen lately: the ids are read fresh every time (a retraction, which takes the id out
 * of every feed, shows at once); an item's content (a correction, its author's new name) shows
 * within `ttlMs`. `now` is the page's one reading of the clock (epoch ms), not one per item.
 */
export type ItemCache<I> = {
  get(logId: string, now: number): I | undefined;
  set(logId: string, item: I, now: number): void;
};

export const itemCache = <I>({ ttlMs, max }: { readonly ttlMs: number; readonly max: number }): ItemCache<I> => {
  const items = new Map<string, { readonly until: number; readonly item: I }>();
  return {
    get: (logId, now) => {
      const hit = items.get(logId);
      return hit && hit.until > now ? hit.item : undefined;
    },
    set: (logId, item, now) => setNewest(items, logId, { until: now + ttlMs, item }, max),
  };
};
