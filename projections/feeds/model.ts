import type { Recorded, UserEvent } from '../../shared/events/index.js';
import { feedItemOf, type FeedItem } from '../../shared/feeds/item.js';
import { retentionCutoff } from '../../shared/feeds/keys.js';

/**
 * The feeds as a pure fold over the event store, for property tests of the projector: whatever
 * order, interleaving and redeliveries the projector saw, Redis must end up holding this.
 */
export type ModelSettings = { readonly length: number; readonly retentionDays: number; readonly now: number };
export type FeedEntry = { readonly logId: string; readonly score: number };

type Log = { readonly item: FeedItem; readonly live: boolean };
type World = { readonly logs: ReadonlyMap<string, Log>; readonly following: ReadonlyMap<string, ReadonlySet<string>> };

const evolve = (w: World, event: UserEvent): World => {
  switch (event.type) {
    case 'SleepLogged':
    case 'SleepLogCorrected':
      return { ...w, logs: new Map(w.logs).set(event.data.logId, { item: feedItemOf(event.data), live: true }) };
    case 'SleepLogRetracted': {
      const log = w.logs.get(event.data.logId);
      return log ? { ...w, logs: new Map(w.logs).set(event.data.logId, { ...log, live: false }) } : w;
    }
    case 'Followed':
    case 'Unfollowed': {
      const mine = new Set(w.following.get(event.data.userId));
      if (event.type === 'Followed') mine.add(event.data.followeeId);
      else mine.delete(event.data.followeeId);
      return { ...w, following: new Map(w.following).set(event.data.userId, mine) };
    }
    case 'UserRegistered':
    case 'ProfileUpdated':
      return w;
  }
};

const worldOf = (events: readonly Recorded<UserEvent>[]): World =>
  [...events].sort((a, b) => a.metadata.position - b.metadata.position).reduce(evolve, { logs: new Map(), following: new Map() });

/** Newest first; equal end times in descending id order, as Redis orders a reversed range. */
const newestFirst = (a: FeedEntry, b: FeedEntry): number => b.score - a.score || (a.logId < b.logId ? 1 : a.logId > b.logId ? -1 : 0);

/** The logs that count: not retracted and within the retention. */
const liveLogs = (w: World, s: ModelSettings): (FeedEntry & { readonly item: FeedItem })[] => {
  const cutoff = retentionCutoff(s.now, s.retentionDays);
  return [...w.logs.entries()]
    .filter(([, log]) => log.live && Date.parse(log.item.endedAt) >= cutoff)
    .map(([logId, log]) => ({ logId, score: Date.parse(log.item.endedAt), item: log.item }))
    .sort(newestFirst);
};

export type Expected = {
  /** Owner → feed, newest first: the followees' logs that count, the newest `length` of them. */
  readonly feeds: (ownerId: string) => FeedEntry[];
  /** Author → their logs that count, newest first. */
  readonly authored: (authorId: string) => FeedEntry[];
  /** Each log that counts, as feeds show it. */
  readonly items: ReadonlyMap<string, FeedItem>;
};

export const expected = (events: readonly Recorded<UserEvent>[], s: ModelSettings): Expected => {
  const world = worldOf(events);
  const live = liveLogs(world, s);
  const entry = ({ logId, score }: FeedEntry): FeedEntry => ({ logId, score });
  return {
    feeds: (owner) => {
      const followees = world.following.get(owner) ?? new Set();
      return live.filter((l) => followees.has(l.item.authorId)).slice(0, s.length).map(entry);
    },
    authored: (author) => live.filter((l) => l.item.authorId === author).map(entry),
    items: new Map(live.map((l) => [l.logId, l.item])),
  };
};
