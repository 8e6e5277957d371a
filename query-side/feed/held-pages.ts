/**
 * Feed pages as answered, held by the query process until Redis reports a change to a key they
 * were read from (the owner's feed, an item shown), or until their time is up, whichever comes
 * first. Bodies are held encoded: a page is answered many times and encoded once. The oldest are
 * dropped past `maxBytes` of held bodies.
 */
export type HeldPages = {
  get(page: string, now: number): Buffer | undefined;
  /** Holds a body read from `keys` until `until` (epoch ms). */
  hold(page: string, held: { readonly body: Buffer; readonly keys: readonly string[]; readonly until: number }): void;
  /** Drops the pages read from `key`; every page for null. */
  invalidate(key: string | null): void;
};

type Held = { readonly body: Buffer; readonly keys: readonly string[]; readonly until: number };

export const heldPages = ({ maxBytes }: { readonly maxBytes: number }): HeldPages => {
  const pages = new Map<string, Held>();
  /** Redis key → the pages read from it. */
  const readers = new Map<string, Set<string>>();
  let bytes = 0;
  const drop = (page: string) => {
    const held = pages.get(page);
    if (!held) return;
    pages.delete(page);
    bytes -= held.body.length;
    for (const key of held.keys) {
      const set = readers.get(key);
      set?.delete(page);
      if (set?.size === 0) readers.delete(key);
    }
  };
  return {
    get: (page, now) => {
      const held = pages.get(page);
      if (held === undefined) return undefined;
      if (held.until > now) return held.body;
      drop(page);
      return undefined;
    },
    hold: (page, held) => {
      drop(page);
      if (held.body.length > maxBytes) return;
      pages.set(page, held);
      bytes += held.body.length;
      for (const key of held.keys) {
        let set = readers.get(key);
        if (!set) readers.set(key, (set = new Set()));
        set.add(page);
      }
      for (const oldest of pages.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
    },
    invalidate: (key) => {
      if (key === null) {
        pages.clear();
        readers.clear();
        bytes = 0;
        return;
      }
      for (const page of readers.get(key) ?? []) drop(page);
    },
  };
};
