import { createHash } from 'node:crypto';

/**
 * Shared pollers of live boards: one per board key however many clients watch it. While a board
 * has subscribers it is read every `intervalMs`; a subscriber is sent its top N only when that
 * changed since the last message it got, so each gets at most one message per interval whatever
 * the write rate. A new subscriber gets the board right away, without waiting for the interval
 * and without making the others' messages come sooner.
 */
export type WatcherOptions<E, R> = {
  /** The first `n` entries of a board, in order. */
  readonly read: (board: string, n: number) => Promise<readonly E[]>;
  /** What subscribers are sent for entries (e.g. with names added); one result per entry, in order. */
  readonly render: (entries: readonly E[]) => Promise<readonly R[]>;
  readonly intervalMs: number;
  readonly onError: (error: unknown, board: string) => void;
};

export type BoardWatchers<R> = {
  /** Starts sending `top` entries of `board` to `send`; the returned function stops it. */
  subscribe(board: string, top: number, send: (entries: readonly R[]) => void): () => void;
  /** How many boards are being polled. */
  watching(): number;
  /** Stops every poller and drops every subscriber. */
  close(): void;
};

type Subscriber<R> = { readonly top: number; readonly send: (entries: readonly R[]) => void; lastHash: string | undefined };
type Watcher<R> = { readonly subscribers: Set<Subscriber<R>>; readonly timer: NodeJS.Timeout; busy: boolean; newcomersWaiting: boolean };

const hashOf = (value: unknown): string => createHash('sha1').update(JSON.stringify(value)).digest('base64url');

export const boardWatchers = <E, R>(options: WatcherOptions<E, R>): BoardWatchers<R> => {
  const watchers = new Map<string, Watcher<R>>();

  /** One read for the subscribers concerned (all, or only those that got nothing yet). */
  const poll = async (board: string, w: Watcher<R>, newcomersOnly: boolean): Promise<void> => {
    const targets = [...w.subscribers].filter((s) => !newcomersOnly || s.lastHash === undefined);
    if (targets.length === 0) return;
    const entries = await options.read(board, Math.max(...targets.map((s) => s.top)));
    const hashes = new Map<number, string>();
    const due: [Subscriber<R>, string][] = [];
    for (const s of targets) {
      const hash = hashes.get(s.top) ?? hashOf(entries.slice(0, s.top));
      hashes.set(s.top, hash);
      if (hash !== s.lastHash) due.push([s, hash]);
    }
    if (due.length === 0) return;
    const rendered = await options.render(entries);
    for (const [s, hash] of due) {
      if (!w.subscribers.has(s)) continue; // left while we read
      s.lastHash = hash;
      s.send(rendered.slice(0, s.top));
    }
  };

  /** Polls never overlap on one board; a newcomer arriving during a poll is served right after it. */
  const run = (board: string, w: Watcher<R>, newcomersOnly: boolean): void => {
    if (w.busy) {
      if (newcomersOnly) w.newcomersWaiting = true;
      return;
    }
    w.busy = true;
    void poll(board, w, newcomersOnly)
      .catch((error: unknown) => options.onError(error, board))
      .finally(() => {
        w.busy = false;
        if (w.newcomersWaiting && w.subscribers.size > 0) {
          w.newcomersWaiting = false;
          run(board, w, true);
        }
      });
  };

  return {
    subscribe: (board, top, send) => {
      let w = watchers.get(board);
      if (!w) {
        const created: Watcher<R> = { subscribers: new Set(), timer: setInterval(() => run(board, created, false), options.intervalMs), busy: false, newcomersWaiting: false };
        watchers.set(board, created);
        w = created;
      }
      const watcher = w;
      const subscriber: Subscriber<R> = { top, send, lastHash: undefined };
      watcher.subscribers.add(subscriber);
      run(board, watcher, true);
      return () => {
        watcher.subscribers.delete(subscriber);
        if (watcher.subscribers.size === 0 && watchers.get(board) === watcher) {
          clearInterval(watcher.timer);
          watchers.delete(board);
        }
      };
    },
    watching: () => watchers.size,
    close: () => {
      for (const w of watchers.values()) {
        clearInterval(w.timer);
        w.subscribers.clear();
      }
      watchers.clear();
    },
  };
};
