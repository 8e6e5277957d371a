/**
 * The keys Redis reported changed while reads were under way, so a read can tell whether what it
 * got may already be stale. An invalidation and a read's reply come on two connections, so the
 * invalidation can be handled first: a read keeps its answer only if none of the keys it read
 * changed since it began. Keys are recorded only while some read is open, and at most `max` of
 * them: a read older than the oldest kept counts as changed.
 */
export type Changes = {
  /** Opens a read; the stamp goes back to `end`. */
  begin(): number;
  record(key: string): void;
  /** Closes a read: true when none of `keys` changed since its `begin`. */
  end(stamp: number, keys: Iterable<string>): boolean;
};

export const changes = (max: number): Changes => {
  let first = 0; // the sequence number of kept[0]
  let kept: string[] = [];
  let open = 0;
  return {
    begin: () => {
      open += 1;
      return first + kept.length;
    },
    record: (key) => {
      if (open === 0) return;
      kept.push(key);
      if (kept.length > max) {
        const dropped = kept.length - max;
        kept = kept.slice(dropped);
        first += dropped;
      }
    },
    end: (stamp, keys) => {
      open = Math.max(0, open - 1);
      let unchanged = stamp >= first;
      if (unchanged && stamp - first < kept.length) {
        const since = new Set(kept.slice(stamp - first));
        for (const key of keys) if (since.has(key)) unchanged = false;
      }
      if (open === 0) {
        first += kept.length;
        kept = [];
      }
      return unchanged;
    },
  };
};
