/**
 * Feed pages as answered, held by the query process until Redis reports a change to a key they
 * were read from (the owner's feed, an item shown), or until their time is up, whichever comes
 * first. The oldest are dropped past `maxChars` of held bodies.
 */
export type HeldPages = {
  get(page: string, now: number): string | undefined;
  /** Holds a body read from `keys` until `until` (epoch ms). */
  hold(page: string, held: { readonly body: string; readonly keys: readonly string[]; readonly until: number }): void;
  /** Drops the pages read from `key`; every page for null. */
  invalidate(key: string | null): void;
};

type Held = { readonly body: string; readonly keys: readonly string[]; readonly until: number };

export const heldPages = ({ maxChars }: { readonly maxChars: number }): HeldPages => {
  const pages = new Map<string, Held>();
  /** Redis key → the pages read from it. */
  const readers = new Map<string, Set<string>>();
  let chars = 0;
  const drop = (page: string) => {
    const held = pages.get(page);
    if (!held) return;
    pages.delete(page);
    chars -= held.body.length;
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
      if (held.body.length > maxChars) return;
      pages.set(page, held);
      chars += held.body.length;
      for (const key of held.keys) {
        let set = readers.get(key);
        if (!set) readers.set(key, (set = new Set()));
        set.add(page);
      }
      for (const oldest of pages.keys()) {
        if (chars <= maxChars) break;
        drop(oldest);
      }
    },
    invalidate: (key) => {
      if (key === null) {
        pages.clear();
        readers.clear();
        chars = 0;
        return;
      }
      for (const page of readers.get(key) ?? []) drop(page);
    },
  };
};
