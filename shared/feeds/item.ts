import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { LogId, Quality, UserId, UtcInstant, type SleepLogFacts } from '../events/index.js';

/** What a feed shows of one log; stored once per log as JSON under `item:<logId>`. */
export const FeedItem = t.strict(
  {
    logId: LogId,
    authorId: UserId,
    startedAt: UtcInstant,
    endedAt: UtcInstant,
    durationMinutes: t.number,
    quality: t.union([Quality, t.null]),
  },
  'FeedItem',
);
export type FeedItem = t.TypeOf<typeof FeedItem>;

export const feedItemOf = (facts: SleepLogFacts): FeedItem => ({
  logId: facts.logId,
  authorId: facts.userId,
  startedAt: facts.startedAt,
  endedAt: facts.endedAt,
  durationMinutes: facts.durationMinutes,
  quality: facts.quality,
});

/** The stored form; properties in a fixed order, so the same log always writes the same bytes. */
export const encodeFeedItem = (item: FeedItem): string => JSON.stringify(FeedItem.encode(item));

export const decodeFeedItem = (json: string): E.Either<string, FeedItem> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return E.left('not JSON');
  }
  // `is` checks the same shapes and brands as `decode` without building a validation context per
  // field: feed pages decode 20 to 100 of these per request.
  return FeedItem.is(parsed) ? E.right({ logId: parsed.logId, authorId: parsed.authorId, startedAt: parsed.startedAt, endedAt: parsed.endedAt, durationMinutes: parsed.durationMinutes, quality: parsed.quality }) : E.left('not a feed item');
};
