import type { Redis } from 'ioredis';
import type { Tracking } from '../tracking/tracking.js';

/** Whether what a read got is still what Redis holds, as far as this process has been told. */
export type Watch = { readonly current: () => boolean };

const NEVER: Watch = { current: () => false };

export type BoardWatch = {
  /**
   * Runs `read` (on the tracked connection when there is one) and watches `key` from then on: the
   * watch stays current until Redis reports a change to the key or tracking goes down. A read made
   * without tracking, or during which the key changed, or that `keep` refuses, is never current.
   */
  read<A>(key: string, read: (redis: Redis) => Promise<A>, keep: (value: A) => boolean): Promise<{ readonly value: A; readonly watch: Watch }>;
};

/**
 * Boards read whole are held past their time while nothing changed (a past day's board never
 * does), instead of being read again every few hundred milliseconds: each read of a 10k-member
 * board costs Redis ~4 ms and this process ~8 ms plus the garbage it leaves. At most `max` keys are
 * watched; the oldest is let go (and no longer current) past that.
 */
export const boardWatch = (redis: Redis, tracking: Tracking | undefined, max: number): BoardWatch => {
  const watched = new Map<string, { current: boolean }>();
  const letGo = (key: string) => {
    const entry = watched.get(key);
    if (entry) entry.current = false;
    watched.delete(key);
  };
  tracking?.onInvalidate((key) => {
    if (key !== null) return letGo(key);
    for (const entry of watched.values()) entry.current = false;
    watched.clear();
  });
  return {
    read: async (key, read, keep) => {
      const tracked = tracking?.begin();
      if (!tracking || !tracked) return { value: await read(redis), watch: NEVER };
      let value;
      try {
        value = await read(tracking.redis);
      } catch (error) {
        tracking.end(tracked, []);
        throw error;
      }
      if (!tracking.end(tracked, [key]) || !keep(value)) return { value, watch: NEVER };
      letGo(key);
      const entry = { current: true };
      watched.set(key, entry);
      const oldest = watched.keys().next();
      if (watched.size > max && !oldest.done) letGo(oldest.value);
      return { value, watch: { current: () => entry.current } };
    },
  };
};
