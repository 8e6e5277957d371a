import type { UserId } from '../../shared/events/index.js';
import { DAY_MS } from '../../shared/feeds/keys.js';
import { encodeFeedItem, feedItemOf } from '../../shared/feeds/item.js';
import type { ProjectionItem } from '../runtime/projector.js';

/**
 * What one item does to the feeds, as a pure function of the item (tested without Redis); the
 * projector turns it into script calls.
 */
export type FeedEffect =
  | { readonly kind: 'guard-only' }
  | {
      readonly kind: 'log';
      readonly authorId: UserId;
      readonly logId: string;
      /** endedAt in epoch ms; null when the log was retracted. */
      readonly score: number | null;
      readonly json: string;
      /** Unix seconds at which the item leaves the retention. */
      readonly expireAt: number;
    }
  | { readonly kind: 'follow' | 'unfollow'; readonly followerId: UserId; readonly followeeId: UserId };

export const feedEffect = (item: ProjectionItem, retentionDays: number): FeedEffect => {
  if (item.kind === 'skip') return { kind: 'guard-only' };
  const event = item.event;
  switch (event.type) {
    case 'SleepLogged':
    case 'SleepLogCorrected': {
      const endedAt = Date.parse(event.data.endedAt);
      return {
        kind: 'log',
        authorId: event.data.userId,
        logId: event.data.logId,
        score: endedAt,
        json: encodeFeedItem(feedItemOf(event.data)),
        expireAt: Math.ceil((endedAt + retentionDays * DAY_MS) / 1000),
      };
    }
    case 'SleepLogRetracted':
      return { kind: 'log', authorId: event.data.userId, logId: event.data.logId, score: null, json: '', expireAt: 0 };
    case 'Followed':
      return { kind: 'follow', followerId: event.data.userId, followeeId: event.data.followeeId };
    case 'Unfollowed':
      return { kind: 'unfollow', followerId: event.data.userId, followeeId: event.data.followeeId };
    case 'UserRegistered':
    case 'ProfileUpdated':
      // Authors' names are read from the users table when a feed is read.
      return { kind: 'guard-only' };
  }
};
