import { setNewest } from '../../shared/bounded-map.js';
import type { StoredItemParts } from '../../shared/feeds/item.js';

/**
 * Feed items held by the query process for `ttlMs`. With fan-out on write one log's item is shown
 * in every follower's feed, so a page need only read its feed's ids from Redis and the few items
 * it has not seen lately: the ids are read fresh every time (a retraction, which takes the id out
 * of every feed, shows at once); an item's content (a correction) shows within `ttlMs`.
 */
/** `now` is the page's one reading of the clock (epoch ms), not one per item. */
export type ItemCache = {
  get(logId: string, now: number): StoredItemParts | undefined;
  set(logId: string, item: StoredItemParts, now: number): void;
};

export const itemCache = ({ ttlMs, max }: { readonly ttlMs: number; readonly max: number }): ItemCache => {
  const items = new Map<string, { readonly until: number; readonly item: StoredItemParts }>();
  return {
    get: (logId, now) => {
      const hit = items.get(logId);
      return hit && hit.until > now ? hit.item : undefined;
    },
    set: (logId, item, now) => setNewest(items, logId, { until: now + ttlMs, item }, max),
  };
};
