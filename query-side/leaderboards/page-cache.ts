import { setNewest } from '../../shared/bounded-map.js';

/**
 * A short-lived, bounded cache of board reads and pages in the query process. A top-100 is the
 * same for every caller and is read far more often than it changes, so it is read from Redis,
 * named and serialised once per `ttlMs` rather than once per request. Concurrent misses share one
 * load. A page whose time is up is still handed out while its replacement loads (one load, started
 * by the first request after), so no request waits for a reload: a page is at most `ttlMs` plus
 * one load old. A reload that fails drops the page, and the next request waits for a fresh load.
 */
export type PageCache<P> = {
  get(key: string, load: () => Promise<P>): Promise<P>;
  /**
   * What `get` would hand out, when it is already loaded; otherwise undefined (a load is started
   * or joined, as `get` would). Lets a caller answer a hit without waiting for a promise.
   */
  loaded(key: string, load: () => Promise<P>): P | undefined;
};

type Loaded<P> = { readonly value: P } | undefined;
type Entry<P> = { until: number; readonly page: Promise<P>; loaded: Loaded<P>; next?: Promise<P> };

type Options<P> = {
  readonly ttlMs: number;
  readonly max: number;
  /** A page whose time is up is kept for another `ttlMs`, without a load, while this says it is still current. */
  readonly renew?: (page: P) => boolean;
};

export const pageCache = <P>({ ttlMs, max, renew }: Options<P>, clock: () => number = Date.now): PageCache<P> => {
  const entries = new Map<string, Entry<P>>();
  const start = (key: string, page: Promise<P>, until: number): Entry<P> => {
    const entry: Entry<P> = { until, page, loaded: undefined };
    page.then(
      (value) => void (entry.loaded = { value }),
      // A failed load is not kept: the next request tries again.
      () => entries.get(key) === entry && entries.delete(key),
    );
    return entry;
  };
  /** The entry whose page is handed out now, after starting whatever load that calls for. */
  const current = (key: string, load: () => Promise<P>): Entry<P> | undefined => {
    if (ttlMs === 0) return undefined;
    const now = clock();
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit;
    if (hit?.loaded) {
      if (!hit.next && renew?.(hit.loaded.value)) {
        hit.until = now + ttlMs;
        return hit;
      }
      if (!hit.next) {
        const next = load();
        hit.next = next;
        next.then(
          (value) => entries.get(key) === hit && setNewest(entries, key, { until: now + ttlMs, page: next, loaded: { value } }, max),
          () => entries.get(key) === hit && entries.delete(key),
        );
      }
      return hit;
    }
    const entry = start(key, load(), now + ttlMs);
    setNewest(entries, key, entry, max);
    return entry;
  };
  return {
    get: (key, load) => current(key, load)?.page ?? load(),
    loaded: (key, load) => current(key, load)?.loaded?.value,
  };
};
