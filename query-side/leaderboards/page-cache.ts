import { setNewest } from '../../shared/bounded-map.js';

/**
 * A short-lived, bounded cache of board pages in the query process. A top-100 is the same for
 * every caller and is read far more often than it changes, so it is read from Redis, named and
 * serialised once per `ttlMs` rather than once per request. Concurrent misses share one load.
 */
export type PageCache<P> = { get(key: string, load: () => Promise<P>): Promise<P> };

export const pageCache = <P>({ ttlMs, max }: { readonly ttlMs: number; readonly max: number }, clock: () => number = Date.now): PageCache<P> => {
  const entries = new Map<string, { readonly until: number; readonly page: Promise<P> }>();
  return {
    get: (key, load) => {
      if (ttlMs === 0) return load();
      const now = clock();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.page;
      const page = load();
      setNewest(entries, key, { until: now + ttlMs, page }, max);
      // A failed load is not kept: the next request tries again.
      page.catch(() => entries.get(key)?.page === page && entries.delete(key));
      return page;
    },
  };
};
